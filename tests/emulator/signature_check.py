"""Verifies V1 (HMAC-SHA1) and V3 (ACS3-HMAC-SHA256) signatures as ENS_API.md describes them.

The expected signature is computed with the collection's own pure signer,
``plugins/module_utils/signing.py``, loaded by file path: there is no second
signer here. What is checked, in order: the mandatory pieces, the timestamp
window, the key (and its security token), the signature, then the nonce (a
nonce is only remembered once the signature proved the caller).
"""

import datetime
import hashlib
import hmac
import importlib.util
import re
import threading
from collections import OrderedDict, namedtuple
from pathlib import Path

try:
    from .api_errors import ApiError, incomplete_signature, invalid_parameter, missing, missing_header
except ImportError:
    from api_errors import ApiError, incomplete_signature, invalid_parameter, missing, missing_header

SIGNING_PATH = Path(__file__).resolve().parents[2] / "plugins" / "module_utils" / "signing.py"
TIME_WINDOW_SECONDS = 15 * 60
REDACTED = "<redacted>"

V1_COMMON = ("Format", "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Signature")
V3_REQUIRED_HEADERS = ("x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce",
                       "x-acs-content-sha256", "host")
_AUTHORIZATION = re.compile(
    r"^(?P<algorithm>\S+)\s+Credential=(?P<key>[^,\s]+)\s*,\s*SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9A-Fa-f]+)\s*$")
_TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ")

# What the dispatcher needs to know about a request; headers are lower-cased names.
Request = namedtuple("Request", "method path query headers body form")


def load_signing():
    spec = importlib.util.spec_from_file_location("ens_emulator_signing", str(SIGNING_PATH))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


signing = load_signing()


def is_v3(request):
    return "authorization" in request.headers


def action_and_version(request):
    """``(Action, Version)`` from the V3 headers or the V1 query (``None`` when absent)."""
    if is_v3(request):
        return request.headers.get("x-acs-action"), request.headers.get("x-acs-version")
    return request.query.get("Action"), request.query.get("Version")


def api_params(request):
    """The action's own parameters: query and form body, minus the V1 common ones."""
    params = dict(request.query)
    params.update(request.form)
    for name in V1_COMMON + ("Action", "Version", "SecurityToken"):
        params.pop(name, None)
    return params


def parse_timestamp(value):
    """POSIX seconds of an ISO 8601 UTC timestamp, or ``InvalidTimeStamp.Format``."""
    for pattern in _TIMESTAMP_FORMATS:
        try:
            moment = datetime.datetime.strptime(value, pattern)
        except ValueError:
            continue
        return moment.replace(tzinfo=datetime.timezone.utc).timestamp()
    raise ApiError(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted: %s" % value)


def check_timestamp(value, now):
    if abs(now - parse_timestamp(value)) > TIME_WINDOW_SECONDS:
        raise ApiError(400, "InvalidTimeStamp.Expired",
                       "Specified time stamp or date value is expired (more than 15 minutes from the server's %s)."
                       % datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))


