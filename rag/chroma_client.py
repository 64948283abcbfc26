"""How we connect to Chroma: an embedded store at RAG_INDEX_DIR, or a server at RAG_CHROMA_URL.

Also what to tell the user when the store cannot be reached, and how to stop reusing this
process's cached copy of an embedded store after another process changed it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from rag.config import Settings
from rag.errors import StoreError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI


def open_client(settings: Settings, create: bool, fresh: bool = False) -> ClientAPI:
    """Embedded PersistentClient by default; HttpClient when RAG_CHROMA_URL is set.

    `fresh`: don't reuse this process's cached embedded client (see `_forget_cached_client`).
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:
            raise store_failure(settings, exc) from exc
        return client
    path = Path(settings.index_dir)
    if not create:
        require_index(settings)
    try:
        path.mkdir(parents=True, exist_ok=True)
        if fresh:
            _forget_cached_client(str(path))
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise StoreError(
            f"Cannot open the index at {path.resolve()} ({exc}). Delete that folder and run `rag index` to rebuild it."
        ) from exc


def store_failure(settings: Settings, exc: Exception) -> StoreError:
    """What to tell the user when the store cannot be reached or read (a server down, a folder deleted)."""
    if settings.chroma_url:
        return StoreError(
            f"Cannot reach the Chroma server at {settings.chroma_url} ({exc}). Start it "
            "(`chroma run --path DIR --host 127.0.0.1 --port 8000`) and try again, or unset RAG_CHROMA_URL."
        )
    return StoreError(
        f"The index at {Path(settings.index_dir).resolve()} could not be read ({exc}). "
        "Run `rag index` to repair it (or `rag index --rebuild`), then try again."
    )


def require_index(settings: Settings) -> None:
    """Fail with what to do when there is no embedded index yet (a server always has one)."""
    path = Path(settings.index_dir)
    if not settings.chroma_url and not (path / "chroma.sqlite3").is_file():
        raise StoreError(f"No index at {path.resolve()}: run `rag index` first (it indexes seeds/ by default).")


def _forget_cached_client(path: str) -> None:
    """Make the next PersistentClient for `path` load the store from disk again.

    Chroma keeps one client system per path per process, with the vector (HNSW) index cached
    in memory. Another process's writes change the files but not that cache, and a query then
    fails with `InternalError: Error finding id` (or misses new chunks). Dropping the cache
    entry (a private Chroma attribute: there is no public way) gives later clients a fresh
    system; objects still holding the old one keep working until they are dropped.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(path, None)
