# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every alicloud.ens module does around its query: options, client, result, errors.

A module is its documentation, its own argument spec and one call:
``run_ens_module(argument_spec, query)``. The query is a function of
image_queries.py, ``query(client, reader) -> dict``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.alicloud.ens.plugins.module_utils.connection import build_client
from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsError
from ansible_collections.alicloud.ens.plugins.module_utils.image_queries import cost_of
from ansible_collections.alicloud.ens.plugins.module_utils.options import DictOptionReader, connection_argument_spec


def module_argument_spec(argument_spec):
    """The connection options followed by the module's own."""
    spec = connection_argument_spec()
    spec.update(argument_spec)
    return spec


def failure_details(error, client):
    """``fail_json`` keywords for an ``EnsError``: its own keys, plus what the task cost when a client ran."""
    details = dict(error.to_dict())
    if client is not None:
        details.update(cost_of(client))
    return details


def run_query(query, reader, client_factory=build_client):
    """``(result, None)`` or ``(None, fail_json keywords)``; the client's connections are always closed."""
    client = None
    try:
        client = client_factory(reader)
        return query(client, reader), None
    except EnsError as error:
        details = failure_details(error, client)
        details["msg"] = to_native(error)
        return None, details
    finally:
        if client is not None:
            client.transport.close()


def run_ens_module(argument_spec, query):
    """Build the module, run ``query(client, reader)`` and exit with its result (``changed`` is always false)."""
    module = AnsibleModule(argument_spec=module_argument_spec(argument_spec), supports_check_mode=True)
    result, failure = run_query(query, DictOptionReader(module.params))
    if failure is not None:
        module.fail_json(**failure)
    module.exit_json(changed=False, **result)
