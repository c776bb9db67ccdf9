# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The signed transport: sign, send, retry and map errors for Alibaba Cloud RPC calls.

Every request is ``POST <endpoint>/?<query>`` with an empty body, as the
official SDKs send it. The query string is built here, byte for byte as it was
signed, and handed to ``requests`` as it is. The decisions (what to sign, how a
response maps to an error, how long to wait) are pure functions; the
``SignedTransport`` class only strings them together around one
``requests.Session``.

Nothing in this module ever puts a secret, a token or a signed URL into a
message: exceptions from ``requests`` carry the URL, and a V1 URL holds the
signature and the security token, so their text is scrubbed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import json
import random
import re
import threading
import time
from collections import namedtuple
from functools import lru_cache
from urllib.parse import urlsplit

from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsApiError, EnsError, EnsOptionError
from ansible_collections.alicloud.ens.plugins.module_utils.retry_policy import (
    backoff_delay,
    is_retryable,
    is_throttling,
    positive_seconds,
)
from ansible_collections.alicloud.ens.plugins.module_utils.signing import (
    canonical_query,
    percent_encode,
    v1_signed_query,
    v3_signed_headers,
)


def _find_requests():
    """``(HAS_REQUESTS, REQUESTS_IMPORT_ERROR)`` without importing ``requests``."""
    try:
        found = importlib.util.find_spec("requests") is not None
    except (ImportError, ValueError):
        found = False
    return found, None if found else "ImportError: No module named 'requests'"


# ``requests`` is found here but imported on first use: every lookup of a playbook runs in its
# own worker process, and one answered from the run's cache must not pay for importing it.
HAS_REQUESTS, REQUESTS_IMPORT_ERROR = _find_requests()


@lru_cache(maxsize=None)
def requests_module():
    """The ``requests`` module, imported once; ``ImportError`` when it is missing or broken."""
    import requests  # pylint: disable=import-outside-toplevel
    import requests.adapters  # pylint: disable=import-outside-toplevel,unused-import
    return requests


def request_failures():
    """What a failed request raises: socket errors, and requests' and urllib3's own classes when present."""
    try:
        requests = requests_module()
        from urllib3.exceptions import HTTPError as Urllib3Error  # pylint: disable=import-outside-toplevel
    except ImportError:
        return (OSError,)
    return (requests.exceptions.RequestException, Urllib3Error, OSError)


METHOD = "POST"
SIGNATURE_VERSIONS = ("v3", "v1")
RETRY_AFTER_HEADER = "x-acs-retry-after"
REQUEST_ID_HEADER = "x-acs-request-id"
BODY_PREVIEW_BYTES = 200
HIDDEN = "<hidden>"
REDACTED = "<redacted>"
DEFAULT_USER_AGENT = "alicloud.ens-ansible-collection"
# Codes a 2xx body may carry without being an error (DescribeImageInfos answers "Code": 0).
SUCCESS_CODES = frozenset(["", "0", "200", "Success", "OK"])
# A URL's query inside an exception text: "... with url: /?AccessKeyId=...&Signature=..."
_QUERY_IN_TEXT = re.compile(r"\?[^\s'\"()<>]*")


# ---------------------------------------------------------------------------
# Credentials

_CredentialsTuple = namedtuple("Credentials", "access_key_id access_key_secret security_token")


class Credentials(_CredentialsTuple):
    """An access key pair and, for STS credentials, a security token; ``repr`` hides the secret and the token."""

    __slots__ = ()

    def __new__(cls, access_key_id, access_key_secret, security_token=None):
        return super(Credentials, cls).__new__(cls, access_key_id, access_key_secret, security_token)

    def __repr__(self):
        return "Credentials(access_key_id=%r, access_key_secret=%s, security_token=%s)" % (
            self.access_key_id, HIDDEN, HIDDEN if self.security_token else None)

    __str__ = __repr__


class StaticCredentials:
    """The trivial credentials provider: always the same ``Credentials``."""

    def __init__(self, credentials):
        self._credentials = credentials

    def get(self):
        return self._credentials

    def __repr__(self):
        return "StaticCredentials(%r)" % (self._credentials,)


# ---------------------------------------------------------------------------
# Pure parts: signing a request, reading a response, scrubbing text

