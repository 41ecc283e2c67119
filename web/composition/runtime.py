"""Settings of the long-lived processes `walkthrough serve` starts (its web workers and
its projector process), applied by each at its start.

CPython's cyclic garbage collector walks every object a generation holds; the oldest
generation is walked whole from time to time, so a process that keeps a visit of 100k
taps in memory (the projector's kept visits, a worker's aggregate cache) pays for that
visit again and again. Measured in process (in-memory fold of 2,000-event pages, a
100k-tap visit against a new one): the projector spent 1.37x the CPU per event on the
large visit with the default thresholds (700, 10, 10), and 1.01x with these, and 16 %
less on the new visit too. Collections only matter for reference cycles, which these
processes make few of; memory stays bounded by the caches' budgets (KEPT_BYTES,
CACHE_WEIGHT), not by the collector.
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    """Collect cycles less often (see the module's note)."""
    gc.set_threshold(*GC_THRESHOLDS)
