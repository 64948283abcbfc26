"""The library tab's work: list indexed articles, add uploads, remove articles, then reload the answerer.

Uploads live in `<index_dir>/uploads/`, beside the store they feed, so removing the index
folder removes them too and `rag index` of seeds/ never sees them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rag import Settings
from rag.errors import RagError
from rag.metadata import shown
from ui.answering import Answerer
from ui.uploads import display_name, is_upload, store_upload

if TYPE_CHECKING:
    from rag.store import DocRecord

_SHOWN = ("title", "outlet", "date")


def _described(record: DocRecord) -> str:
    facts = ", ".join(x for x in (record.outlet, record.date) if x)
    return f"{record.title} ({facts}; {record.source})" if facts else f"{record.title} ({record.source})"


ProgressFn = Callable[[float, str], None]
COLUMNS = ["Title", "Outlet", "Date", "Chunks", "File"]


@dataclass
class UploadResult:
    """What happened to each uploaded file, for the status line."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # one message per file, saying why
    reload_problem: str | None = None

    def summary(self) -> str:
        lines = []
        if self.added:
            lines.append(f"Indexed {len(self.added)} file(s): {', '.join(self.added)}.")
        if self.unchanged:
            lines.append(f"Already in the library: {', '.join(self.unchanged)}.")
        lines += [f"Rejected: {reason}" for reason in self.rejected]
        if self.reload_problem:
            lines.append(self.reload_problem)
        return "\n".join(lines) or "No file was uploaded."


class Library:
    """Serialises changes to the index: one upload or removal at a time."""

    def __init__(self, settings: Settings, answerer: Answerer) -> None:
        self.settings = settings
        self.answerer = answerer
        self.uploads_dir = Path(settings.index_dir) / "uploads"
        self._lock = threading.Lock()

    def articles(self) -> list[list[str | int]]:
        """Rows for the articles table (title, outlet, date, chunks, file), uploads and seeds alike, by title;
        values read from the text rather than stated by the article say "(inferred)"."""
        records = sorted(self._records(), key=lambda r: r.title.lower())
        return [[*(shown(getattr(r, f), f, r.inferred, "—") for f in _SHOWN), r.n_chunks, r.source] for r in records]

    def choices(self) -> list[tuple[str, str]]:
        """(what a person recognises: title, outlet, date; the file name `remove` takes), by title."""
        records = sorted(self._records(), key=lambda r: r.title.lower())
        return [(_described(r), r.source) for r in records]

    def describe(self, source: str) -> str:
        """The article as the confirmation names it; the file name alone when it is not indexed."""
        from rag.store import ChunkStore

        record = ChunkStore(self.settings).documents([source]).get(source)
        return _described(record) if record else source

    def _records(self) -> list[DocRecord]:
        from rag.store import ChunkStore

        return list(ChunkStore(self.settings).documents().values())

    def add(self, files: Sequence[tuple[Path, str]], progress: ProgressFn) -> UploadResult:
        """Validate, store and index `(temp_path, client_name)` pairs; a bad file never stops the rest."""
        from rag.indexing import index_paths

        result = UploadResult()
        with self._lock:
            stored: list[Path] = []
            for temp_path, client_name in files:
                try:
                    stored.append(store_upload(temp_path, client_name, self.uploads_dir))
                except RagError as exc:
                    result.rejected.append(str(exc))
            for i, path in enumerate(stored):
                progress(i / (len(stored) + 1), f"Indexing {path.name}")
                try:  # waits while `rag index` runs elsewhere on this index (the write lock)
                    report = index_paths(
                        [path], self.settings, progress=False, embedder=self.answerer.assistant.embedder
                    )
                except RagError as exc:
                    result.rejected.append(f"{display_name(path.name)}: {exc}")
                    continue
                result.added += report.added + report.updated
                result.unchanged += report.unchanged
                result.rejected += [f"{display_name(str(s.path))}: {s.reason}" for s in report.skipped]
                if report.skipped:
                    path.unlink(missing_ok=True)
            if result.added:
                progress(len(stored) / (len(stored) + 1), "Reloading the index")
                result.reload_problem = self.answerer.reload()
        return result

    def remove(self, source: str) -> str:
        """Remove one article (and its stored upload); returns the status line."""
        from rag.indexing import remove_articles
        from rag.store import ChunkStore

        with self._lock:
            try:
                record = ChunkStore(self.settings).documents().get(source)
                if record is None or remove_articles([source], self.settings):
                    return f"{source} is not in the library (refresh the table)."
            except RagError as exc:
                return f"{source} was not removed: {exc}"
            if record.path and is_upload(Path(record.path), self.uploads_dir):
                Path(record.path).unlink(missing_ok=True)
            problem = self.answerer.reload()
        return f"Removed {source}." + (f" {problem}" if problem else "")