SignedRequest = namedtuple("SignedRequest", "url headers")
RawResponse = namedtuple("RawResponse", "status content headers")
# One attempt's result: ``body`` on success, else ``error`` and whether it is worth another attempt.
Outcome = namedtuple("Outcome", "body error retryable retry_after")


def host_of(endpoint_url):
    """The ``host[:port]`` of a base URL, exactly as it is sent in the ``Host`` header and signed."""
    return urlsplit(endpoint_url).netloc


def request_url(endpoint_url, query_params):
    """``<endpoint>/?<canonical query>``: the query is the signed one, byte for byte."""
    query = canonical_query(query_params)
    return "%s/?%s" % (endpoint_url, query) if query else endpoint_url + "/"


def sign_request(endpoint_url, action, version, params, credentials, signature_version="v3",
                 nonce=None, timestamp=None):
    """The URL and headers of one attempt; ``nonce`` and ``timestamp`` are fresh when not given."""
    if signature_version == "v1":
        query = v1_signed_query(METHOD, action, version, params, credentials.access_key_id,
                                credentials.access_key_secret, credentials.security_token,
                                nonce=nonce, timestamp=timestamp)
        return SignedRequest(request_url(endpoint_url, query), {})
    query = dict((name, value) for name, value in params.items() if value is not None)
    headers = v3_signed_headers(METHOD, host_of(endpoint_url), action, version, query,
                                credentials.access_key_id, credentials.access_key_secret,
                                credentials.security_token, nonce=nonce, date=timestamp)
    return SignedRequest(request_url(endpoint_url, query), headers)


def body_preview(content):
    """The first bytes of a body, as text, for error messages."""
    return content[:BODY_PREVIEW_BYTES].decode("utf-8", "replace")


