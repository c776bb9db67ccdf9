# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A plugin's options as a reader (``get(name, default)``), the interface options.py's readers share.

Controller-only, and small on purpose: the lookup imports it on every call, also when the run
cache answers, and every lookup runs in a fresh worker process that compiles what it imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class PluginOptionReader:
    """Reads options from an Ansible plugin's ``get_option()`` (after ``set_options``).

    An unset (``None``) or undeclared option reads as ``default``.
    """

    def __init__(self, plugin):
        self._plugin = plugin

    def get(self, name, default=None):
        try:
            value = self._plugin.get_option(name)
        except KeyError:
            return default
        return default if value is None else value
