# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The signed transport: sign, send, retry and map errors for Alibaba Cloud RPC calls.

Every request is ``POST <endpoint>/?<query>`` with an empty body, as the
official SDKs send it. The query string is built here, byte for byte as it was
signed, and sent as it is by ``HttpSender``, a small keep-alive connection pool
on the standard library's ``http.client`` (no third-party package is needed).
The decisions (what to sign, how a response maps to an error, how long to
wait) are pure functions; the ``SignedTransport`` class only strings them
together around one sender.

Nothing in this module ever puts a secret, a token or a signed URL into a
message: a V1 URL holds the signature and the security token, so the text of
every exception is scrubbed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import random
import re
import select
import threading
import time
from collections import namedtuple
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsApiError, EnsError, EnsOptionError
from ansible_collections.alicloud.ens.plugins.module_utils.retry_policy import (
    backoff_delay,
    is_exception_named,
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


@lru_cache(maxsize=None)
def http_client_module():
    """``http.client``, imported on first use: a lookup answered from the run's cache never sends a request."""
    import http.client  # pylint: disable=import-outside-toplevel
    return http.client


@lru_cache(maxsize=None)
def ssl_module():
    """``ssl``, imported on first use (an HTTPS endpoint, or the first failed request)."""
    import ssl  # pylint: disable=import-outside-toplevel
    return ssl


def request_failures():
    """What a failed request raises: socket and TLS errors (all ``OSError``) and ``http.client``'s own."""
    return (OSError, http_client_module().HTTPException)


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


def close_provider(provider):
    """Call ``provider.close()`` when a credentials provider (or a fetcher) has one."""
    close = getattr(provider, "close", None)
    if close is not None:
        close()


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
    """A header's value, whatever the case of its name."""
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


TIMEOUT_EXCEPTION_NAMES = ("Timeout", "ReadTimeout", "ConnectTimeout", "timeout", "TimeoutError")
CERTIFICATE_EXCEPTION_NAMES = ("SSLCertVerificationError", "CertificateError")


def is_timeout_exception(exception):
    return is_exception_named(exception, TIMEOUT_EXCEPTION_NAMES)


def is_certificate_exception(exception):
    return is_exception_named(exception, CERTIFICATE_EXCEPTION_NAMES)


def outcome_of_exception(exception, host, action=None, secrets=()):
    """The ``Outcome`` of a request that raised instead of answering (reset, timeout, TLS failure, ...)."""
    code = "Timeout" if is_timeout_exception(exception) else "ConnectionError"
    detail = scrub(str(exception), secrets, redact_queries=True)
    message = "%s %s failed: %s: %s" % (METHOD, host, type(exception).__name__, detail)
    if is_certificate_exception(exception):
        message += " (the server's certificate is not trusted: set ca_path to the CA bundle that signed it)"
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
    """What to verify the server's certificate with: the CA bundle (file or directory) when given, else ``True``;
    ``False`` for no verification at all."""
    if not validate_certs:
        return False
    return ca_path or True


def ssl_context(verify):
    """One TLS client context for ``verify`` (``verify_setting``): the system trust store, a CA bundle, or no checks.

    A CA bundle that cannot be read is an ``EnsError`` naming it, not a failed request.
    """
    ssl = ssl_module()
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if verify is True:
        return ssl.create_default_context()
    try:
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        raise EnsError("the CA bundle %s (option ca_path) cannot be loaded: %s: %s" % (verify, type(exc).__name__, exc))


# A route: where a connection goes (scheme, host, port) and through which proxy; one pool of idle connections each.
Route = namedtuple("Route", "scheme host port proxy_host proxy_port proxy_headers")
DEFAULT_PORTS = {"http": 80, "https": 443}


def environment_proxy(scheme, host):
    """The proxy URL for ``scheme://host`` from the ``*_proxy`` environment variables (``NO_PROXY`` honoured), or ``None``.

    The same variables, and the same rules, as ``requests`` and ``urllib`` use; ``urllib.request`` is
    imported only when such a variable is set.
    """
    if not any(name.lower().endswith("_proxy") for name in os.environ):
        return None
    import urllib.request  # pylint: disable=import-outside-toplevel
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(scheme)
    if not proxy or urllib.request.proxy_bypass_environment(host, proxies):
        return None
    return proxy


def proxy_authorization(username, password):
    """The ``Proxy-Authorization`` header for the user information of a proxy URL (percent-decoded)."""
    pair = "%s:%s" % (unquote(username or ""), unquote(password or ""))
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def route_of(url):
    """The ``Route`` of a request to ``url``: its scheme, host and port, and the environment's proxy for it."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise EnsError("the endpoint %s://%s is neither http nor https" % (scheme, parts.netloc))
    host = parts.hostname
    port = parts.port or DEFAULT_PORTS[scheme]
    proxy = environment_proxy(scheme, parts.netloc)
    if not proxy:
        return Route(scheme, host, port, None, None, ())
    if "://" not in proxy:
        proxy = "http://" + proxy
    proxy_parts = urlsplit(proxy)
    if proxy_parts.scheme.lower() != "http" or not proxy_parts.hostname:
        raise EnsError("the proxy %s://%s (from the %s_proxy environment variable) is not supported: "
                       "only http:// proxies are" % (proxy_parts.scheme, proxy_parts.hostname or "", scheme))
    headers = ()
    if proxy_parts.username is not None:
        headers = (("Proxy-Authorization", proxy_authorization(proxy_parts.username, proxy_parts.password)),)
    return Route(scheme, host, port, proxy_parts.hostname, proxy_parts.port or 80, headers)


def request_target(url, parts=None):
    """What follows ``scheme://host[:port]`` in ``url`` (``/`` when nothing does): the request line's target, unchanged."""
    parts = parts or urlsplit(url)
    return url[len(parts.scheme) + 3 + len(parts.netloc):] or "/"


def is_connection_dropped(connection):
    """Whether an idle keep-alive connection was closed by the server (or has unexpected bytes to read).

    An idle connection has nothing to read: a socket that is readable right now has seen the server's
    FIN (or a reset), as urllib3's ``is_connection_dropped`` checks.
    """
    sock = connection.sock
    if sock is None:
        return True
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


# ---------------------------------------------------------------------------
# I/O


def send_request(connection, method, target, host, headers):
    """``(response, body)`` of a request with an empty body on ``connection``.

    ``target`` goes on the request line as it is and ``host`` is the ``Host`` header exactly
    (both are signed); ``headers`` are ``(name, value)`` pairs sent after them.
    """
    connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
    connection.putheader("Host", host)
    connection.putheader("Content-Length", "0")
    for name, value in headers:
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    return response, response.read()


class HttpSender:
    """Sends signed requests over ``http.client`` with a keep-alive connection pool per scheme, host and port; thread-safe.

    Up to ``pool_size`` idle connections are kept per route; a thread that finds none idle opens
    another one (the paginator bounds how many threads send at once), and a connection handed back
    to a full pool is closed. A connection goes back only after its response was read to the end and
    did not say ``Connection: close``; one the server closed while it was idle is dropped, not used.
    ``verify`` is ``verify_setting()``'s answer. Proxies come from the ``*_proxy`` environment
    variables, read once per endpoint; HTTPS goes through a proxy with ``CONNECT``.
    """

    def __init__(self, pool_size=10, verify=True, user_agent=DEFAULT_USER_AGENT):
        self._pool_size = max(int(pool_size), 1)
        self._verify = verify
        self._user_agent = user_agent
        self._context = None
        self._routes = {}
        self._idle = {}
        self._lock = threading.Lock()

    @property
    def pool_size(self):
        """Idle connections kept per route."""
        return self._pool_size

    def route(self, url):
        """The ``Route`` of ``url``, worked out (proxy settings included) once per scheme and host."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        route = self._routes.get(key)
        if route is None:
            route = route_of(url)
            with self._lock:
                route = self._routes.setdefault(key, route)
        return route

    def context(self):
        """The one TLS context of this sender, created on the first HTTPS request."""
        with self._lock:
            if self._context is None:
                self._context = ssl_context(self._verify)
            return self._context

    def _connect(self, route, timeout):
        http_client = http_client_module()
        host, port = (route.proxy_host, route.proxy_port) if route.proxy_host else (route.host, route.port)
        if route.scheme == "https":
            connection = http_client.HTTPSConnection(host, port, timeout=timeout, context=self.context())
            if route.proxy_host:
                connection.set_tunnel(route.host, route.port, headers=dict(route.proxy_headers))
        else:
            connection = http_client.HTTPConnection(host, port, timeout=timeout)
        return connection

    def _checkout(self, route, timeout):
        """An idle connection of ``route`` that the server has not closed, else a new one."""
        while True:
            with self._lock:
                idle = self._idle.get(route)
                connection = idle.pop() if idle else None
            if connection is None:
                return self._connect(route, timeout)
            if not is_connection_dropped(connection):
                connection.timeout = timeout
                connection.sock.settimeout(timeout)
                return connection
            connection.close()

    def _checkin(self, route, connection):
        with self._lock:
            idle = self._idle.setdefault(route, [])
            if len(idle) < self._pool_size:
                idle.append(connection)
                return
        connection.close()

    def post(self, url, headers, timeout):
        """``POST url`` with an empty body: the target is ``url``'s ``/?<query>`` as it is, never re-encoded."""
        route = self.route(url)
        parts = urlsplit(url)
        target = request_target(url, parts)
        if route.proxy_host and route.scheme == "http":
            target = "%s://%s%s" % (parts.scheme, parts.netloc, target)  # plain HTTP through a proxy: absolute form
        sent_headers = [("User-Agent", self._user_agent), ("Accept", "application/json")]
        sent_headers.extend((name, value) for name, value in headers.items() if name.lower() != "host")
        if route.proxy_host and route.scheme == "http":
            sent_headers.extend(route.proxy_headers)
        connection = self._checkout(route, timeout)
        try:
            response, content = send_request(connection, METHOD, target, parts.netloc, sent_headers)
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        else:
            self._checkin(route, connection)
        return RawResponse(response.status, content, dict(response.getheaders()))

    def idle_connections(self):
        """How many idle connections the pool holds now, all routes together."""
        with self._lock:
            return sum(len(idle) for idle in self._idle.values())

    def close(self):
        """Close every idle connection; the sender stays usable (a later request opens a new one)."""
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()


def simple_request(method, url, headers, timeout, verify=True):
    """``(status, content)`` of one request on a new, unpooled connection that never goes through a proxy.

    ``timeout`` is seconds or ``(connect, read)`` seconds. For the ECS metadata service, which must be
    reached directly; raises what ``request_failures()`` lists.
    """
    connect_timeout, read_timeout = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    parts = urlsplit(url)
    http_client = http_client_module()
    if parts.scheme.lower() == "https":
        connection = http_client.HTTPSConnection(parts.hostname, parts.port, timeout=connect_timeout, context=ssl_context(verify))
    elif parts.scheme.lower() == "http":
        connection = http_client.HTTPConnection(parts.hostname, parts.port, timeout=connect_timeout)
    else:
        raise EnsError("the URL %s://%s is neither http nor https" % (parts.scheme, parts.netloc))
    try:
        connection.connect()
        connection.sock.settimeout(read_timeout)
        response, content = send_request(connection, method, request_target(url, parts), parts.netloc, headers.items())
        return response.status, content
    finally:
        connection.close()


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
        self._sender = sender or HttpSender(pool_size, verify_setting(validate_certs, ca_path), user_agent)
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
        """Close the pooled connections, and those of the credentials provider (an STS transport) when it has any."""
        self._sender.close()
        close_provider(self._credentials_provider)
