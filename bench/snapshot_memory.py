"""Time and peak memory of building the BM25 snapshot of an existing index (prints numbers).

Run: `.venv/bin/python bench/snapshot_memory.py INDEX_DIR` (e.g. the 100k store bench/scale.py
leaves in /tmp/newsrag_scale/index_100k_embedded). The snapshot is built into a temporary folder,
so the index is not changed. The process loads no embedding model: an indexing run holds the
model's ~0.4 GB besides this.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index_dir", type=Path)
    args = parser.parse_args()
    from rag import lexical
    from rag.config import load_settings
    from rag.store import ChunkStore

    store = ChunkStore(load_settings(index_dir=args.index_dir))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        lexical.build_snapshot(store, store.generation(), Path(tmp))
    report = {
        "chunks": store.chunk_count(),
        "build_s": round(time.perf_counter() - started, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rss_before_build_mib": round(before),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
