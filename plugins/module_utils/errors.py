# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's exceptions. Adapters turn them into ``fail_json`` / ``AnsibleLookupError``.

Every message here is user-facing: it never contains a secret or a token.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class EnsError(Exception):
    """Base of every error the collection raises on purpose."""

    def to_dict(self):
        """Extra keys for ``fail_json`` (none by default)."""
        return {}


class EnsOptionError(EnsError):
    """Bad user input; the message names the option and what it accepts."""

    def __init__(self, option, message):
        self.option = option
        super(EnsOptionError, self).__init__("%s: %s" % (option, message))


class EnsCredentialError(EnsError):
    """No usable credentials, or a credential source that is broken."""


class EnsApiError(EnsError):
    """A failed API call: the API's own error, or a transport failure given a code of ours.

    Transport failures use the codes ``ConnectionError``, ``Timeout``,
    ``InvalidResponse`` (a body that is not JSON) and ``DeadlineExceeded``.
    """

    def __init__(self, code, message, request_id=None, recommend=None, http_status=None,
                 host_id=None, action=None):
        self.code = code
        self.message = message
        self.request_id = request_id
        self.recommend = recommend
        self.http_status = http_status
        self.host_id = host_id
        self.action = action
        super(EnsApiError, self).__init__(self._describe())

    def _describe(self):
        text = "%s failed: %s" % (self.action or "ENS API call", self.code)
        if self.http_status:
            text += " (HTTP %s)" % self.http_status
        text += ": %s" % self.message
        if self.request_id:
            text += " RequestId: %s" % self.request_id
        if self.recommend:
            text += " Recommend: %s" % self.recommend
        return text

    def to_dict(self):
        return {
            "code": self.code,
            "message": self.message,
            "request_id": self.request_id,
            "recommend": self.recommend,
            "http_status": self.http_status,
        }
