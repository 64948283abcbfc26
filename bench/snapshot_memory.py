"""Time and peak memory of building the BM25 snapshot of an existing index (prints numbers).

Run: `.venv/bin/python bench/snapshot_memory.py INDEX_DIR` (e.g. the 100k store bench/scale.py
leaves in /tmp/newsrag_scale/index_100k_embedded). The snapshot is built into a temporary folder,
so the index is not changed. The process loads no embedding model: an indexing run holds the
model's ~0.4 GB besides this.

`--fill CORPUS` first indexes CORPUS into INDEX_DIR through the real indexing path with one thing
faked: random unit vectors instead of embeddings, because embedding 100k chunks takes about 85
minutes on this machine and the snapshot never reads a vector. Such an index answers nothing by
meaning: use it for this bench only, e.g.
`.venv/bin/python bench/snapshot_memory.py /tmp/snap100k --fill /tmp/newsrag_scale/corpus_100k`.
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
    parser.add_argument("--fill", type=Path, metavar="CORPUS", help="index CORPUS first (random vectors)")
    args = parser.parse_args()
    if args.fill:
        _fill(args.fill, args.index_dir)
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


def _fill(corpus: Path, index_dir: Path) -> None:
    """Index `corpus` with random unit vectors in place of embeddings, in a child process (its memory is not ours)."""
    import subprocess
    import sys

    code = (
        "import random, sys\n"
        "from pathlib import Path\n"
        "import rag.batching\n"
        "def fake(embedder, texts, batch_size):\n"
        "    rows = [[random.gauss(0, 1) for _ in range(384)] for _ in texts]\n"
        "    return [[x / sum(v * v for v in row) ** 0.5 for x in row] for row in rows]\n"
        "rag.batching.embed_texts = fake\n"
        "rag.batching.load_embedder = lambda settings: object()\n"
        "from rag import load_settings\n"
        "from rag.indexing import index_paths\n"
        "report = index_paths([Path(sys.argv[1])], load_settings(index_dir=Path(sys.argv[2])), progress=True)\n"
        "print(report.chunks_written, 'chunks written', file=sys.stderr)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(corpus), str(index_dir)], check=True)


if __name__ == "__main__":
    main()
