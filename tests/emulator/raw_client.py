"""Test helper: hand-made signed requests to a running emulator, over ``requests``.

Signs with the collection's own ``signing`` functions, and lets a test change
any piece (key, secret, token, nonce, time, headers, query) to provoke each
error the emulator must answer. Used by tests/integration/test_emulator*.py.
"""

import datetime
from urllib.parse import urlsplit

import requests

from ansible_collections.alicloud.ens.plugins.module_utils import signing

ENS_VERSION = "2017-11-10"
STS_VERSION = "2015-04-01"


def timestamp(offset_seconds=0):
    """``utc_timestamp`` of now plus ``offset_seconds`` (negative: in the past)."""
    now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset_seconds)
    return signing.utc_timestamp(now)


def _credentials(emulator, overrides):
    key_id = overrides.pop("access_key_id", emulator.access_key_id)
    secret = overrides.pop("access_key_secret", emulator.access_key_secret)
    token = overrides.pop("security_token", emulator.security_token)
    return key_id, secret, token


def send(emulator, method, query=None, headers=None, body=b""):
    return requests.request(method, emulator.url + "/", params=query, headers=headers, data=body,
                            verify=emulator.ca_path or True, timeout=30)


def v1_query(emulator, action, params=None, version=ENS_VERSION, method="POST", **overrides):
    """Every query parameter of a V1 request signed for ``emulator`` (``Signature`` included)."""
    key_id, secret, token = _credentials(emulator, overrides)
    return signing.v1_signed_query(method, action, version, dict(params or {}), key_id, secret,
                                   security_token=token, nonce=overrides.get("nonce"),
                                   timestamp=overrides.get("timestamp"))


def v3_headers(emulator, action, params=None, version=ENS_VERSION, method="POST", body=b"", **overrides):
    """The headers of a V3 request signed for ``emulator`` (``Authorization`` included)."""
    key_id, secret, token = _credentials(emulator, overrides)
    return signing.v3_signed_headers(method, urlsplit(emulator.url).netloc, action, version, dict(params or {}),
                                     key_id, secret, security_token=token, nonce=overrides.get("nonce"),
                                     date=overrides.get("date"), body=body)


def call_v1(emulator, action, params=None, version=ENS_VERSION, method="POST", **overrides):
    return send(emulator, method, query=v1_query(emulator, action, params, version, method, **overrides))


def call_v3(emulator, action, params=None, version=ENS_VERSION, method="POST", body=b"", **overrides):
    return send(emulator, method, query=dict(params or {}), body=body,
                headers=v3_headers(emulator, action, params, version, method, body=body, **overrides))


def call(signature_version, emulator, action, params=None, **kwargs):
    """``call_v1`` or ``call_v3`` by name (``"v1"`` / ``"v3"``)."""
    caller = call_v1 if signature_version == "v1" else call_v3
    return caller(emulator, action, params, **kwargs)


def sign_v3_headers(emulator, method, params, headers, access_key_secret=None, body=b""):
    """Sign exactly ``headers`` (a dict of the headers to sign) and return them with ``Authorization``."""
    canonical = signing.v3_canonical_request(method, "/", params, headers, headers["x-acs-content-sha256"])
    signed_names = signing.v3_canonical_headers(headers)[1]
    signature = signing.v3_signature(canonical, access_key_secret or emulator.access_key_secret)
    return dict(headers, Authorization=signing.v3_authorization(emulator.access_key_id, signed_names, signature))
