"""Unit tests of the signed transport: request building, error mapping, scrubbing, the retry loop.

No network: the retry loop runs against a fake sender with an injected clock,
sleep and random source.
"""

import http.client
import json
import socket
import ssl
import threading
from urllib.parse import parse_qsl, urlsplit

import pytest

from ansible_collections.alicloud.ens.plugins.module_utils import signing
from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsApiError, EnsOptionError
from ansible_collections.alicloud.ens.plugins.module_utils.transport import (
    BODY_PREVIEW_BYTES,
    Credentials,
    Outcome,
    RawResponse,
    SignedTransport,
    StaticCredentials,
    error_from_response,
    host_of,
    outcome_of_exception,
    outcome_of_response,
    request_url,
    retry_delay,
    scrub,
    sign_request,
    verify_setting,
)

SECRET = "s3cr3t/Key+=="
TOKEN = "CAIS+tok/en=="
CREDS = Credentials("LTAIkey", SECRET, TOKEN)
ENDPOINT = "https://127.0.0.1:8443"
VERSION = "2017-11-10"


def json_bytes(text):
    return text.encode("utf-8")


# --- Credentials ---------------------------------------------------------------


def test_credentials_repr_and_str_hide_secret_and_token():
    for text in (repr(CREDS), str(CREDS), "%s" % (CREDS,), "{0}".format(CREDS), repr([CREDS]), repr(StaticCredentials(CREDS))):
        assert SECRET not in text and TOKEN not in text
        assert "LTAIkey" in text


def test_credentials_default_token_is_none_and_fields_are_kept():
    creds = Credentials("id", "secret")
    assert creds.security_token is None
    assert (creds.access_key_id, creds.access_key_secret) == ("id", "secret")
    assert "security_token=None" in repr(creds)
    assert StaticCredentials(creds).get() is creds


# --- building requests -----------------------------------------------------------


def test_host_of_keeps_a_non_default_port():
    assert host_of("https://127.0.0.1:8443") == "127.0.0.1:8443"
    assert host_of("https://ens.aliyuncs.com") == "ens.aliyuncs.com"


def test_request_url_without_parameters_has_no_query():
    assert request_url(ENDPOINT, {}) == ENDPOINT + "/"


def test_v1_request_carries_every_parameter_and_a_signature_that_verifies():
    params = {"ImageName": "a b*~+/é", "PageNumber": 2, "ImageId": None}
    signed = sign_request(ENDPOINT, "DescribeExportImageInfo", VERSION, params, CREDS, "v1",
                          nonce="n-1", timestamp="2024-02-20T10:00:00Z")
    parts = urlsplit(signed.url)
    assert "%s://%s" % (parts.scheme, parts.netloc) == ENDPOINT and parts.path == "/"
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    assert query["Format"] == "JSON" and query["Action"] == "DescribeExportImageInfo"
    assert query["SecurityToken"] == TOKEN and query["SignatureNonce"] == "n-1"
    assert query["ImageName"] == "a b*~+/é" and query["PageNumber"] == "2" and "ImageId" not in query
    unsigned = dict((k, v) for k, v in query.items() if k != "Signature")
    assert query["Signature"] == signing.v1_signature("POST", unsigned, SECRET)
    # The bytes on the wire are the canonical query: what was signed, in the same encoding.
    assert parts.query == signing.canonical_query(query)
    assert signed.headers == {}


def test_v3_request_signs_the_host_with_its_port_and_keeps_parameters_in_the_query():
    params = {"OsType": "linux", "Unused": None}
    signed = sign_request(ENDPOINT, "DescribeImageInfos", VERSION, params, CREDS, "v3",
                          nonce="n-2", timestamp="2024-02-20T10:00:00Z")
    assert urlsplit(signed.url).query == "OsType=linux"
    headers = signed.headers
    assert headers["host"] == "127.0.0.1:8443"
    assert headers["x-acs-action"] == "DescribeImageInfos" and headers["x-acs-version"] == VERSION
    assert headers["x-acs-security-token"] == TOKEN and headers["x-acs-signature-nonce"] == "n-2"
    signed_part = dict((k, v) for k, v in headers.items() if k != "Authorization")
    canonical = signing.v3_canonical_request("POST", "/", {"OsType": "linux"}, signed_part)
    assert headers["Authorization"].endswith("Signature=" + signing.v3_signature(canonical, SECRET))


