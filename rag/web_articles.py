"""Articles from the web: `rag index URL` with a page, a PDF or Word file, or an RSS/Atom feed of pages.

Each page becomes an `Article` exactly as a file would (the same extraction, the same hashes),
with the URL as its source id, so the indexer adds, updates and skips web articles the way it
does files. A feed item takes the feed's title, date and link; one that cannot be fetched or
read is skipped with its own reason and the others go on. A feed item whose entry (id and
dates) is unchanged since it was indexed is not fetched again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from rag.config import Settings
from rag.corpus import Article, Skipped, article_from_html, article_from_text
from rag.documents import DOCX_TYPE, PDF_TYPE, UnreadableDocument, extract
from rag.feeds import Feed, FeedItem, parse_feed
from rag.metadata import ArticleMeta
from rag.web_fetch import Fetched, Fetcher, FetchError, normalise_url

HTML_TYPES = ("text/html", "application/xhtml+xml")
_DOCUMENT_KINDS = {PDF_TYPE: ".pdf", DOCX_TYPE: ".docx"}


@dataclass(frozen=True)
class UnchangedItem:
    """A feed item whose entry is as it was when it was indexed: its page was not fetched again."""

    source: str


WebResult = Article | Skipped | UnchangedItem


def web_articles(urls: Iterable[str], settings: Settings, stamps: Mapping[str, str]) -> Iterator[WebResult]:
    """Each URL's article, or each of its feed's items; `stamps` maps indexed feed items to their entry stamps."""
    with Fetcher(settings) as fetcher:
        for url in urls:
            yield from _from_url(fetcher, normalise_url(url), stamps)


def _from_url(fetcher: Fetcher, url: str, stamps: Mapping[str, str]) -> Iterator[WebResult]:
    try:
        fetched = fetcher.fetch(url)
    except FetchError as exc:
        yield Skipped(url, str(exc))
        return
    feed = parse_feed(fetched)
    if feed is None:
        yield page_article(fetched)
        return
    if not feed.items:
        yield Skipped(url, f"the feed “{feed.title}” has no items with a link")
        return
    if feed.without_link:
        yield Skipped(url, f"{feed.without_link} item(s) of the feed “{feed.title}” have no link; indexed the rest")
    for item in feed.items:
        if item.stamp and stamps.get(item.link) == item.stamp:
            yield UnchangedItem(item.link)
        else:
            yield _feed_item(fetcher, feed, item)


def _feed_item(fetcher: Fetcher, feed: Feed, item: FeedItem) -> Article | Skipped:
    label = f"feed item “{item.title or item.link}”"
    try:
        fetched = fetcher.fetch(item.link)
    except FetchError as exc:
        return Skipped(item.link, f"{label}: {exc}")
    article = page_article(fetched)
    if isinstance(article, Skipped):
        return replace(article, reason=f"{label}: {article.reason}")
    from_feed = ArticleMeta(title=item.title, date=item.date)  # the feed states them: not inferred
    return replace(article.with_meta(from_feed.over(article.meta)), feed=feed.title, feed_stamp=item.stamp)


def page_article(fetched: Fetched) -> Article | Skipped:
    """One fetched page (HTML, PDF, .docx or plain text) as an article whose source is its URL."""
    source, kind = fetched.url, fetched.content_type
    if kind in HTML_TYPES or (not kind and _looks_like_html(fetched.body)):
        return article_from_html(source, fetched.body, url=source)
    if kind in _DOCUMENT_KINDS:
        try:
            extracted = extract(fetched.body, _DOCUMENT_KINDS[kind])
        except UnreadableDocument as exc:
            return Skipped(source, str(exc))
        return article_from_text(source, extracted.text, title=extracted.title, pages=extracted.pages, url=source)
    if kind == "text/plain":
        try:
            return article_from_text(source, fetched.body.decode("utf-8-sig"), url=source)
        except UnicodeDecodeError:
            return Skipped(source, "the text is not UTF-8")
    return Skipped(
        source,
        f"not an article: the server sent {kind or 'no content type'}; give an HTML page, a PDF, "
        "a .docx file or an RSS/Atom feed",
    )


def _looks_like_html(body: bytes) -> bool:
    """A server that sends no content type: sniff the start, as browsers do."""
    start = body[:512].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html"))
