# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The credential chain: where a task's Alibaba Cloud credentials come from.

The first source that yields credentials wins:

1. the options ``access_key_id`` / ``access_key_secret`` / ``security_token``,
   which the reader has already merged with their environment variables.

Nothing here ever puts a secret or a token into a message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsCredentialError
from ansible_collections.alicloud.ens.plugins.module_utils.transport import Credentials, StaticCredentials

KEY_OPTION_ENV = (
    ("access_key_id", ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY")),
    ("access_key_secret", ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY")),
)


def describe_option(option, env_names):
    """``option (environment A, B)``: how a user sets one option."""
    return "%s (environment %s)" % (option, ", ".join(env_names))


def keys_source_description():
    return "options " + " and ".join(describe_option(option, env) for option, env in KEY_OPTION_ENV)


def credentials_from_keys(reader):
    """``Credentials`` from the key options, ``None`` when neither key is set."""
    access_key_id = reader.get("access_key_id")
    access_key_secret = reader.get("access_key_secret")
    if not access_key_id and not access_key_secret:
        return None
    if not access_key_id or not access_key_secret:
        missing = "access_key_id" if not access_key_id else "access_key_secret"
        raise EnsCredentialError("%s is set but %s is not: set both, or neither to use another credential source. Tried %s."
                                 % (_other_key(missing), missing, keys_source_description()))
    return Credentials(access_key_id, access_key_secret, reader.get("security_token") or None)


def _other_key(option):
    return "access_key_secret" if option == "access_key_id" else "access_key_id"


def credentials_from_options(reader, transport_options):
    """A credentials provider (``.get()`` -> ``Credentials``) from the first source that has credentials.

    ``transport_options`` are the ``SignedTransport`` keyword arguments
    (``validate_certs``, ``ca_path``, ``timeout``, ...) used for the calls the
    chain itself makes.
    """
    credentials = credentials_from_keys(reader)
    if credentials is not None:
        return StaticCredentials(credentials)
    raise EnsCredentialError("No Alibaba Cloud credentials found. Tried %s." % keys_source_description())


def identity(reader):
    """A non-secret name for where the credentials come from, for cache keys."""
    access_key_id = reader.get("access_key_id")
    if access_key_id:
        return "key:%s" % access_key_id
    return "none"