def test_each_signing_gets_a_fresh_nonce_and_signature():
    first = sign_request(ENDPOINT, "DescribeImageInfos", VERSION, {}, CREDS, "v3")
    second = sign_request(ENDPOINT, "DescribeImageInfos", VERSION, {}, CREDS, "v3")
    assert first.headers["x-acs-signature-nonce"] != second.headers["x-acs-signature-nonce"]
    assert first.headers["Authorization"] != second.headers["Authorization"]


def test_verify_setting():
    assert verify_setting(True, None) is True
    assert verify_setting(True, "/ca.pem") == "/ca.pem"
    assert verify_setting(False, "/ca.pem") is False


# --- mapping responses -----------------------------------------------------------

ERROR_BODY = ('{"RequestId": "RID-1", "HostId": "ens.aliyuncs.com", "Code": "%s", "Message": "msg %s", '
              '"Recommend": "https://api.aliyun.com/troubleshoot?q=%s"}')


@pytest.mark.parametrize("status, code, retryable", [
    (400, "Throttling.User", True),
    (400, "InvalidParameter.PageSize", False),
    (404, "InvalidAccessKeyId.NotFound", False),
    (400, "SignatureDoesNotMatch", False),
    (400, "SignatureNonceUsed", True),
    (403, "Forbidden.RAM", False),
    (500, "InternalError", True),
    (503, "ServiceUnavailable", True),
])
def test_api_errors_carry_code_message_request_id_recommend_and_status(status, code, retryable):
    response = RawResponse(status, json_bytes(ERROR_BODY % (code, code, code)), {})
    outcome = outcome_of_response(response, "DescribeImageInfos")
    error = outcome.error
    assert (error.code, error.message, error.request_id, error.http_status) == (code, "msg " + code, "RID-1", status)
    assert error.recommend.endswith(code) and error.host_id == "ens.aliyuncs.com"
    assert error.action == "DescribeImageInfos"
    assert outcome.retryable is retryable and outcome.body is None
    assert error.to_dict() == {"code": code, "message": "msg " + code, "request_id": "RID-1",
                               "recommend": error.recommend, "http_status": status}


def test_success_body_is_parsed():
    outcome = outcome_of_response(RawResponse(200, b'{"Code": 0, "RequestId": "R", "Images": {}}', {}))
    assert outcome.error is None and outcome.body == {"Code": 0, "RequestId": "R", "Images": {}}


@pytest.mark.parametrize("code", [None, 0, "0", "Success", "200", ""])
def test_success_codes_are_not_errors(code):
    body = b'{"RequestId": "R"}' if code is None else ('{"RequestId": "R", "Code": %s}' % (
        code if isinstance(code, int) else '"%s"' % code)).encode()
    assert error_from_response(200, body, {}) is None


def test_success_status_with_a_non_zero_integer_code_is_an_error():
    error = error_from_response(200, b'{"RequestId": "R", "Code": 1234, "Message": "odd"}', {}, "DescribeImageInfos")
    assert (error.code, error.message, error.http_status, error.request_id) == ("1234", "odd", 200, "R")


def test_html_502_page_is_invalid_response_with_status_and_first_bytes():
    page = b"<html><head><title>502 Bad Gateway</title></head><body>" + b"x" * 500 + b"</body></html>"
    outcome = outcome_of_response(RawResponse(502, page, {"x-acs-request-id": "RID-H"}), "DescribeExportImageInfo")
    error = outcome.error
    assert error.code == "InvalidResponse" and error.http_status == 502 and error.request_id == "RID-H"
    assert "502" in error.message and "502 Bad Gateway" in error.message
    assert page[:BODY_PREVIEW_BYTES].decode() in error.message
    assert page[:BODY_PREVIEW_BYTES + 1].decode() not in error.message
    assert outcome.retryable is True


