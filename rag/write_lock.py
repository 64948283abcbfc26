"""One writer at a time per embedded index: an OS file lock held for the whole write.

Why: two runs writing one store at once each believe the other's uncommitted chunks are
debris. An exclusive `flock` on `<index_dir>/write.lock` serialises `rag index`, `rag remove`
and the UI's uploads and removals, across processes and threads alike, and the kernel drops
it when its holder dies, so a crashed run never leaves the index locked. A second writer
waits (up to `RAG_WRITE_LOCK_TIMEOUT` seconds, saying so once) rather than failing, because
waiting is what a user would do next anyway. `fcntl` (POSIX) rather than the `filelock`
package: it is in the standard library and the project runs on Linux.

A Chroma server can be shared by several machines, which no file lock spans; there the
lease records of `rag.runs` keep writers from deleting each other's chunks.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.errors import StoreError

LOCK_NAME = "write.lock"
_POLL_SECONDS = 0.2


@contextmanager
def write_lock(index_dir: Path, timeout: float, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the index's write lock; wait up to `timeout` seconds for another writer to finish."""
    path = index_dir / LOCK_NAME
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(
            f"Cannot write to the index at {index_dir.resolve()} ({exc.strerror or exc}). "
            "Choose a folder you can write to with --index-dir or RAG_INDEX_DIR."
        ) from exc
    try:
        _acquire(fd, path, timeout, on_wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _acquire(fd: int, path: Path, timeout: float, on_wait: Callable[[str], None] | None) -> None:
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _holder(path)
        if time.monotonic() >= deadline:
            raise StoreError(
                f"Another indexing run is in progress ({holder}) on {path.parent.resolve()}; waited {timeout:g} s. "
                "Wait for it to finish and run this again, or stop it first; RAG_WRITE_LOCK_TIMEOUT sets how "
                "long to wait."
            )
        if not told and on_wait is not None:
            on_wait(f"Another indexing run is in progress ({holder}); waiting up to {timeout:g} s for it to finish…")
            told = True
        time.sleep(_POLL_SECONDS)


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        pid = ""
    return f"pid {pid}" if pid.isdigit() else "pid unknown"
