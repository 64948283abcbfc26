"""Every change to the index happens inside `index_writer`: lock, fresh store, run lease, heartbeat.

Why one place: indexing, removal and the UI's uploads all write the same store, and each
must (1) be the only writer of an embedded index (`rag.write_lock`), (2) start from the
store as it is on disk now, not from a copy this process cached before another process
wrote it, and (3) hold a live lease for the whole write so no other run's repair deletes
its uncommitted chunks (`rag.runs`; the only guard a shared Chroma server has).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path

from rag.chroma_client import require_index
from rag.config import Settings
from rag.runs import HEARTBEAT_SECONDS, end_lease, new_run_id, renew_lease
from rag.store import ChunkStore
from rag.write_lock import write_lock


@contextmanager
def index_writer(
    settings: Settings, create: bool = True, on_wait: Callable[[str], None] | None = None
) -> Iterator[ChunkStore]:
    """A store to write to, exclusively for an embedded index; `on_wait` hears about a wait for another writer."""
    if not create:
        require_index(settings)
    embedded = not settings.chroma_url
    lock = write_lock(Path(settings.index_dir), settings.write_lock_timeout, on_wait) if embedded else nullcontext()
    with lock:
        run_id = new_run_id()
        store = ChunkStore(settings, create=True, fresh=True, writer=run_id)
        renew_lease(store.meta, run_id)
        stop = threading.Event()
        beat = threading.Thread(target=_heartbeat, args=(store, run_id, stop), name="index-writer-lease", daemon=True)
        beat.start()
        try:
            yield store
        finally:
            stop.set()
            beat.join()
            with suppress(Exception):  # an unreachable server: the lease expires by itself
                end_lease(store.meta, run_id)


def _heartbeat(store: ChunkStore, run_id: str, stop: threading.Event) -> None:
    """Renew the lease while the run writes; embedding one huge article can take minutes."""
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            renew_lease(store.meta, run_id)
        except Exception as exc:  # keep trying; the write itself will report a dead server
            print(f"warning: could not renew the indexing lease ({exc})", file=sys.stderr)