def test_non_json_body_on_200_is_invalid_response_and_not_retried():
    outcome = outcome_of_response(RawResponse(200, b"\xff\xfe not json", {}))
    assert outcome.error.code == "InvalidResponse" and outcome.retryable is False


def test_json_that_is_not_an_object_is_invalid_response():
    assert error_from_response(200, b"[1, 2]", {}).code == "InvalidResponse"


def test_error_status_without_code_is_invalid_response_and_retryable_when_the_status_is():
    outcome = outcome_of_response(RawResponse(504, b'{"RequestId": "R"}', {}))
    assert outcome.error.code == "InvalidResponse" and outcome.error.request_id == "R" and outcome.retryable


def test_retry_after_header_is_read_whatever_its_case_and_only_when_positive():
    body = json_bytes(ERROR_BODY % ("Throttling", "Throttling", "Throttling"))
    assert outcome_of_response(RawResponse(400, body, {"X-Acs-Retry-After": "2.5"})).retry_after == 2.5
    assert outcome_of_response(RawResponse(400, body, {"x-acs-retry-after": "0"})).retry_after is None
    assert outcome_of_response(RawResponse(400, body, {"x-acs-retry-after": "soon"})).retry_after is None
    assert outcome_of_response(RawResponse(400, body, {})).retry_after is None


# --- exceptions and scrubbing -------------------------------------------------------


def signed_v1_url():
    return sign_request(ENDPOINT, "DescribeImageInfos", VERSION, {}, CREDS, "v1").url


def test_connection_error_message_has_no_url_query_secret_or_token():
    url = signed_v1_url()
    exc = ConnectionResetError(104, "Connection reset by peer while sending /%s" % url[url.index("?"):])
    outcome = outcome_of_exception(exc, "127.0.0.1:8443", "DescribeImageInfos", (SECRET, TOKEN))
    message = outcome.error.message
    assert outcome.error.code == "ConnectionError" and outcome.retryable
    assert "Signature" not in message and "SecurityToken" not in message and "AccessKeyId" not in message
    assert signing.percent_encode(TOKEN) not in message and TOKEN not in message
    assert "127.0.0.1:8443" in message and "ConnectionResetError" in message


@pytest.mark.parametrize("exc", [TimeoutError("timed out"), socket.timeout("timed out")])
def test_timeouts_map_to_timeout_and_are_retried(exc):
    outcome = outcome_of_exception(exc, "h", "A")
    assert outcome.error.code == "Timeout" and outcome.retryable


def test_tls_failures_are_connection_errors_that_are_not_retried():
    exc = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate")
    outcome = outcome_of_exception(exc, "h", "A")
    assert outcome.error.code == "ConnectionError" and not outcome.retryable
    assert "certificate verify failed" in outcome.error.message and "set ca_path" in outcome.error.message
    other = outcome_of_exception(ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), "h", "A")
    assert not other.retryable and "ca_path" not in other.error.message


def test_a_server_closing_without_an_answer_is_retried():
    outcome = outcome_of_exception(http.client.RemoteDisconnected("Remote end closed connection without response"), "h", "A")
    assert outcome.error.code == "ConnectionError" and outcome.retryable


def test_scrub_removes_raw_and_encoded_forms_of_every_secret():
    once = signing.percent_encode(TOKEN)
    twice = signing.percent_encode(once)
    text = "a %s b %s c %s d %s" % (TOKEN, once, twice, SECRET)
    cleaned = scrub(text, (SECRET, TOKEN, None))
    for form in (TOKEN, once, twice, SECRET):
        assert form not in cleaned
    assert cleaned.startswith("a <redacted> b")


def test_scrub_redacts_queries_only_when_asked():
    assert scrub("url: /?a=1&b=2 end", (), redact_queries=True) == "url: /?<redacted> end"
    assert scrub("see https://x/?q=Throttling", ()) == "see https://x/?q=Throttling"


