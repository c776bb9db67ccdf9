"""The ECS instance metadata service, hardened (token) mode, for one RAM role.

    PUT /latest/api/token              X-aliyun-ecs-metadata-token-ttl-seconds: N  -> token text
    GET /latest/meta-data/ram/security-credentials/        (token header) -> role names
    GET /latest/meta-data/ram/security-credentials/<role>  (token header) -> credentials JSON

Every GET needs a valid ``X-aliyun-ecs-metadata-token`` (401 without one);
an unknown role is 404. Each credentials request issues a fresh temporary key.
"""

import secrets
import threading

try:
    from .keys import iso_utc
    from .responses import json_response, text_response
except ImportError:
    from keys import iso_utc
    from responses import json_response, text_response

TOKEN_PATH = "/latest/api/token"
CREDENTIALS_PATH = "/latest/meta-data/ram/security-credentials/"
TTL_HEADER = "x-aliyun-ecs-metadata-token-ttl-seconds"
TOKEN_HEADER = "x-aliyun-ecs-metadata-token"
MAX_TOKEN_TTL = 21600
DEFAULT_CREDENTIALS_TTL = 21600

# (stats label, response) for requests the service does not serve.
NOT_FOUND = ("EcsMetadata", text_response(404, "Not Found\n"))


def _token_ttl(headers):
    """Seconds from the TTL header, or ``None`` when it is missing or out of 1..21600."""
    try:
        ttl = int(headers.get(TTL_HEADER, ""))
    except ValueError:
        return None
    return ttl if 1 <= ttl <= MAX_TOKEN_TTL else None


class EcsMetadata:
    def __init__(self, role_name, keystore, credentials_ttl=None):
        self.role_name = role_name
        self._keys = keystore
        self._credentials_ttl = credentials_ttl or DEFAULT_CREDENTIALS_TTL
        self._tokens = {}
        self._lock = threading.Lock()

    def handle(self, method, path, headers, now):
        """``(stats label, Response)`` for one metadata request."""
        if path == TOKEN_PATH and method == "PUT":
            return "EcsMetadataToken", self._new_token(headers, now)
        if method != "GET" or not path.startswith(CREDENTIALS_PATH.rstrip("/")):
            return NOT_FOUND
        role = path[len(CREDENTIALS_PATH):] if path.startswith(CREDENTIALS_PATH) else ""
        label = "EcsMetadataCredentials" if role else "EcsMetadataRoles"
        if not self._token_valid(headers.get(TOKEN_HEADER), now):
            return label, text_response(401, "Unauthorized: a valid %s header is required.\n" % TOKEN_HEADER)
        if not role:
            return label, text_response(200, self.role_name)
        if role != self.role_name:
            return label, text_response(404, "Not Found\n")
        return label, json_response(200, self._credentials(now))

    def _new_token(self, headers, now):
        ttl = _token_ttl(headers)
        if ttl is None:
            return text_response(400, "Bad Request: %s must be an integer from 1 to %d.\n" % (TTL_HEADER, MAX_TOKEN_TTL))
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = now + ttl
        return text_response(200, token)

    def _token_valid(self, token, now):
        with self._lock:
            expires_at = self._tokens.get(token or "")
        return expires_at is not None and now < expires_at

    def _credentials(self, now):
        key = self._keys.issue_temporary(self._credentials_ttl, now)
        return {
            "AccessKeyId": key.access_key_id,
            "AccessKeySecret": key.access_key_secret,
            "Expiration": key.expiration,
            "SecurityToken": key.security_token,
            "LastUpdated": iso_utc(now),
            "Code": "Success",
        }
