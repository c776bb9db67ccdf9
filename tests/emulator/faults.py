"""Fault injection: ``--fault KIND:PROBABILITY[:LIMIT]`` specs and the seeded draws.

Standard library only and nothing from beside this file.
"""

import random
import threading
from collections import namedtuple

FAULT_KINDS = ("throttling", "unavailable", "internal", "reset", "slow", "html502", "drift")
# drift changes TotalCount, so it only means something for the paginated action.
_ONLY_FOR = {"drift": ("DescribeExportImageInfo",)}

FaultSpec = namedtuple("FaultSpec", "kind probability limit")


def parse_fault_spec(text):
    """``"throttling:0.3"`` / ``"reset:1:2"`` -> ``FaultSpec``; ``ValueError`` with the reason."""
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise ValueError("fault %r: expected KIND:PROBABILITY[:LIMIT]" % text)
    kind = parts[0]
    if kind not in FAULT_KINDS:
        raise ValueError("fault %r: KIND must be one of %s" % (text, ", ".join(FAULT_KINDS)))
    try:
        probability = float(parts[1])
        limit = int(parts[2]) if len(parts) == 3 else None
    except ValueError:
        raise ValueError("fault %r: PROBABILITY must be a number and LIMIT an integer" % text)
    if not 0.0 <= probability <= 1.0:
        raise ValueError("fault %r: PROBABILITY must be between 0 and 1" % text)
    if limit is not None and limit < 0:
        raise ValueError("fault %r: LIMIT must not be negative" % text)
    return FaultSpec(kind, probability, limit)


def applies_to(kind, action):
    return action in _ONLY_FOR.get(kind, (action,))


class FaultInjector:
    """Draws at most one fault per request: the first spec (in command-line order) that fires."""

    def __init__(self, specs, seed=None):
        self._specs = list(specs)
        self._rng = random.Random(seed)
        self._fired = [0] * len(self._specs)
        self._lock = threading.Lock()

    def draw(self, action):
        """The fault kind to inject into this request of ``action``, or ``None``."""
        with self._lock:
            for index, spec in enumerate(self._specs):
                if not applies_to(spec.kind, action):
                    continue
                if spec.limit is not None and self._fired[index] >= spec.limit:
                    continue
                if self._rng.random() < spec.probability:
                    self._fired[index] += 1
                    return spec.kind
        return None
