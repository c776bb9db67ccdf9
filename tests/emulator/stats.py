"""Request counters served at ``GET /_emulator/stats``; thread-safe."""

import contextlib
import threading
from collections import Counter


class Stats:
    def __init__(self):
        self._lock = threading.Lock()
        self._in_flight = Counter()
        self.reset()

    def reset(self):
        """Clear the counters (requests still in flight stay counted as in flight)."""
        with self._lock:
            self._requests = Counter()
            self._max_in_flight = Counter()
            self._faults = Counter()
            self._errors = Counter()
            self._signatures = Counter()

    def started(self, action):
        with self._lock:
            self._requests[action] += 1
            self._in_flight[action] += 1
            self._max_in_flight[action] = max(self._max_in_flight[action], self._in_flight[action])

    def finished(self, action):
        with self._lock:
            self._in_flight[action] -= 1

    @contextlib.contextmanager
    def tracking(self, action):
        """Count one request of ``action`` as in flight for the ``with`` block."""
        self.started(action)
        try:
            yield
        finally:
            self.finished(action)

    def fault(self, kind):
        with self._lock:
            self._faults[kind] += 1

    def signature(self, version):
        """Count a request whose signature (``v1`` / ``v3``) was verified."""
        with self._lock:
            self._signatures[version] += 1

    def error(self, code):
        with self._lock:
            self._errors[code] += 1

    def snapshot(self):
        with self._lock:
            return {
                "requests": dict(self._requests),
                "max_in_flight": dict(self._max_in_flight),
                "faults": dict(self._faults),
                "errors": dict(self._errors),
                "signatures": dict(self._signatures),
            }
