# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request signing for Alibaba Cloud RPC APIs: pure functions, no I/O.

Two algorithms, as ENS_API.md describes them:

* V1, HMAC-SHA1: every parameter (the action's own and the common ones) is in
  the query, and the signature is the query parameter ``Signature``.
* V3, ACS3-HMAC-SHA256: the action and version travel as ``x-acs-*`` headers,
  and the signature is the ``Authorization`` header.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import hashlib
import hmac
import uuid

from urllib.parse import quote

V1_SIGNATURE_METHOD = "HMAC-SHA1"
V1_SIGNATURE_VERSION = "1.0"
V3_ALGORITHM = "ACS3-HMAC-SHA256"
EMPTY_PAYLOAD_SHA256 = hashlib.sha256(b"").hexdigest()


def percent_encode(value):
    """RFC 3986 percent-encoding of UTF-8: only ``A-Z a-z 0-9 - _ . ~`` stay as they are."""
    if not isinstance(value, str):
        value = str(value)
    return quote(value.encode("utf-8"), safe="~")


def canonical_query(params):
    """``name=value`` pairs, both percent-encoded, sorted by name, joined by ``&``.

    Names sort in the UTF-8 byte order of the raw names, not of their encoded
    forms (``%`` would sort before ``-``). ``None`` values are left out, as the
    official SDKs do.
    """
    names = sorted((name for name, value in params.items() if value is not None),
                   key=lambda name: str(name).encode("utf-8"))
    return "&".join("%s=%s" % (percent_encode(name), percent_encode(params[name])) for name in names)


def utc_timestamp(now=None):
    """``YYYY-MM-DDThh:mm:ssZ`` in UTC: the form of V1 ``Timestamp`` and V3 ``x-acs-date``."""
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


def new_nonce():
    """A unique nonce per request."""
    return uuid.uuid4().hex


# --- V1: HMAC-SHA1 -------------------------------------------------------------


def v1_string_to_sign(method, params):
    return "%s&%s&%s" % (method.upper(), percent_encode("/"), percent_encode(canonical_query(params)))


def v1_signature(method, params, access_key_secret):
    """Base64 HMAC-SHA1 of the V1 string to sign, keyed with ``secret + "&"``."""
    digest = hmac.new(
        (access_key_secret + "&").encode("utf-8"),
        v1_string_to_sign(method, params).encode("utf-8"),
        hashlib.sha1,
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def v1_signed_query(method, action, version, params, access_key_id, access_key_secret,
                    security_token=None, nonce=None, timestamp=None):
    """Every query parameter of a V1 request, ``Signature`` included."""
    query = dict((k, v) for k, v in params.items() if v is not None)
    query.update({
        "Action": action,
        "Version": version,
        "Format": "JSON",
        "AccessKeyId": access_key_id,
        "SignatureMethod": V1_SIGNATURE_METHOD,
        "SignatureVersion": V1_SIGNATURE_VERSION,
        "SignatureNonce": nonce or new_nonce(),
        "Timestamp": timestamp or utc_timestamp(),
    })
    if security_token:
        query["SecurityToken"] = security_token
    query["Signature"] = v1_signature(method, query, access_key_secret)
    return query


# --- V3: ACS3-HMAC-SHA256 ------------------------------------------------------


def v3_canonical_headers(headers):
    """``(canonical header block, signed header names)`` for the given headers.

    Every header given is signed: names lower-cased, values trimmed, sorted by name.
    """
    items = sorted((name.lower(), str(value).strip()) for name, value in headers.items())
    block = "".join("%s:%s\n" % item for item in items)
    return block, ";".join(name for name, _value in items)


def v3_canonical_request(method, path, params, headers, payload_sha256=EMPTY_PAYLOAD_SHA256):
    header_block, signed_names = v3_canonical_headers(headers)
    return "\n".join([method.upper(), path or "/", canonical_query(params), header_block,
                      signed_names, payload_sha256])


def v3_string_to_sign(canonical_request):
    return "%s\n%s" % (V3_ALGORITHM, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest())


def v3_signature(canonical_request, access_key_secret):
    return hmac.new(
        access_key_secret.encode("utf-8"),
        v3_string_to_sign(canonical_request).encode("utf-8"),
        hashlib.sha256,
    ).hexdigest()


def v3_authorization(access_key_id, signed_header_names, signature):
    return "%s Credential=%s,SignedHeaders=%s,Signature=%s" % (
        V3_ALGORITHM, access_key_id, signed_header_names, signature)


def v3_signed_headers(method, host, action, version, params, access_key_id, access_key_secret,
                      security_token=None, nonce=None, date=None, body=b""):
    """The headers of a V3 request, ``Authorization`` included; ``params`` stay in the query."""
    headers = {
        "host": host,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": date or utc_timestamp(),
        "x-acs-signature-nonce": nonce or new_nonce(),
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
    }
    if security_token:
        headers["x-acs-security-token"] = security_token
    canonical = v3_canonical_request(method, "/", params, headers, headers["x-acs-content-sha256"])
    signed_names = v3_canonical_headers(headers)[1]
    headers["Authorization"] = v3_authorization(
        access_key_id, signed_names, v3_signature(canonical, access_key_secret))
    return headers