# --- retry decisions ------------------------------------------------------------------


def outcome(code, retryable=True, retry_after=None):
    return Outcome(None, EnsApiError(code, "m"), retryable, retry_after)


def test_retry_delay_gives_up_on_final_errors_and_after_max_retries():
    assert retry_delay(outcome("InvalidParameter", retryable=False), 0, 8) is None
    assert retry_delay(outcome("InternalError"), 8, 8) is None
    assert retry_delay(outcome("InternalError"), 7, 8, rng=lambda: 1.0) == pytest.approx(0.1 * 2 ** 7)


def test_retry_delay_backs_off_longer_when_throttled_and_honours_retry_after():
    assert retry_delay(outcome("Throttling.User"), 0, 8, rng=lambda: 1.0) == pytest.approx(0.5)
    assert retry_delay(outcome("InternalError"), 0, 8, rng=lambda: 1.0) == pytest.approx(0.1)
    assert retry_delay(outcome("Throttling", retry_after=3.0), 0, 8, rng=lambda: 0.0) == 3.0


# --- the retry loop, against a fake sender ------------------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class FakeSender:
    """Answers from a script: each item a ``RawResponse`` or an exception to raise; records the requests."""

    def __init__(self, script, clock=None, request_seconds=0.0):
        self.script = list(script)
        self.requests = []
        self.clock = clock
        self.request_seconds = request_seconds
        self.closed = False

    def post(self, url, headers, timeout):
        self.requests.append((url, dict(headers), timeout))
        if self.clock is not None:
            self.clock.now += min(self.request_seconds, timeout)
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, Exception):
            raise item
        return item

    def close(self):
        self.closed = True


OK = RawResponse(200, b'{"Code": 0, "RequestId": "OK-1", "Images": {"Image": []}}', {})


def api_error(status, code, headers=None, message=None):
    body = {"RequestId": "RID", "Code": code, "Message": message or "msg"}
    return RawResponse(status, json.dumps(body).encode(), headers or {})


def make_transport(script, signature_version="v3", max_retries=8, deadline=None, timeout=10,
                   request_seconds=0.0, credentials=CREDS):
    clock = FakeClock()
    sender = FakeSender(script, clock, request_seconds)
    transport = SignedTransport(ENDPOINT, StaticCredentials(credentials), signature_version=signature_version,
                                max_retries=max_retries, deadline=deadline, timeout=timeout, sleep=clock.sleep,
                                clock=clock.clock, rng=lambda: 1.0, sender=sender)
    return transport, sender, clock


def test_retryable_failures_are_retried_with_fresh_signatures_until_success():
    transport, sender, clock = make_transport([
        api_error(503, "ServiceUnavailable"),
        ConnectionResetError(104, "reset"),
        api_error(400, "Throttling.User"),
        OK,
    ])
    assert transport.call("DescribeImageInfos", VERSION, {})["RequestId"] == "OK-1"
    assert (transport.api_calls, transport.retries) == (4, 3)
    # Full jitter with rng() == 1: the cap of each attempt; throttling uses the larger base.
    assert clock.sleeps == [pytest.approx(0.1), pytest.approx(0.2), pytest.approx(0.5 * 4)]
    nonces = [headers["x-acs-signature-nonce"] for _url, headers, _timeout in sender.requests]
    assert len(set(nonces)) == 4
    assert len(set(headers["Authorization"] for _url, headers, _timeout in sender.requests)) == 4


def test_v1_retries_are_re_signed_with_a_fresh_nonce():
    transport, sender, _clock = make_transport([api_error(500, "InternalError"), OK], signature_version="v1")
    transport.call("DescribeImageInfos", VERSION, {})
    queries = [dict(parse_qsl(urlsplit(url).query)) for url, _headers, _timeout in sender.requests]
    assert queries[0]["SignatureNonce"] != queries[1]["SignatureNonce"]
    assert queries[0]["Signature"] != queries[1]["Signature"]


