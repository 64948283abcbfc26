"""RSS and Atom feeds, read by feedparser from bytes we fetched (so feedparser itself never goes online).

A URL is a feed when feedparser recognises a feed format in what the server sent, whatever its
extension or declared type: many servers send feeds as text/xml or text/plain.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rag.web_fetch import Fetched, normalise_url

# Pages, PDFs and Word files are read as articles; only other bodies are tried as feeds.
_NOT_FEEDS = ("text/html", "application/xhtml+xml", "application/pdf", "application/vnd.openxmlformats")


@dataclass(frozen=True)
class FeedItem:
    """One entry: where its page is, and what the feed says about it."""

    link: str
    title: str
    date: str  # ISO date from the entry's published (else updated) time, "" when it has none
    stamp: str  # the entry's id and dates: unchanged means the page need not be fetched again


@dataclass(frozen=True)
class Feed:
    title: str
    items: list[FeedItem]
    without_link: int  # entries without a link: nothing to index for them


def parse_feed(fetched: Fetched) -> Feed | None:
    """The feed in `fetched`, or None when it is not one."""
    import feedparser

    if fetched.content_type.startswith(_NOT_FEEDS):
        return None
    # content-location makes feedparser resolve relative item links against the address the feed came from.
    parsed = feedparser.parse(
        fetched.body,
        response_headers={"content-location": fetched.final_url, "content-type": fetched.content_type or "text/xml"},
    )
    if not parsed.get("version"):
        return None
    items: list[FeedItem] = []
    missing = 0
    for entry in parsed.entries:
        link = normalise_url(entry.get("link", ""))
        if not link:
            missing += 1
            continue
        # dict.get: feedparser's own get answers a missing "updated" with "published" and a DeprecationWarning.
        updated = dict.get(entry, "updated", "")
        when = entry.get("published_parsed") or dict.get(entry, "updated_parsed")
        date = time.strftime("%Y-%m-%d", when) if when else ""
        stamped = updated or entry.get("published") or ""
        stamp = f"{entry.get('id', link)}|{stamped}" if stamped else ""
        items.append(FeedItem(link, (entry.get("title") or "").strip(), date, stamp))
    title = (parsed.feed.get("title") or "").strip() or fetched.final_url
    return Feed(title, items, missing)
