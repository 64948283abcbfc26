"""Turn files on disk into articles: exact text, provenance (title, outlet, byline, date, URL), and where
the body starts. Provenance rules live in `rag.metadata`.

Offsets everywhere in the pipeline are character offsets into `Article.text`, which is the
file's decoded UTF-8 text for .txt/.md and the extracted text for .html, .pdf and .docx
(`rag.documents`). Web pages and feed items (`rag.web_articles`) become articles here too.
"""

from __future__ import annotations

import errno
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from rag.documents import DOCUMENT_EXTENSIONS, UnreadableDocument, extract
from rag.metadata import ArticleMeta, MetadataError, front_matter, inferred_from_text, is_sidecar, read_sidecar

SUPPORTED_EXTENSIONS = (".txt", ".md", ".html", ".htm", *DOCUMENT_EXTENSIONS)
_DATE_MARKER = re.compile(r"\s*(?:date|dated|published)\s*:?\s*(\d{4}-\d{2}-\d{2})\b\s*", re.IGNORECASE)
_LOOP = "a symbolic link loop (the link leads back to itself); fix or remove the link"


@dataclass(frozen=True)
class Article:
    """One source document, with everything a citation needs to point back into it."""

    source: str  # file name, or the URL of a web article: the id users see in citations
    path: Path | None  # None for a web article
    text: str
    title: str
    date: str  # ISO publication date, else ""
    body_start: int  # offset after a leading front-matter block or date marker
    url: str = ""  # the article's address: a web article's page (a feed item's link), or as its metadata states
    feed: str = ""  # feed items: the feed's title
    # Feed items: the entry's id and date as the feed states them; while they stay the same, a
    # re-run does not fetch the page again.
    feed_stamp: str = ""
    pages: tuple[int, ...] = ()  # PDF: the offset in `text` where each page starts (rag.documents)
    outlet: str = ""  # who published it ("The New York Times")
    byline: str = ""
    inferred: tuple[str, ...] = ()  # fields guessed from the text, not stated (rag.metadata)
    file_stamp: str = ""  # files: what the record was made from (rag.file_stamps); "" when not known

    @property
    def meta(self) -> ArticleMeta:
        return ArticleMeta(self.title, self.outlet, self.byline, self.date, self.url, self.inferred)

    def with_meta(self, meta: ArticleMeta) -> Article:
        fields = ("title", "outlet", "byline", "date", "url", "inferred")
        return replace(self, **{f: getattr(meta, f) for f in fields})

    @cached_property
    def doc_hash(self) -> str:
        """Content hash: unchanged files are recognised and skipped on re-index.

        Cached: every chunk names it, and hashing a 3 MB text once per chunk made chunking
        quadratic in the file's size (396 s for a 3 MB file)."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Skipped:
    """A file that could not be used, and why (shown to the user as a warning)."""

    path: Path | str  # a file, or the URL of a web page or feed item
    reason: str


def find_files(paths: Iterable[Path]) -> tuple[list[Path], list[Skipped]]:
    """Expand folders; report missing paths and unsupported files instead of failing."""
    found: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        if not path.exists():
            skipped.append(Skipped(path, _missing_reason(path)))
        elif path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            if not inside:
                skipped.append(Skipped(path, "folder is empty"))
            for file in inside:
                _sort_file(file, found, skipped)
        else:
            _sort_file(path, found, skipped)
    return found, skipped


def _missing_reason(path: Path) -> str:
    """Why a path does not exist: a link that leads back to itself deserves its own message."""
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 raises this for a symlink loop
        return _LOOP
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _LOOP
    return "no such file or folder"


def _sort_file(path: Path, found: list[Path], skipped: list[Skipped]) -> None:
    if is_sidecar(path):
        return  # an article's metadata, read with the article
    if path.suffix.lower() in SUPPORTED_EXTENSIONS:
        found.append(path)
    else:
        reason = f"unsupported extension {path.suffix or '(none)'}; use {', '.join(SUPPORTED_EXTENSIONS)}"
        skipped.append(Skipped(path, reason))


def load_article(path: Path, max_mb: float = 10.0) -> Article | Skipped:
    """Read one file; anything unusable becomes a `Skipped` with a reason, never an exception.

    Files over `max_mb` (default: the web app's upload limit) are refused before they are read,
    with the file named: a news article is tens of kilobytes, and 10 MB of text is about 16,000
    chunks, which take the embedder minutes on two cores (chunking them takes seconds).
    """
    try:
        size = path.stat().st_size
        if size > max_mb * 1024 * 1024:
            return Skipped(
                path, f"{size / 1024 / 1024:.1f} MB is over the {max_mb:g} MB limit (RAG_MAX_ARTICLE_MB); split it"
            )
        raw = path.read_bytes()
    except OSError as exc:
        return Skipped(path, f"cannot read: {exc.strerror or exc}")
    try:
        sidecar = read_sidecar(path)
    except MetadataError as exc:
        return Skipped(path, str(exc))
    loaded = _load_bytes(path, raw)
    return loaded.with_meta(sidecar.over(loaded.meta)) if isinstance(loaded, Article) else loaded


def _load_bytes(path: Path, raw: bytes) -> Article | Skipped:
    if path.suffix.lower() in DOCUMENT_EXTENSIONS:
        return _from_document(path, raw)
    if b"\x00" in raw:
        return Skipped(path, "looks binary (contains NUL bytes)")
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Skipped(path, f"not valid UTF-8 (byte {exc.start}); re-save it as UTF-8")
    if path.suffix.lower() in (".html", ".htm"):
        return article_from_html(path.name, decoded, path=path)
    return article_from_text(path.name, decoded, path=path)


def _from_document(path: Path, raw: bytes) -> Article | Skipped:
    try:
        extracted = extract(raw, path.suffix.lower())
    except UnreadableDocument as exc:
        return Skipped(path, str(exc))
    return article_from_text(path.name, extracted.text, path=path, title=extracted.title, pages=extracted.pages)


def article_from_text(
    source: str, text: str, *, path: Path | None = None, title: str = "", pages: tuple[int, ...] = (), url: str = ""
) -> Article | Skipped:
    """Plain text (or text extracted from a document): provenance from a front-matter block, a leading
    `date 2024-09-16` line, the document's title property, else inferred from the text (`rag.metadata`)."""
    if not text.strip():
        return Skipped(path or source, "file is empty")
    try:
        stated, body_start = front_matter(text, source)
    except MetadataError as exc:
        return Skipped(path or source, str(exc))
    marker = _DATE_MARKER.match(text, body_start)
    body_start = marker.end() if marker else body_start
    stated = stated.over(ArticleMeta(title=title, date=marker.group(1) if marker else "", url=url))
    meta = stated.over(inferred_from_text(text[body_start:], _stem(source)))
    return Article(source, path, text, "", "", body_start, pages=pages).with_meta(meta)


def article_from_html(source: str, html: str | bytes, *, path: Path | None = None, url: str = "") -> Article | Skipped:
    """The article text of a page (bytes are decoded by trafilatura, which reads the page's charset)."""
    # trafilatura strips navigation, ads and boilerplate; regexes over HTML would not.
    import trafilatura

    # Dates only from the page's metadata (no search of the text): what the text suggests is ours to
    # infer, and to mark as inferred.
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = (doc.text or "").strip() if doc is not None else ""
    if not text:
        return Skipped(path or source, "no article text found in the HTML")
    sitename = (doc.sitename or "").strip()
    stated = ArticleMeta(
        title=(doc.title or "").strip(),
        outlet=sitename,
        byline=(doc.author or "").strip(),
        date=(doc.date or "")[:10] if re.match(r"\d{4}-\d{2}-\d{2}", doc.date or "") else "",
        url=url or (doc.url or ""),
        # trafilatura names the site by its host name when the page names none: a guess.
        inferred=("outlet",) if sitename and sitename == (doc.hostname or "") else (),
    )
    meta = stated.over(inferred_from_text(text, _stem(source)))
    return Article(source, path, text, "", "", 0).with_meta(meta)


def _stem(source: str) -> str:
    """A file name without its extension, or a URL's last path segment: the title of last resort."""
    return Path(source.rstrip("/").rsplit("/", 1)[-1]).stem or source
