"""The retry policy: every row of ENS_API.md's error table, and the back-off."""

import http.client
import socket
import ssl

import pytest
import requests

from ansible_collections.alicloud.ens.plugins.module_utils.retry_policy import (
    MAX_DELAY,
    backoff_delay,
    is_retryable,
    is_throttling,
)

# ENS_API.md, "Errors": (code, HTTP status, retry?)
ERROR_TABLE = [
    ("MissingParameter", 400, False),
    ("MissingImageId", 400, False),
    ("InvalidParameter", 400, False),
    ("InvalidParameter.PageSize", 400, False),
    ("InvalidAccessKeyId.NotFound", 404, False),
    ("InvalidAccessKeyId.Inactive", 400, False),
    ("IncompleteSignature", 400, False),
    ("SignatureDoesNotMatch", 400, False),
    ("InvalidTimeStamp.Format", 400, False),
    ("InvalidTimeStamp.Expired", 400, False),
    ("IllegalTimestamp", 400, False),
    ("SignatureNonceUsed", 400, True),
    ("NoPermission", 400, False),
    ("NoPermission", 403, False),
    ("Forbidden.RAM", 403, False),
    ("Forbidden.RAM", 400, False),
    ("Throttling", 400, True),
    ("Throttling.User", 400, True),
    ("Throttling.Api", 400, True),
    ("ServiceThrottling.Concurrency", 400, True),
    ("InternalError", 500, True),
    ("UnknownError", 500, True),
    ("ServiceUnavailable", 503, True),
    # from the seed pages' own error tables
    ("ens.interface.error", 400, False),
    ("CallInterface", 400, False),
    ("InstanceIdNotFound", 400, False),
]


@pytest.mark.parametrize("code, http_status, expected", ERROR_TABLE)
def test_error_table(code, http_status, expected):
    assert is_retryable(http_status=http_status, code=code) is expected


@pytest.mark.parametrize("code, http_status, expected", ERROR_TABLE)
def test_error_table_by_code_alone(code, http_status, expected):
    assert is_retryable(code=code) is expected


@pytest.mark.parametrize("http_status, expected", [
    (500, True), (502, True), (503, True), (504, True), ("502", True),
    (400, False), (403, False), (404, False), (200, False), (501, False), (None, False), ("junk", False),
])
def test_http_status_alone(http_status, expected):
    assert is_retryable(http_status=http_status) is expected


@pytest.mark.parametrize("http_status", [502, 503, 504])
def test_gateway_errors_with_any_code_are_retried(http_status):
    # An HTML 502 page has no API code; the transport reports it as InvalidResponse.
    assert is_retryable(http_status=http_status, code="InvalidResponse") is True


@pytest.mark.parametrize("exception", [
    requests.exceptions.ConnectionError("connection reset by peer"),
    requests.exceptions.Timeout("timed out"),
    requests.exceptions.ConnectTimeout("connect timed out"),
    requests.exceptions.ReadTimeout("read timed out"),
    requests.exceptions.ChunkedEncodingError("connection broken"),
    requests.exceptions.ProxyError("proxy went away"),
    ConnectionResetError(104, "Connection reset by peer"),
    ConnectionRefusedError(111, "Connection refused"),
    TimeoutError("timed out"),
    socket.timeout("timed out"),
    socket.gaierror(-3, "Temporary failure in name resolution"),
    BrokenPipeError(32, "Broken pipe"),
    http.client.RemoteDisconnected("Remote end closed connection without response"),
    http.client.IncompleteRead(b"{\"Ima", 100),
    http.client.BadStatusLine("garbage"),
    http.client.LineTooLong("header line"),
    ssl.SSLEOFError(8, "EOF occurred in violation of protocol"),
    ssl.SSLZeroReturnError(6, "TLS/SSL connection has been closed"),
])
def test_connection_errors_and_timeouts_are_retried(exception):
    assert is_retryable(exception=exception) is True


@pytest.mark.parametrize("exception", [
    requests.exceptions.SSLError("certificate verify failed"),
    requests.exceptions.InvalidURL("bad url"),
    requests.exceptions.MissingSchema("no scheme"),
    requests.exceptions.TooManyRedirects("loop"),
    ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
    ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"),
    http.client.InvalidURL("URL can't contain control characters"),
    OSError(2, "No such file or directory"),
    ValueError("not JSON"),
    KeyError("Code"),
])
def test_other_exceptions_are_final(exception):
    assert is_retryable(exception=exception) is False


def test_transport_codes_of_our_own():
    assert is_retryable(code="ConnectionError") is True
    assert is_retryable(code="Timeout") is True
    assert is_retryable(code="DeadlineExceeded") is False
    assert is_retryable(code="InvalidResponse", http_status=200) is False


def test_nothing_given_is_final():
    assert is_retryable() is False


@pytest.mark.parametrize("code, expected", [
    ("Throttling", True), ("Throttling.User", True), ("Throttling.Api", True), ("Request.Throttling", True),
    ("throttling", False), ("InternalError", False), ("", False), (None, False),
])
def test_is_throttling(code, expected):
    assert is_throttling(code) is expected


# --- back-off ------------------------------------------------------------------


def fixed(value):
    return lambda: value


@pytest.mark.parametrize("attempt, expected", [(0, 0.1), (1, 0.2), (2, 0.4), (3, 0.8), (7, 12.8), (8, 20.0),
                                               (50, 20.0), (10 ** 6, 20.0)])
def test_backoff_upper_bound(attempt, expected):
    assert backoff_delay(attempt, rng=fixed(1.0)) == pytest.approx(expected)


@pytest.mark.parametrize("attempt, expected", [(0, 0.5), (1, 1.0), (3, 4.0), (5, 16.0), (6, 20.0), (40, 20.0)])
def test_throttled_backoff_has_a_larger_base(attempt, expected):
    assert backoff_delay(attempt, throttled=True, rng=fixed(1.0)) == pytest.approx(expected)


def test_full_jitter_scales_with_the_random_draw():
    assert backoff_delay(3, rng=fixed(0.0)) == 0.0
    assert backoff_delay(3, rng=fixed(0.25)) == pytest.approx(0.2)
    assert backoff_delay(3, throttled=True, rng=fixed(0.5)) == pytest.approx(2.0)


def test_backoff_stays_within_bounds_for_many_draws():
    import random
    rng = random.Random(1234).random
    for attempt in range(30):
        ceiling = min(MAX_DELAY, 0.1 * 2 ** attempt)
        for _draw in range(20):
            delay = backoff_delay(attempt, rng=rng)
            assert 0.0 <= delay <= ceiling


def test_negative_attempt_counts_as_the_first():
    assert backoff_delay(-3, rng=fixed(1.0)) == pytest.approx(0.1)


@pytest.mark.parametrize("retry_after, expected", [(3, 3.0), ("2", 2.0), ("0.5", 0.5), (45, 45.0)])
def test_positive_retry_after_wins(retry_after, expected):
    assert backoff_delay(0, retry_after=retry_after, rng=fixed(1.0)) == expected
    assert backoff_delay(9, throttled=True, retry_after=retry_after, rng=fixed(1.0)) == expected


@pytest.mark.parametrize("retry_after", [None, 0, -1, "0", "", "soon", "nan", "inf"])
def test_unusable_retry_after_is_ignored(retry_after):
    assert backoff_delay(2, retry_after=retry_after, rng=fixed(1.0)) == pytest.approx(0.4)