def parse_json_object(content):
    """The JSON object in ``content``, or ``None`` when it is not one."""
    try:
        body = json.loads(content.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and json.JSONDecodeError are ValueErrors
        return None
    return body if isinstance(body, dict) else None


def is_success_code(code):
    """Whether the ``Code`` of a 2xx body means success (absent, ``0``, ``"Success"``, ...)."""
    if code is None or isinstance(code, bool):
        return code is None
    return str(code) in SUCCESS_CODES


def header_value(headers, name):
    """A header's value, whatever the case of its name (``requests`` headers or a plain dict)."""
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return None


def retry_after_of(headers):
    """Seconds from a positive ``x-acs-retry-after`` header, else ``None``."""
    return positive_seconds(header_value(headers, RETRY_AFTER_HEADER))


def error_from_response(status, content, headers, action=None):
    """``None`` for a successful answer, else the ``EnsApiError`` it stands for."""
    return error_from_body(status, parse_json_object(content), content, headers, action)


def error_from_body(status, body, content, headers, action=None):
    """``error_from_response`` for a body already parsed (``None`` when it is not a JSON object)."""
    request_id = header_value(headers, REQUEST_ID_HEADER)
    if body is None:
        return EnsApiError("InvalidResponse", "HTTP %s answer is not a JSON object; it begins with: %r"
                           % (status, body_preview(content)),
                           request_id=request_id, http_status=status, action=action)
    code = body.get("Code")
    if 200 <= status < 300 and is_success_code(code):
        return None
    if code is None or str(code) == "":
        return EnsApiError("InvalidResponse", "HTTP %s answer has no error code; it begins with: %r"
                           % (status, body_preview(content)),
                           request_id=body.get("RequestId") or request_id, http_status=status, action=action)
    return EnsApiError(str(code), str(body.get("Message") or ""), request_id=body.get("RequestId") or request_id,
                       recommend=body.get("Recommend"), http_status=status, host_id=body.get("HostId"), action=action)


def outcome_of_response(response, action=None):
    """The ``Outcome`` of an HTTP answer: its body, or the error and whether to retry it."""
    body = parse_json_object(response.content)
    error = error_from_body(response.status, body, response.content, response.headers, action)
    if error is None:
        return Outcome(body, None, False, None)
    return Outcome(None, error, is_retryable(http_status=error.http_status, code=error.code),
                   retry_after_of(response.headers))


def is_timeout_exception(exception):
    return any(cls.__name__ in ("Timeout", "ReadTimeout", "ConnectTimeout", "timeout", "TimeoutError")
               for cls in type(exception).__mro__)


def outcome_of_exception(exception, host, action=None, secrets=()):
    """The ``Outcome`` of a request that raised instead of answering (reset, timeout, TLS failure, ...)."""
    code = "Timeout" if is_timeout_exception(exception) else "ConnectionError"
    detail = scrub(str(exception), secrets, redact_queries=True)
    message = "%s %s failed: %s: %s" % (METHOD, host, type(exception).__name__, detail)
    return Outcome(None, EnsApiError(code, message, action=action), is_retryable(exception=exception), None)


def secret_forms(secrets):
    """Every form a secret may take in a text: raw, percent-encoded once and twice; longest first."""
    forms = set()
    for secret in secrets:
        if secret:
            encoded = percent_encode(secret)
            forms.update([secret, encoded, percent_encode(encoded)])
    return sorted(forms, key=len, reverse=True)


def scrub(text, secrets=(), redact_queries=False):
    """``text`` with every form of every secret, and with ``redact_queries`` every URL query, replaced."""
    if redact_queries:
        text = _QUERY_IN_TEXT.sub("?" + REDACTED, text)
    for form in secret_forms(secrets):
        text = text.replace(form, REDACTED)
    return text


def scrubbed_error(error, secrets):
    """A copy of an ``EnsApiError`` whose message and recommendation hold none of ``secrets``."""
    return EnsApiError(error.code, scrub(error.message or "", secrets), request_id=error.request_id,
                       recommend=scrub(error.recommend, secrets) if error.recommend else error.recommend,
                       http_status=error.http_status, host_id=error.host_id, action=error.action)


def retry_delay(outcome, attempt, max_retries, rng=random.random):
    """Seconds to wait before retrying a failed attempt (``attempt`` counts from 0), or ``None`` to give up."""
    if not outcome.retryable or attempt >= max_retries:
        return None
    return backoff_delay(attempt, throttled=is_throttling(outcome.error.code),
                         retry_after=outcome.retry_after, rng=rng)


def deadline_error(error, deadline, attempts, action=None):
    """``DeadlineExceeded`` after ``attempts`` attempts, naming the last failure (``error`` may be ``None``)."""
    message = "the deadline of %g seconds (option deadline) passed after %d attempt%s" % (
        deadline, attempts, "" if attempts == 1 else "s")
    if error is not None:
        message += "; last error: %s: %s" % (error.code, error.message)
    return EnsApiError("DeadlineExceeded", message, request_id=getattr(error, "request_id", None), action=action)


def validate_signature_version(signature_version):
    if signature_version not in SIGNATURE_VERSIONS:
        raise EnsOptionError("signature_version", "%r is not one of: %s" % (signature_version, ", ".join(SIGNATURE_VERSIONS)))
    return signature_version


def verify_setting(validate_certs, ca_path):
    """``requests``' ``verify``: the CA bundle when given, else whether to validate at all."""
    if not validate_certs:
        return False
    return ca_path or True


# ---------------------------------------------------------------------------
# I/O

class RequestsSender:
    """Sends signed requests through one ``requests.Session`` whose connection pool holds ``pool_size`` connections.

    The session (and ``requests`` itself) is created on the first request.
    """

    def __init__(self, pool_size=10, verify=True, user_agent=DEFAULT_USER_AGENT):
        self._pool_size = max(int(pool_size), 1)
        self._verify = verify
        self._user_agent = user_agent
        self._session = None
        self._settings = {}
        self._lock = threading.Lock()

    def session(self):
        """The one session, created on first use."""
        with self._lock:
            if self._session is None:
                self._session = self._new_session()
            return self._session

    def _new_session(self):
        try:
            requests = requests_module()
        except ImportError as exc:
            raise EnsError("the Python library requests cannot be imported: %s" % exc)
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=self._pool_size, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers["User-Agent"] = self._user_agent
        session.headers["Accept"] = "application/json"
        return session

    def prepare(self, url, headers):
        """The prepared request, its URL exactly ``url``: ``requests`` must not re-encode what was signed."""
        session = self.session()
        prepared = session.prepare_request(requests_module().Request(METHOD, url, headers=headers, data=b""))
        prepared.url = url
        return prepared

    def environment_settings(self, url):
        """Proxies and TLS settings from the environment, as ``Session.request`` merges them; once per endpoint."""
        parts = urlsplit(url)
        base = "%s://%s/" % (parts.scheme, parts.netloc)
        session = self.session()
        with self._lock:
            if base not in self._settings:
                self._settings[base] = session.merge_environment_settings(base, {}, None, self._verify, None)
            return self._settings[base]

    def post(self, url, headers, timeout):
        prepared = self.prepare(url, headers)
        settings = self.environment_settings(url)
        response = self.session().send(prepared, timeout=timeout, allow_redirects=False, **settings)
        return RawResponse(response.status_code, response.content, response.headers)

    def close(self):
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            session.close()


class SignedTransport:
    """Signs, sends and retries RPC calls to one endpoint; thread-safe.

    ``deadline`` (seconds from the transport's creation) bounds every call,
    retries included. ``sleep``, ``clock`` and ``rng`` are injectable for
    tests, and so is ``sender`` (an object with ``post(url, headers, timeout)``
    -> ``RawResponse`` and ``close()``).
    """

    def __init__(self, endpoint_url, credentials_provider, signature_version="v3", validate_certs=True,
                 ca_path=None, timeout=10, max_retries=8, deadline=None, pool_size=10,
                 user_agent=DEFAULT_USER_AGENT, sleep=time.sleep, clock=time.monotonic, rng=random.random,
                 sender=None):
        self.endpoint_url = endpoint_url
        self.host = host_of(endpoint_url)
        self.signature_version = validate_signature_version(signature_version)
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self.deadline = float(deadline) if deadline else None
        self._credentials_provider = credentials_provider
        self._sleep = sleep
        self._clock = clock
        self._rng = rng
        self._deadline_at = clock() + self.deadline if self.deadline else None
        self._sender = sender or RequestsSender(pool_size, verify_setting(validate_certs, ca_path), user_agent)
        self._lock = threading.Lock()
        self._api_calls = 0
        self._retries = 0

    @property
    def api_calls(self):
        """HTTP requests sent so far."""
        with self._lock:
            return self._api_calls

    @property
    def retries(self):
        """Attempts that were retries of a failed one."""
        with self._lock:
            return self._retries

    def _count(self, api_calls=0, retries=0):
        with self._lock:
            self._api_calls += api_calls
            self._retries += retries

    def call(self, action, version, params=None, on_retry=None):
        """The parsed JSON body of a successful ``action``, or ``EnsApiError``.

        ``on_retry(error, attempt, delay)`` is called before each back-off, so
        callers (the paginator) can react to throttling.
        """
        attempt = 0
        last_error = None
        while True:
            timeout = self._attempt_timeout(last_error, attempt, action)
            outcome = self._attempt(action, version, params or {}, timeout)
            if outcome.error is None:
                return outcome.body
            if outcome.error.code == "Timeout" and timeout < self.timeout:
                raise deadline_error(outcome.error, self.deadline, attempt + 1, action)
            delay = retry_delay(outcome, attempt, self.max_retries, self._rng)
            if delay is None:
                raise outcome.error
            if self._remaining() is not None and delay >= self._remaining():
                raise deadline_error(outcome.error, self.deadline, attempt + 1, action)
            if on_retry is not None:
                on_retry(outcome.error, attempt, delay)
            self._count(retries=1)
            self._sleep(delay)
            last_error = outcome.error
            attempt += 1

    def _remaining(self):
        """Seconds left before the deadline, or ``None`` without one."""
        if self._deadline_at is None:
            return None
        return self._deadline_at - self._clock()

    def _attempt_timeout(self, last_error, attempts, action):
        """This attempt's timeout: the per-request one, cut so it never runs past the deadline."""
        remaining = self._remaining()
        if remaining is None:
            return self.timeout
        if remaining <= 0:
            raise deadline_error(last_error, self.deadline, attempts, action)
        return min(self.timeout, remaining)

    def _attempt(self, action, version, params, timeout):
        """One signed request, freshly signed (new nonce and time); never raises for a failed request."""
        credentials = self._credentials_provider.get()
        secrets = (credentials.access_key_secret, credentials.security_token)
        signed = sign_request(self.endpoint_url, action, version, params, credentials, self.signature_version)
        self._count(api_calls=1)
        try:
            response = self._sender.post(signed.url, signed.headers, timeout)
        except request_failures() as exc:
            outcome = outcome_of_exception(exc, self.host, action, secrets)
        else:
            outcome = outcome_of_response(response, action)
        if outcome.error is None:
            return outcome
        return outcome._replace(error=scrubbed_error(outcome.error, secrets))

    def close(self):
        self._sender.close()
