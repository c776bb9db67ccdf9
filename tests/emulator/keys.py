"""Access keys the emulator accepts: the long-term key and temporary (STS / ECS role) keys.

Thread-safe. Never logs or returns a secret except to the caller that issues it.
"""

import base64
import datetime
import secrets
import string
import threading
from collections import namedtuple

try:
    from .api_errors import ApiError  # imported as tests.emulator.keys
except ImportError:
    from api_errors import ApiError  # run as a script from this directory

KeyRecord = namedtuple("KeyRecord", "secret security_token expires_at")
TemporaryKey = namedtuple("TemporaryKey", "access_key_id access_key_secret security_token expiration")

_ALPHANUMERIC = string.ascii_letters + string.digits


def iso_utc(epoch_seconds):
    """``YYYY-MM-DDThh:mm:ssZ`` for a POSIX time."""
    moment = datetime.datetime.fromtimestamp(epoch_seconds, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _random_text(length, alphabet=_ALPHANUMERIC):
    return "".join(secrets.choice(alphabet) for _position in range(length))


def new_temporary_key(ttl_seconds, now):
    """Fresh ``STS.*`` key, secret and ``CAIS...`` token (the shapes real STS issues)."""
    token = "CAIS" + base64.b64encode(secrets.token_bytes(150)).decode("ascii")
    return TemporaryKey("STS.NT" + _random_text(22), _random_text(44), token, iso_utc(now + ttl_seconds))


class KeyStore:
    """Maps AccessKeyId -> secret (+ required token, expiry) and checks a caller's token."""

    def __init__(self, access_key_id, access_key_secret, security_token=None):
        self._lock = threading.Lock()
        self._keys = {access_key_id: KeyRecord(access_key_secret, security_token, None)}

    def issue_temporary(self, ttl_seconds, now):
        """Issue and remember a temporary key valid for ``ttl_seconds`` from ``now``."""
        key = new_temporary_key(ttl_seconds, now)
        with self._lock:
            self._keys[key.access_key_id] = KeyRecord(key.access_key_secret, key.security_token, now + ttl_seconds)
        return key

    def secret_for(self, access_key_id, security_token, now):
        """The secret to verify a request with; ``ApiError`` for an unknown, expired or token-less key.

        A key with no token of its own (long-term key, no ``--security-token``)
        ignores a token sent with it.
        """
        with self._lock:
            record = self._keys.get(access_key_id)
        if record is None:
            raise ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if record.expires_at is not None and now >= record.expires_at:
            raise ApiError(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
        if record.security_token is not None:
            _check_token(record.security_token, security_token)
        return record.secret


def _check_token(expected, received):
    if not received:
        raise ApiError(400, "InvalidSecurityToken.Missing", "The SecurityToken of this temporary AccessKey is missing.")
    if not secrets.compare_digest(expected.encode("utf-8"), received.encode("utf-8")):
        raise ApiError(400, "InvalidSecurityToken.Mismatch", "Specified SecurityToken does not match the AccessKey.")
