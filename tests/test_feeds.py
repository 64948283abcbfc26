"""Feeds are recognised by what they hold, not their name; items keep the feed's title, date and link."""

from __future__ import annotations

from rag.feeds import parse_feed
from rag.web_fetch import Fetched

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Lakeport Gazette</title><link>http://news.test/</link>
<item><title>Ferry fares to rise</title><link>/2031/ferry.html#top</link><guid>ferry-1</guid>
<pubDate>Wed, 02 Apr 2031 08:00:00 GMT</pubDate></item>
<item><title>Dam repairs approved</title><link>http://news.test/2031/dam.html</link></item>
<item><title>No link here</title><description>Only text.</description></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour Notes</title><id>urn:notes</id>
<updated>2031-05-01T10:00:00Z</updated>
<entry><title>Bridge reopens</title><id>urn:notes:bridge</id><link href="http://news.test/bridge"/>
<updated>2031-05-01T10:00:00Z</updated></entry></feed>"""


def _fetched(body: bytes, content_type: str, url: str = "http://news.test/feeds/all.xml") -> Fetched:
    return Fetched(url, url, content_type, body)


def test_rss_items_keep_their_title_date_and_absolute_link() -> None:
    feed = parse_feed(_fetched(RSS, "application/rss+xml"))
    assert feed is not None and feed.title == "Lakeport Gazette"
    ferry, dam = feed.items
    assert (ferry.link, ferry.title, ferry.date) == (
        "http://news.test/2031/ferry.html",
        "Ferry fares to rise",
        "2031-04-02",
    )
    assert ferry.stamp.endswith("ferry-1|Wed, 02 Apr 2031 08:00:00 GMT")  # feedparser makes the guid absolute
    assert (dam.date, dam.stamp) == ("", "")  # no date: its page is fetched on every run and compared by content
    assert feed.without_link == 1


def test_atom_entries_take_their_updated_date() -> None:
    feed = parse_feed(_fetched(ATOM, "application/atom+xml"))
    assert feed is not None and feed.title == "Harbour Notes"
    assert [(i.link, i.date) for i in feed.items] == [("http://news.test/bridge", "2031-05-01")]
    assert feed.items[0].stamp == "urn:notes:bridge|2031-05-01T10:00:00Z"


def test_a_feed_sent_as_plain_text_or_without_a_type_is_still_a_feed() -> None:
    assert parse_feed(_fetched(RSS, "text/plain")) is not None
    assert parse_feed(_fetched(ATOM, "")) is not None


def test_pages_and_documents_are_not_feeds() -> None:
    assert parse_feed(_fetched(b"<html><body><p>Ferry fares rise.</p></body></html>", "text/html")) is None
    assert parse_feed(_fetched(b"just words", "text/plain")) is None
    assert parse_feed(_fetched(b"%PDF-1.7", "application/pdf")) is None