def test_final_errors_fail_at_once():
    transport, sender, clock = make_transport([api_error(400, "InvalidParameter.OsType"), OK])
    with pytest.raises(EnsApiError) as caught:
        transport.call("DescribeImageInfos", VERSION, {"OsType": "bsd"})
    assert caught.value.code == "InvalidParameter.OsType" and caught.value.http_status == 400
    assert (len(sender.requests), transport.retries, clock.sleeps) == (1, 0, [])


def test_gives_up_after_max_retries_with_the_last_error():
    transport, sender, _clock = make_transport([api_error(503, "ServiceUnavailable")], max_retries=3)
    with pytest.raises(EnsApiError) as caught:
        transport.call("DescribeImageInfos", VERSION, {})
    assert caught.value.code == "ServiceUnavailable" and caught.value.http_status == 503
    assert (transport.api_calls, transport.retries, len(sender.requests)) == (4, 3, 4)


def test_zero_max_retries_means_one_attempt():
    transport, sender, _clock = make_transport([api_error(503, "ServiceUnavailable")], max_retries=0)
    with pytest.raises(EnsApiError):
        transport.call("DescribeImageInfos", VERSION, {})
    assert len(sender.requests) == 1


def test_retry_after_header_sets_the_wait():
    transport, _sender, clock = make_transport([api_error(400, "Throttling", {"x-acs-retry-after": "7"}), OK])
    transport.call("DescribeImageInfos", VERSION, {})
    assert clock.sleeps == [7.0]


def test_on_retry_hears_each_failure_before_its_back_off():
    heard = []
    transport, _sender, _clock = make_transport([api_error(400, "Throttling.Api"), api_error(503, "ServiceUnavailable"), OK])
    transport.call("DescribeImageInfos", VERSION, {}, on_retry=lambda error, attempt, delay: heard.append((error.code, attempt, delay)))
    assert heard == [("Throttling.Api", 0, pytest.approx(0.5)), ("ServiceUnavailable", 1, pytest.approx(0.2))]


def test_deadline_stops_retrying_before_it_passes():
    transport, sender, clock = make_transport([api_error(400, "Throttling")], max_retries=50, deadline=30)
    start = clock.now
    with pytest.raises(EnsApiError) as caught:
        transport.call("DescribeImageInfos", VERSION, {})
    error = caught.value
    assert error.code == "DeadlineExceeded"
    assert "30" in error.message and "Throttling" in error.message and "deadline" in error.message
    assert clock.now - start < 30
    # 0.5, 1, 2, 4, 8 s waited (15.5 s); the next 16 s wait would pass the deadline.
    assert clock.sleeps == [pytest.approx(x) for x in (0.5, 1, 2, 4, 8)]
    assert len(sender.requests) == 6


def test_deadline_counts_from_the_transports_creation_and_cuts_the_request_timeout():
    transport, sender, clock = make_transport([OK], deadline=12, timeout=10)
    clock.now += 5
    transport.call("DescribeImageInfos", VERSION, {})
    assert sender.requests[-1][2] == pytest.approx(7)
    clock.now += 7
    with pytest.raises(EnsApiError) as caught:
        transport.call("DescribeImageInfos", VERSION, {})
    assert caught.value.code == "DeadlineExceeded"
    assert len(sender.requests) == 1


def test_a_timeout_cut_short_by_the_deadline_is_deadline_exceeded():
    transport, sender, clock = make_transport([TimeoutError("slow")], deadline=4, timeout=10,
                                              request_seconds=10)
    with pytest.raises(EnsApiError) as caught:
        transport.call("DescribeImageInfos", VERSION, {})
    assert caught.value.code == "DeadlineExceeded" and "Timeout" in caught.value.message
    assert sender.requests[0][2] == pytest.approx(4)
    assert clock.now == pytest.approx(1004)


