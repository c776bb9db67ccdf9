"""HttpSender (http.client) against real loopback servers: the pool, stale connections, the exact request, TLS, timeouts, proxies.

The servers count the connections they accept, so reuse and the pool bound are seen from the server's side.
"""

import base64
import json
import select
import socket
import socketserver
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsApiError, EnsError
from ansible_collections.alicloud.ens.plugins.module_utils.transport import (
    Credentials,
    HttpSender,
    SignedTransport,
    StaticCredentials,
    is_connection_dropped,
    sign_request,
)

CREDS = Credentials("LTAIkey", "s3cr3t/Key+==", "CAIS+tok/en==")
VERSION = "2017-11-10"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (http.server's naming)
        server = self.server
        with server.lock:
            server.requests.append((self.requestline, dict((name.lower(), value) for name, value in self.headers.items())))
            number = len(server.requests)
        if server.delay:
            time.sleep(server.delay)
        body = json.dumps({"RequestId": "R-%d" % number}).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-acs-request-id", "R-%d" % number)
        if server.say_close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if server.drop_after_answer:
            self.close_connection = True  # closed, although the answer said keep-alive

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


class CountingServer(ThreadingHTTPServer):
    """An HTTP/1.1 keep-alive server on loopback (HTTPS with ``tls_context``) that counts accepted connections."""

    daemon_threads = True

    def __init__(self, tls_context=None):
        super().__init__(("127.0.0.1", 0), Handler)
        self.tls_context = tls_context
        self.lock = threading.Lock()
        self.connections = 0
        self.requests = []
        self.delay = 0
        self.say_close = False
        self.drop_after_answer = False
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls_context else "http", self.server_address[1])

    def get_request(self):
        sock, address = super().get_request()
        with self.lock:
            self.connections += 1
        if self.tls_context is not None:
            sock = self.tls_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request, client_address):
        pass  # a client that rejects the certificate, or gives up, is expected here

    def stop(self):
        self.shutdown()
        self.server_close()


