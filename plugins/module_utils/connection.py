# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""From connection options to a ready ``EnsClient``: endpoint, credentials, transport.

The one place where options become objects; modules, the lookup and the role
all come through ``build_client(reader)``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from ansible_collections.alicloud.ens.plugins.module_utils.credential_sources import region_from_profile
from ansible_collections.alicloud.ens.plugins.module_utils.credentials import credentials_from_options
from ansible_collections.alicloud.ens.plugins.module_utils.endpoints import endpoint_from_options
from ansible_collections.alicloud.ens.plugins.module_utils.ens_client import DEFAULT_MAX_CONCURRENCY, EnsClient, validate_max_concurrency
from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsOptionError
from ansible_collections.alicloud.ens.plugins.module_utils.transport import SignedTransport, validate_signature_version

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 8
DEFAULT_DEADLINE = 300.0


def _or_default(value, default):
    return default if value is None or value == "" else value


def positive_number(option, value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise EnsOptionError(option, "must be a number of seconds, got %r" % (value,))
    if math.isnan(number) or number <= 0:
        raise EnsOptionError(option, "must be more than 0 seconds, got %r" % (value,))
    return number


def non_negative_integer(option, value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise EnsOptionError(option, "must be a whole number, got %r" % (value,))
    if number < 0 or number != float(value):
        raise EnsOptionError(option, "must be a whole number of at least 0, got %r" % (value,))
    return number


def max_concurrency_of(reader):
    value = _or_default(reader.get("max_concurrency"), DEFAULT_MAX_CONCURRENCY)
    try:
        value = int(value)
    except (TypeError, ValueError):
        pass  # validate_max_concurrency names the option and the bad value
    return validate_max_concurrency(value)


def transport_options(reader):
    """``SignedTransport`` keyword arguments from the options; ``EnsOptionError`` naming a bad one."""
    return {
        "signature_version": validate_signature_version(_or_default(reader.get("signature_version"), "v3")),
        "validate_certs": bool(_or_default(reader.get("validate_certs"), True)),
        "ca_path": reader.get("ca_path") or None,
        "timeout": positive_number("timeout", _or_default(reader.get("timeout"), DEFAULT_TIMEOUT)),
        "max_retries": non_negative_integer("max_retries", _or_default(reader.get("max_retries"), DEFAULT_MAX_RETRIES)),
        "deadline": positive_number("deadline", _or_default(reader.get("deadline"), DEFAULT_DEADLINE)),
        # One pooled connection per concurrent request: no request waits for a connection, none is thrown away.
        "pool_size": max_concurrency_of(reader),
    }


def endpoint_of(reader):
    """The ENS base URL: the ``endpoint`` option, else the region's (from the option or the profile)."""
    return endpoint_from_options(reader, region_from_profile)


def build_client(reader):
    """An ``EnsClient`` for the options in ``reader``; raises ``EnsOptionError`` / ``EnsCredentialError``."""
    endpoint = endpoint_of(reader)
    options = transport_options(reader)
    credentials = credentials_from_options(reader, options)
    transport = SignedTransport(endpoint, credentials, **options)
    return EnsClient(transport, max_concurrency=options["pool_size"])
