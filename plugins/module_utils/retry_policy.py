# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one retry policy of the collection: which failures to retry, and how long to wait.

Pure functions, no I/O: the transport asks ``is_retryable()`` after each failed
attempt and sleeps ``backoff_delay()`` seconds before the next one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import random

# API error codes worth another attempt (besides any code containing "Throttling").
# "ConnectionError" and "Timeout" are the codes the transport gives its own failures.
RETRYABLE_CODES = frozenset([
    "InternalError",
    "UnknownError",
    "ServiceUnavailable",
    "SignatureNonceUsed",
    "ConnectionError",
    "Timeout",
])

RETRYABLE_HTTP_STATUSES = frozenset([500, 502, 503, 504])

# Exception classes are recognised by name, so this module imports neither ``http.client`` nor
# ``ssl``. The most specific class of an exception decides: its class hierarchy is read from the
# class itself upwards, and the first name found in either list wins.
#
# Retryable: Python's ConnectionError family (ConnectionResetError, ConnectionRefusedError,
# BrokenPipeError, and http.client's RemoteDisconnected, a server closing a connection without an
# answer), timeouts, DNS failures (gaierror), http.client's IncompleteRead, BadStatusLine and
# other HTTPExceptions (a truncated or garbled answer), and a TLS stream cut short (SSLEOFError,
# SSLZeroReturnError). The names of requests' and urllib3's classes are kept too (ConnectionError,
# Timeout, ChunkedEncodingError, ...), for callers and tests that raise them.
RETRYABLE_EXCEPTION_NAMES = frozenset([
    "ConnectionError",
    "Timeout",
    "ConnectTimeout",
    "ReadTimeout",
    "ChunkedEncodingError",
    "TimeoutError",
    "timeout",
    "gaierror",
    "RemoteDisconnected",
    "IncompleteRead",
    "BadStatusLine",
    "HTTPException",
    "SSLEOFError",
    "SSLZeroReturnError",
])

# A certificate that fails verification, or a TLS set-up that fails, fails the same way every
# time: retrying only delays the error. The same for a URL that cannot be sent.
FINAL_EXCEPTION_NAMES = frozenset([
    "SSLCertVerificationError",
    "CertificateError",
    "SSLError",
    "InvalidURL",
    "InvalidSchema",
    "MissingSchema",
])

BASE_DELAY = 0.1
THROTTLED_BASE_DELAY = 0.5
MAX_DELAY = 20.0
# 2 ** 64 * 0.1 s is far above the cap already; this keeps huge attempt numbers from overflowing floats.
MAX_EXPONENT = 64


def is_throttling(code):
    """True for any API error code containing ``Throttling`` (Throttling, Throttling.User, ...)."""
    return bool(code) and "Throttling" in str(code)


def _exception_class_names(exception):
    return [cls.__name__ for cls in type(exception).__mro__]


def is_exception_named(exception, names):
    """Whether ``exception``'s class, or any class it derives from, has one of ``names``."""
    return any(name in names for name in _exception_class_names(exception))


def is_retryable_exception(exception):
    """True for connection failures, truncated answers and timeouts, false for certificate, TLS and URL errors.

    The most specific class named in either list decides (an ``SSLEOFError`` is an ``SSLError`` too).
    """
    for name in _exception_class_names(exception):
        if name in FINAL_EXCEPTION_NAMES:
            return False
        if name in RETRYABLE_EXCEPTION_NAMES:
            return True
    return False


def is_retryable(http_status=None, code=None, exception=None):
    """Whether a failed attempt is worth another one: any one retryable signal is enough."""
    if exception is not None and is_retryable_exception(exception):
        return True
    if code is not None and (is_throttling(code) or str(code) in RETRYABLE_CODES):
        return True
    return http_status is not None and _as_int(http_status) in RETRYABLE_HTTP_STATUSES


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def positive_seconds(value):
    """``value`` as a positive float (a number or a header string), else ``None``."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(seconds) or math.isinf(seconds) or seconds <= 0:
        return None
    return seconds


def backoff_delay(attempt, throttled=False, retry_after=None, rng=random.random):
    """Seconds to wait before retry number ``attempt`` (0 for the first retry).

    Full jitter: ``rng() * min(cap, base * 2 ** attempt)`` with base 0.1 s
    (0.5 s when throttled) and cap 20 s. A positive ``retry_after`` (seconds,
    e.g. the ``x-acs-retry-after`` header) wins over the computed delay.
    """
    server_delay = positive_seconds(retry_after)
    if server_delay is not None:
        return server_delay
    base = THROTTLED_BASE_DELAY if throttled else BASE_DELAY
    exponent = min(max(int(attempt), 0), MAX_EXPONENT)
    return rng() * min(MAX_DELAY, base * 2 ** exponent)
