"""What the evidence stage knows of each whole article, kept on disk and read when a question needs it.

Why on disk: "does this article name the outlet or the speaker at all?" needs each article's
words and text, and held in memory for every article that is most of a large corpus again
(about 1 GB of Python sets and strings at 100,000 chunks). Here each article is one row of a
SQLite file written with the BM25 snapshot (`rag.lexical`); a question reads the one article
it needs, and the scans over all articles (outlets, dates) run inside SQLite or over the small
in-memory lists of dates and titles. SQLite ships with Python and needs no server; the same
scan in Python over every article's set would read all of them into memory.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rag.chunking import Chunk
from rag.metadata import ArticleMeta
from rag.outlets import same_outlet
from rag.words import vocabulary


@dataclass(frozen=True)
class ArticleFacts:
    """What the evidence stage knows of a whole article: its words (for "does this article name
    the outlet or person at all?") and its date, when the passage at hand is only one chunk."""

    words: frozenset[str]
    date: str
    title: str
    text: str = field(default="", repr=False)  # the whole text, lowercased, one space between words
    outlet: str = ""  # from the article's metadata; "" when it has none (then its text decides)


def article_facts(chunks: Iterable[Chunk]) -> Iterator[tuple[str, ArticleFacts]]:
    """Each article's facts, by source, made one article at a time: `write_catalog` stores each
    and lets it go. All at once they were 740 MB of sets and strings at 100,000 chunks, the
    largest part of building a snapshot."""
    texts: dict[str, list[str]] = {}
    first: dict[str, Chunk] = {}
    for chunk in chunks:
        texts.setdefault(chunk.source, []).append(chunk.text)
        first.setdefault(chunk.source, chunk)
    for s in sorted(texts):
        t = texts[s]
        yield (
            s,
            ArticleFacts(
                vocabulary(t), first[s].date, first[s].title, " ".join(" ".join(t).lower().split()), first[s].outlet
            ),
        )


_SCHEMA = "CREATE TABLE facts (source TEXT PRIMARY KEY, date TEXT, title TEXT, words TEXT, text TEXT, outlet TEXT)"


def write_catalog(path: Path, facts: Iterable[tuple[str, ArticleFacts]]) -> None:
    """One row per article; `words` as newline-separated, newline-framed text so SQLite can test membership."""
    with sqlite3.connect(path) as db:
        db.execute(_SCHEMA)
        db.executemany(
            "INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?)",
            (
                (source, f.date, f.title, "\n" + "".join(f"{w}\n" for w in sorted(f.words)), f.text, f.outlet)
                for source, f in facts
            ),
        )
    # `with` commits but leaves the connection open until collected
    db.close()


def _decode_words(encoded: str) -> frozenset[str]:
    return frozenset(encoded[1:-1].split("\n")) if len(encoded) > 1 else frozenset()


class ArticleCatalog:
    """Read-only access to the per-article facts of one snapshot; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        # Opened now, not on first use: a writer may prune this snapshot's folder once a newer one
        # exists, and an open file outlives its name until the reader moves on to the new one.
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._cache: dict[str, ArticleFacts | None] = {}

    def _query(self, sql: str, args: Sequence[str] = ()) -> list[tuple[str, ...]]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    @cached_property
    def _headers(self) -> dict[str, tuple[str, str, str]]:
        """(date, title, outlet) of every article: small, and what the date, title and outlet scans read."""
        return {s: (d, t, o) for s, d, t, o in self._query("SELECT source, date, title, outlet FROM facts")}

    @cached_property
    def _metadata(self) -> dict[str, ArticleMeta]:
        return {s: ArticleMeta(title=t, outlet=o, date=d) for s, (d, t, o) in self._headers.items()}

    @cached_property
    def outlet_names(self) -> tuple[str, ...]:
        """Every outlet the articles' metadata names, each once: what a question may call a report by."""
        return tuple(sorted({o for _, _, o in self._headers.values() if o}))

    def metadata(self) -> dict[str, ArticleMeta]:
        """Title, outlet and date of every article (what filters read; byline, URL and marks are not kept
        here). Built once per snapshot, which never changes: every question's filter reads it."""
        return self._metadata

    def __len__(self) -> int:
        return len(self._headers)

    def __contains__(self, source: object) -> bool:
        return source in self._headers

    def get(self, source: str) -> ArticleFacts | None:
        """One article's facts (cached: a question reads the same few articles many times)."""
        if source not in self._cache:
            rows = self._query("SELECT date, title, words, text, outlet FROM facts WHERE source = ?", (source,))
            row = rows[0] if rows else None
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[source] = (
                None if row is None else ArticleFacts(_decode_words(row[2]), row[0], row[1], row[3], row[4])
            )
        return self._cache[source]

    def date(self, source: str) -> str:
        return self._headers.get(source, ("", "", ""))[0]

    def dated(self, matches: Callable[[str], bool]) -> set[str]:
        """Articles with a date for which `matches` holds."""
        return {s for s, (d, _, _) in self._headers.items() if d and matches(d)}

    def _by_metadata(self, outlet: str) -> tuple[set[str], set[str]]:
        """(articles whose metadata names the outlet, articles with no outlet in their metadata):
        an article's stated outlet decides; only one without it is judged by its words."""
        named = {s for s, (_, _, o) in self._headers.items() if o and same_outlet(o, outlet)}
        return named, {s for s, (_, _, o) in self._headers.items() if not o}

    def reports_of(self, outlet: str) -> set[str]:
        """Articles of the outlet by their metadata; without metadata, whose title names the outlet
        or whose text has its name as a phrase (`is_report_of`)."""
        named, unknown = self._by_metadata(outlet)
        phrase = " ".join(outlet.lower().split())
        in_title = {s for s in unknown if phrase in self._headers[s][1].lower()}
        rows = self._query("SELECT source FROM facts WHERE outlet = '' AND instr(' ' || text, ?) > 0", (f" {phrase}",))
        return named | in_title | {s for (s,) in rows}

    def with_words(self, outlet: str, words: list[str], title_ok: Callable[[str], bool]) -> set[str]:
        """Articles of the outlet by their metadata; without metadata, whose title passes `title_ok`
        or whose words include every one of `words`."""
        named, unknown = self._by_metadata(outlet)
        in_title = {s for s in unknown if title_ok(self._headers[s][1])}
        where = " AND ".join("instr(words, ?) > 0" for _ in words) or "1"
        rows = self._query(f"SELECT source FROM facts WHERE outlet = '' AND {where}", [f"\n{w}\n" for w in words])
        return named | in_title | {s for (s,) in rows}
