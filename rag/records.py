"""What the store keeps about each committed article: the record Chroma holds, read and written.

Its own module because the store's commit logic (`rag.store`) and the record's fields change for
different reasons: a new provenance field touches only this file.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rag.corpus import Article
from rag.metadata import ArticleMeta


@dataclass(frozen=True)
class DocRecord:
    """What the store knows about one committed article."""

    source: str
    doc_hash: str
    title: str
    date: str
    path: str  # "" for a web article
    n_chunks: int
    text: str
    url: str = ""  # web articles: the page's address
    feed: str = ""  # feed items: the feed's title
    feed_stamp: str = ""
    pages: tuple[int, ...] = ()  # PDF: where each page starts in `text`
    version: str = ""  # what commits its chunks (`version_key`); "" in an index built before versions
    # Provenance (rag.metadata); an index built before these existed reads them as "".
    outlet: str = ""
    byline: str = ""
    inferred: tuple[str, ...] = ()  # fields inferred from the text, not stated
    file_stamp: str = ""  # files: rag.file_stamps' stamp of what this record was made from

    @property
    def meta(self) -> ArticleMeta:
        return ArticleMeta(self.title, self.outlet, self.byline, self.date, self.url, self.inferred)

    def same_metadata(self, article: Article) -> bool:
        """Whether re-indexing `article` would change nothing the record or its chunks show."""
        return (self.title, self.date, self.outlet, self.byline, self.url, self.inferred) == (
            article.title,
            article.date,
            article.outlet,
            article.byline,
            article.url,
            article.inferred,
        )


def record_from(source: str, meta: Mapping[str, Any], text: str) -> DocRecord:
    """The record from its Chroma metadata; fields an older index lacks read as empty."""
    return DocRecord(
        source=source,
        doc_hash=str(meta["doc_hash"]),
        title=str(meta.get("title", "")),
        date=str(meta.get("date", "")),
        path=str(meta.get("path", "")),
        n_chunks=int(meta.get("n_chunks", 0)),
        text=text,
        url=str(meta.get("url", "")),
        feed=str(meta.get("feed", "")),
        feed_stamp=str(meta.get("feed_stamp", "")),
        pages=tuple(json.loads(str(meta.get("pages") or "[]"))),
        outlet=str(meta.get("outlet", "")),
        byline=str(meta.get("byline", "")),
        inferred=tuple(f for f in str(meta.get("inferred", "")).split(",") if f),
        version=str(meta.get("version", "")),
        file_stamp=str(meta.get("file_stamp", "")),
    )


def record_metadata(article: Article, n_chunks: int) -> dict[str, Any]:
    return {
        "doc_hash": article.doc_hash,
        "version": version_key(article.source, article.doc_hash),
        "title": article.title,
        "date": article.date,
        "path": str(article.path.resolve()) if article.path else "",
        "url": article.url,
        "feed": article.feed,
        "feed_stamp": article.feed_stamp,
        "file_stamp": article.file_stamp,
        "pages": json.dumps(list(article.pages)),  # Chroma metadata holds no lists
        "outlet": article.outlet,
        "byline": article.byline,
        "inferred": ",".join(article.inferred),
        "n_chunks": n_chunks,
        "indexed_at": time.time(),
    }


def version_key(source: str, doc_hash: str) -> str:
    """What commits a chunk: this file name with this content."""
    return hashlib.sha256(f"{source}\x00{doc_hash}".encode()).hexdigest()[:32]