def test_timeouts_after_the_last_retry_are_timeout_errors():
    transport, sender, _clock = make_transport([TimeoutError("slow")], max_retries=2, timeout=1)
    with pytest.raises(EnsApiError) as caught:
        transport.call("DescribeImageInfos", VERSION, {})
    assert caught.value.code == "Timeout"
    assert len(sender.requests) == 3 and all(timeout == 1 for _u, _h, timeout in sender.requests)


def test_messages_echoing_the_token_are_scrubbed():
    echo = "server string to sign is: POST&%%2F&SecurityToken%%3D%s" % signing.percent_encode(signing.percent_encode(TOKEN))
    transport, _sender, _clock = make_transport([api_error(400, "SignatureDoesNotMatch", message=echo)])
    with pytest.raises(EnsApiError) as caught:
        transport.call("DescribeImageInfos", VERSION, {})
    text = str(caught.value) + repr(caught.value.to_dict())
    for form in (TOKEN, signing.percent_encode(TOKEN), signing.percent_encode(signing.percent_encode(TOKEN)), SECRET):
        assert form not in text
    assert "server string to sign is" in text


def test_raised_errors_do_not_chain_the_http_exception():
    url = signed_v1_url()
    transport, _sender, _clock = make_transport([http.client.RemoteDisconnected("url: " + url)],
                                                max_retries=0, signature_version="v1")
    with pytest.raises(EnsApiError) as caught:
        transport.call("DescribeImageInfos", VERSION, {})
    assert caught.value.__context__ is None and caught.value.__cause__ is None
    assert TOKEN not in str(caught.value) and signing.percent_encode(TOKEN) not in str(caught.value)


def test_unknown_signature_version_is_an_option_error():
    with pytest.raises(EnsOptionError) as caught:
        make_transport([OK], signature_version="v2")
    assert str(caught.value).startswith("signature_version:")


def test_counters_are_exact_under_threads():
    transport, _sender, _clock = make_transport([OK])

    def work():
        for _call in range(50):
            transport.call("DescribeImageInfos", VERSION, {})

    threads = [threading.Thread(target=work) for _thread in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (transport.api_calls, transport.retries) == (400, 0)


def test_close_closes_the_sender():
    transport, sender, _clock = make_transport([OK])
    transport.close()
    assert sender.closed


class ClosableProvider(StaticCredentials):
    closed = 0

    def close(self):
        self.closed += 1


def test_close_closes_the_credentials_provider_when_it_holds_connections():
    provider = ClosableProvider(CREDS)
    sender = FakeSender([OK], FakeClock(), 0.0)
    transport = SignedTransport(ENDPOINT, provider, sender=sender)
    transport.close()
    assert sender.closed and provider.closed == 1


def run_python(code):
    import subprocess
    import sys
    from pathlib import Path

    import_root = Path(__file__).resolve().parents[2] / ".build" / "import-root"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                               env={"PYTHONPATH": str(import_root), "PATH": "/usr/bin:/bin"})
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


def test_building_a_client_imports_no_http_machinery():
    # A lookup builds its client lazily, but a client that has sent nothing must not have paid for http.client or ssl.
    out = run_python(
        "import sys\n"
        "from ansible_collections.alicloud.ens.plugins.module_utils.connection import build_client\n"
        "from ansible_collections.alicloud.ens.plugins.module_utils.options import DictOptionReader\n"
        "client = build_client(DictOptionReader({'access_key_id': 'a', 'access_key_secret': 'b'}))\n"
        "client.transport.close()\n"
        "print(sorted(name for name in ('http.client', 'ssl', 'urllib.request', 'requests', 'urllib3') if name in sys.modules))\n")
    assert out == "[]"


def test_the_collection_needs_no_requests():
    # requests (and urllib3) made unimportable: the transport, the credential chain and a module's helpers still import.
    out = run_python(
        "import sys\n"
        "sys.modules['requests'] = None\n"
        "sys.modules['urllib3'] = None\n"
        "from ansible_collections.alicloud.ens.plugins.module_utils import transport, credentials, ens_module, connection\n"
        "print(' '.join(sorted(cls.__name__ for cls in transport.request_failures())))\n")
    assert out == "HTTPException OSError"
