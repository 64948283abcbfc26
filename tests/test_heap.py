"""rag.heap gives freed heap pages back to the system: what keeps an indexing run from growing batch by batch."""

from __future__ import annotations

import os
import sys

import pytest

from rag.heap import release_free_memory


def _rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_freed_memory_between_live_objects_goes_back_to_the_system() -> None:
    # 2 KiB objects come from malloc's heap (not Python's small-object arenas); keeping one in 16
    # alive pins the heap's top, so glibc cannot give the rest back by itself.
    blocks = [bytes(2048) for _ in range(60_000)]  # ~120 MiB
    kept = blocks[::16]
    del blocks
    before = _rss_mib()
    assert release_free_memory() is True
    after = _rss_mib()
    assert before - after > 50, (before, after)
    assert len(kept) == 3750