class ConnectProxy(socketserver.ThreadingTCPServer):
    """A tiny HTTP proxy for CONNECT only: records each CONNECT's target and headers, then relays bytes both ways."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ConnectHandler)
        self.connects = []
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def stop(self):
        self.shutdown()
        self.server_close()


class ConnectHandler(socketserver.StreamRequestHandler):
    def handle(self):
        request_line = self.rfile.readline().decode("latin-1").strip()
        headers = {}
        while True:
            line = self.rfile.readline().decode("latin-1").strip()
            if not line:
                break
            name, _sep, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        method, target, _version = request_line.split(" ", 2)
        self.server.connects.append((method, target, headers))
        if method != "CONNECT":
            self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)), timeout=5)
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        relay(self.connection, upstream)


def relay(client, upstream):
    try:
        while True:
            readable, _writable, _broken = select.select([client, upstream], [], [], 5)
            if not readable:
                return
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                (upstream if sock is client else client).sendall(data)
    except OSError:
        return
    finally:
        upstream.close()


def server_tls_context(certificates):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates.cert_path, certificates.key_path)
    return context


@pytest.fixture(autouse=True)
def no_proxy_variables(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server():
    started = CountingServer()
    yield started
    started.stop()


@pytest.fixture
def tls_server(tls_certificates):
    started = CountingServer(server_tls_context(tls_certificates))
    yield started
    started.stop()


@pytest.fixture
def proxy():
    started = ConnectProxy()
    yield started
    started.stop()


@pytest.fixture
def sender():
    made = []

    def make(**options):
        made.append(HttpSender(**options))
        return made[-1]
    yield make
    for one in made:
        one.close()


def signed(url, params=None, signature_version="v3"):
    return sign_request(url, "DescribeImageInfos", VERSION, params or {}, CREDS, signature_version)


def post(sender_, url, timeout=5, params=None):
    request = signed(url, params)
    return sender_.post(request.url, request.headers, timeout)


# --- the pool ---------------------------------------------------------------------------------


def test_sequential_requests_share_one_keep_alive_connection(server, sender):
    one = sender(pool_size=4)
    answers = [post(one, server.url) for _request in range(5)]

    assert [json.loads(answer.content.decode())["RequestId"] for answer in answers] == ["R-%d" % n for n in range(1, 6)]
    assert answers[0].status == 200 and answers[0].headers["x-acs-request-id"] == "R-1"
    assert server.connections == 1
    assert one.idle_connections() == 1


def test_concurrent_requests_open_more_connections_and_the_pool_keeps_pool_size_of_them(server, sender):
    one = sender(pool_size=2)
    server.delay = 0.3
    barrier = threading.Barrier(6)
    answers = []

    def work():
        barrier.wait()
        answers.append(post(one, server.url).status)

    threads = [threading.Thread(target=work) for _thread in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [200] * 6
    assert server.connections == 6  # nobody waited for a connection
    assert one.idle_connections() == 2  # the other four were closed on release
    server.delay = 0
    for _request in range(3):
        post(one, server.url)
    assert server.connections == 6


def test_an_idle_connection_the_server_closed_is_dropped_not_used(server, sender):
    one = sender(pool_size=2)
    server.drop_after_answer = True
    post(one, server.url)
    deadline = time.monotonic() + 5
    while not any(is_connection_dropped(connection) for connections in one._idle.values() for connection in connections):
        assert time.monotonic() < deadline, "the server never closed the idle connection"
        time.sleep(0.01)

    assert post(one, server.url).status == 200  # no RemoteDisconnected, no BrokenPipe
    assert server.connections == 2


def test_an_answer_saying_connection_close_is_not_pooled(server, sender):
    one = sender(pool_size=2)
    server.say_close = True
    post(one, server.url)
    assert one.idle_connections() == 0
    post(one, server.url)
    assert server.connections == 2


def test_close_closes_idle_connections_and_the_sender_stays_usable(server, sender):
    one = sender(pool_size=2)
    post(one, server.url)
    one.close()
    assert one.idle_connections() == 0
    assert post(one, server.url).status == 200
    assert server.connections == 2


# --- what goes on the wire -----------------------------------------------------------------


def test_headers_are_exactly_host_user_agent_accept_length_and_the_signed_ones(server, sender):
    one = sender(user_agent="tester/1")
    request = signed(server.url)
    one.post(request.url, request.headers, 5)

    request_line, headers = server.requests[0]
    assert request.url == server.url + "/"  # V3 with no parameters: no query at all
    assert request_line == "POST / HTTP/1.1"
    assert headers["host"] == "127.0.0.1:%d" % server.server_address[1] == request.headers["host"]
    assert (headers["user-agent"], headers["accept"], headers["content-length"]) == ("tester/1", "application/json", "0")
    assert "accept-encoding" not in headers
    for name, value in request.headers.items():
        assert headers[name.lower()] == value


@pytest.fixture(scope="module")
def shared_server():
    started = CountingServer()
    yield started
    started.stop()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=12), max_size=4))
def test_the_request_target_is_the_signed_query_byte_for_byte(shared_server, params):
    one = HttpSender(pool_size=1)
    try:
        request = sign_request(shared_server.url, "DescribeExportImageInfo", VERSION, params, CREDS, "v1")
        one.post(request.url, request.headers, 5)
    finally:
        one.close()
    assert shared_server.requests[-1][0] == "POST /?%s HTTP/1.1" % urlsplit(request.url).query


# --- TLS ------------------------------------------------------------------------------------


def test_tls_verified_with_ca_path(tls_server, tls_certificates, sender):
    assert post(sender(verify=tls_certificates.ca_path), tls_server.url).status == 200


def test_tls_without_verification(tls_server, sender):
    assert post(sender(verify=False), tls_server.url).status == 200


def test_tls_with_the_system_trust_store_rejects_a_private_ca(tls_server, sender):
    with pytest.raises(ssl.SSLCertVerificationError):
        post(sender(verify=True), tls_server.url)


def test_a_wrong_ca_is_a_final_error_with_a_clear_message(tls_server, tmp_path):
    import trustme

    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    transport = SignedTransport(tls_server.url, StaticCredentials(CREDS), ca_path=str(other_ca), max_retries=5,
                                sleep=lambda seconds: pytest.fail("a certificate failure must not be retried"))
    try:
        with pytest.raises(EnsApiError) as caught:
            transport.call("DescribeImageInfos", VERSION, {})
    finally:
        transport.close()
    assert caught.value.code == "ConnectionError"
    assert "CERTIFICATE_VERIFY_FAILED" in caught.value.message and "set ca_path" in caught.value.message
    assert (transport.api_calls, transport.retries) == (1, 0)
    assert tls_server.requests == []


def test_an_unreadable_ca_path_names_the_option(tls_server, tmp_path, sender):
    with pytest.raises(EnsError) as caught:
        post(sender(verify=str(tmp_path / "missing.pem")), tls_server.url)
    assert "option ca_path" in str(caught.value)


# --- timeouts --------------------------------------------------------------------------------


def test_a_slow_answer_times_out_and_its_connection_is_not_pooled(server, sender):
    one = sender()
    server.delay = 1.0
    started = time.monotonic()
    with pytest.raises(TimeoutError):  # socket.timeout before Python 3.10, an alias of it since
        post(one, server.url, timeout=0.2)
    assert time.monotonic() - started < 0.9
    assert one.idle_connections() == 0


def test_the_timeout_of_a_reused_connection_is_this_attempts(server, sender):
    one = sender()
    post(one, server.url, timeout=5)
    server.delay = 1.0
    with pytest.raises(TimeoutError):
        post(one, server.url, timeout=0.2)
    assert server.connections == 1


# --- proxies ---------------------------------------------------------------------------------


def test_https_goes_through_an_environment_proxy_with_connect(tls_server, tls_certificates, proxy, sender, monkeypatch):
    user_proxy = proxy.url.replace("http://", "http://user:p%40ss@")
    monkeypatch.setenv("HTTPS_PROXY", user_proxy)
    one = sender(verify=tls_certificates.ca_path)

    assert [post(one, tls_server.url).status for _request in range(3)] == [200] * 3

    target = "127.0.0.1:%d" % tls_server.server_address[1]
    assert [(method, where) for method, where, _headers in proxy.connects] == [("CONNECT", target)]  # one tunnel, kept alive
    assert proxy.connects[0][2]["proxy-authorization"] == "Basic " + base64.b64encode(b"user:p@ss").decode()
    assert [headers["host"] for _line, headers in tls_server.requests] == [target] * 3


def test_the_proxy_settings_are_read_once_per_endpoint(tls_server, tls_certificates, proxy, sender, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    one = sender(verify=tls_certificates.ca_path)
    post(one, tls_server.url)
    one.close()
    monkeypatch.delenv("HTTPS_PROXY")
    post(one, tls_server.url)
    assert len(proxy.connects) == 2


def test_no_proxy_bypasses_the_proxy(tls_server, tls_certificates, proxy, sender, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    assert post(sender(verify=tls_certificates.ca_path), tls_server.url).status == 200
    assert proxy.connects == []


def test_plain_http_goes_to_the_proxy_with_the_absolute_url(server, sender, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", server.url)  # the "proxy" answers itself: it records what it was asked
    request = signed("http://ens.example.invalid:8080")
    sender().post(request.url, request.headers, 5)

    request_line, headers = server.requests[0]
    assert request_line == "POST %s HTTP/1.1" % request.url
    assert headers["host"] == "ens.example.invalid:8080"


def test_an_https_proxy_url_is_refused_clearly(sender, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "https://127.0.0.1:3128")
    with pytest.raises(EnsError) as caught:
        post(sender(), "https://ens.example.invalid")
    assert "only http:// proxies are" in str(caught.value)