class NonceCache:
    """Nonces seen in the last 15 minutes, per access key.

    Kept in the order they were seen, so forgetting the expired ones looks at
    those only, not at every nonce of the window on every request. (Should the
    clock step back, a nonce is remembered a little longer than the window:
    a replay is still refused.)
    """

    def __init__(self, window=TIME_WINDOW_SECONDS):
        self._window = window
        self._lock = threading.Lock()
        self._seen = OrderedDict()

    def use(self, access_key_id, nonce, now):
        """Remember ``nonce``; ``SignatureNonceUsed`` when it was seen within the window."""
        with self._lock:
            self._forget_before(now - self._window)
            key = (access_key_id, nonce)
            if key in self._seen:
                raise ApiError(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
            self._seen[key] = now

    def _forget_before(self, cutoff):
        seen = self._seen
        while seen and seen[next(iter(seen))] < cutoff:
            seen.popitem(last=False)

    def __len__(self):
        with self._lock:
            return len(self._seen)


def _mismatch(detail):
    return ApiError(400, "SignatureDoesNotMatch", "Specified signature does not match our calculation. %s" % detail)


class SignatureVerifier:
    def __init__(self, keystore, nonces=None):
        self._keys = keystore
        self._nonces = nonces or NonceCache()

    def verify(self, request, now):
        """The caller's AccessKeyId once the request is proved authentic; else ``ApiError``."""
        if is_v3(request):
            return self._verify_v3(request, now)
        return self._verify_v1(request, now)

    # --- V1 -----------------------------------------------------------------------

    def _verify_v1(self, request, now):
        params = dict(request.query)
        params.update(request.form)
        _require_v1_params(params)
        check_timestamp(params["Timestamp"], now)
        key_id = params["AccessKeyId"]
        secret = self._keys.secret_for(key_id, params.get("SecurityToken"), now)
        signed = dict((name, value) for name, value in params.items() if name != "Signature")
        expected = signing.v1_signature(request.method, signed, secret)
        if not hmac.compare_digest(expected.encode("utf-8"), params["Signature"].encode("utf-8")):
            raise _mismatch("server string to sign is: %s" % signing.v1_string_to_sign(request.method, _redact_token(signed)))
        self._nonces.use(key_id, params["SignatureNonce"], now)
        return key_id

    # --- V3 -----------------------------------------------------------------------

    def _verify_v3(self, request, now):
        authorization = parse_authorization(request.headers["authorization"])
        headers = request.headers
        for name in V3_REQUIRED_HEADERS:
            if not headers.get(name):
                raise missing_header(name)
        signed_names = _check_signed_names(authorization["signed"], headers)
        if headers["x-acs-content-sha256"].lower() != hashlib.sha256(request.body).hexdigest():
            raise _mismatch("x-acs-content-sha256 is not the lower-case hex SHA-256 of the request body.")
        check_timestamp(headers["x-acs-date"], now)
        key_id = authorization["key"]
        secret = self._keys.secret_for(key_id, headers.get("x-acs-security-token"), now)
        signed_headers = dict((name, headers[name]) for name in signed_names)
        canonical = signing.v3_canonical_request(request.method, request.path, request.query, signed_headers,
                                                 headers["x-acs-content-sha256"])
        expected = signing.v3_signature(canonical, secret)
        if not hmac.compare_digest(expected, authorization["signature"].lower()):
            shown = signing.v3_canonical_request(request.method, request.path, request.query,
                                                 _redact_token_header(signed_headers), headers["x-acs-content-sha256"])
            raise _mismatch("server string to sign is: %s ; server canonical request is: %s"
                            % (signing.v3_string_to_sign(canonical), shown))
        self._nonces.use(key_id, headers["x-acs-signature-nonce"], now)
        return key_id


def _require_v1_params(params):
    for name in V1_COMMON:
        if not params.get(name):
            raise missing(name)
    if params["SignatureMethod"] != signing.V1_SIGNATURE_METHOD:
        raise invalid_parameter("SignatureMethod", "the emulator verifies HMAC-SHA1 for signature V1.")
    if params["SignatureVersion"] != signing.V1_SIGNATURE_VERSION:
        raise invalid_parameter("SignatureVersion", "must be 1.0.")
    if params["Format"].upper() != "JSON":
        raise invalid_parameter("Format", "the emulator answers JSON only.")


def parse_authorization(value):
    """``{algorithm, key, signed, signature}`` of an ``ACS3-HMAC-SHA256`` Authorization header."""
    match = _AUTHORIZATION.match(value.strip())
    if not match:
        raise incomplete_signature("the Authorization header must be "
                                   "'ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<names>,Signature=<hex>'.")
    if match.group("algorithm") != signing.V3_ALGORITHM:
        raise incomplete_signature("the emulator verifies %s only, not %s." % (signing.V3_ALGORITHM, match.group("algorithm")))
    return match.groupdict()


def _check_signed_names(signed, headers):
    """SignedHeaders as a list; it must name ``host`` and every ``x-acs-*`` header sent, and only headers sent."""
    names = [name.strip().lower() for name in signed.split(";")]
    needed = set(name for name in headers if name.startswith("x-acs-")) | {"host"}
    unsigned = sorted(needed - set(names))
    if unsigned:
        raise incomplete_signature("SignedHeaders must include host and every x-acs-* header sent; missing: %s."
                                   % ", ".join(unsigned))
    absent = sorted(set(names) - set(headers))
    if absent:
        raise incomplete_signature("SignedHeaders names headers that were not sent: %s." % ", ".join(absent))
    return names


def _redact_token(params):
    if "SecurityToken" not in params:
        return params
    return dict(params, SecurityToken=REDACTED)


def _redact_token_header(headers):
    if "x-acs-security-token" not in headers:
        return headers
    return dict(headers, **{"x-acs-security-token": REDACTED})
