"""`rag index URL`: pages and feeds from a real HTTP server on 127.0.0.1 go through the same indexing as files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import Assistant, Settings, load_settings
from rag.indexing import index_paths
from rag.store import ChunkStore
from tests.builders import pdf_bytes
from tests.local_http import Route, Site, serve_site
from tests.test_cli import run


def page(title: str, *paragraphs: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<nav><a href="/">Home</a> | <a href="/news">News</a></nav><main><article><h1>{title}</h1>{body}'
        "</article></main><footer>Copyright Lakeport Gazette</footer></body></html>"
    ).encode()


FERRY = page(
    "Ferry fares to rise in May",
    "The Lakeport harbour authority said on Tuesday that ferry fares will rise by 12 percent from the first of May.",
    "Chief executive Mara Ostrand said the rise would pay for two new electric ferries on the northern crossing.",
)
DAM = page(
    "Vellmar dam repairs approved",
    "The regional water board approved repairs to the Vellmar dam after engineers found three hairline cracks.",
    "The work will cost 4.2 million crowns and is expected to take eight months, the board said.",
)
BRIDGE = page(
    "Ostby bridge reopens to lorries",
    "The Ostby bridge reopened to lorries on Friday after 14 weeks of repairs to its eastern span.",
    "Hauliers said the closure had added forty minutes to the route between the port and the ring road.",
)


def rss(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 feed of (title, path, pubDate) items."""
    entries = "".join(
        f"<item><title>{title}</title><link>{path}</link><guid>{path}</guid><pubDate>{date}</pubDate></item>"
        for title, path, date in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Lakeport Gazette</title>'
        f"<link>/</link>{entries}</channel></rss>"
    ).encode()


GOOD_ITEMS = [
    ("Ferry fares to rise in May", "/news/ferry.html", "Wed, 02 Apr 2031 08:00:00 GMT"),
    ("Vellmar dam repairs approved", "/news/dam.html", "Thu, 03 Apr 2031 09:30:00 GMT"),
]
BAD_ITEMS = [
    ("Deleted story", "/news/gone.html", "Fri, 04 Apr 2031 10:00:00 GMT"),
    ("Slow story", "/news/slow.html", "Fri, 04 Apr 2031 11:00:00 GMT"),
    ("Photo of the day", "/news/photo.png", "Fri, 04 Apr 2031 12:00:00 GMT"),
    ("Huge live blog", "/news/huge.html", "Fri, 04 Apr 2031 13:00:00 GMT"),
]


@pytest.fixture
def site() -> Iterator[Site]:
    with serve_site() as served:
        served.routes["/feed"] = Route(rss(GOOD_ITEMS + BAD_ITEMS), "application/rss+xml")
        served.routes["/news/ferry.html"] = Route(FERRY)
        served.routes["/news/dam.html"] = Route(DAM)
        served.routes["/news/slow.html"] = Route(FERRY, delay=3)
        served.routes["/news/photo.png"] = Route(b"\x89PNG\r\n\x1a\n", "image/png")
        served.routes["/news/huge.html"] = Route(b"<p>" + b"live " * 40_000 + b"</p>")
        yield served


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(env={}, index_dir=tmp_path / "index", llm="extractive", fetch_timeout=1, max_article_mb=0.1)


def test_a_feed_indexes_each_items_page_with_the_feeds_title_date_and_link(
    site: Site, settings: Settings, embedder: object
) -> None:
    report = index_paths([site.url("/feed")], settings, progress=False, embedder=embedder)  # type: ignore[arg-type]
    assert report.added == [site.url("/news/ferry.html"), site.url("/news/dam.html")]
    records = ChunkStore(settings).documents()
    ferry = records[site.url("/news/ferry.html")]
    assert (ferry.title, ferry.date, ferry.url, ferry.feed) == (
        "Ferry fares to rise in May",
        "2031-04-02",
        site.url("/news/ferry.html"),
        "Lakeport Gazette",
    )
    assert ferry.path == "" and "12 percent" in ferry.text and "Home" not in ferry.text
    assert records[site.url("/news/dam.html")].date == "2031-04-03"


def test_one_bad_feed_item_gets_its_own_reason_and_never_stops_the_rest(
    site: Site, settings: Settings, embedder: object
) -> None:
    report = index_paths([site.url("/feed")], settings, progress=False, embedder=embedder)  # type: ignore[arg-type]
    reasons = {str(s.path): s.reason for s in report.skipped}
    assert reasons == {
        site.url("/news/gone.html"): "feed item “Deleted story”: the server answered HTTP 404 Not Found",
        site.url("/news/slow.html"): "feed item “Slow story”: no complete answer within 1 s (RAG_FETCH_TIMEOUT)",
        site.url("/news/photo.png"): "feed item “Photo of the day”: not an article: the server sent image/png; "
        "give an HTML page, a PDF, a .docx file or an RSS/Atom feed",
        site.url("/news/huge.html"): "feed item “Huge live blog”: the page is too big (0.2 MB, over the 0.1 MB "
        "limit, RAG_MAX_ARTICLE_MB)",
    }
    assert len(report.added) == 2


def test_re_indexing_a_feed_fetches_and_indexes_only_new_or_changed_items(
    site: Site, settings: Settings, embedder: object
) -> None:
    feed = site.url("/feed")
    index_paths([feed], settings, progress=False, embedder=embedder)  # type: ignore[arg-type]
    site.requests.clear()

    again = index_paths([feed], settings, progress=False, embedder=embedder)  # type: ignore[arg-type]
    assert again.added == again.updated == [] and again.chunks_written == 0
    assert sorted(again.unchanged) == sorted([site.url("/news/ferry.html"), site.url("/news/dam.html")])
    assert "/news/ferry.html" not in site.requests and "/news/dam.html" not in site.requests

    site.routes["/news/dam.html"] = Route(DAM.replace(b"4.2 million", b"5.1 million"))
    site.routes["/news/bridge.html"] = Route(BRIDGE)
    changed = [
        GOOD_ITEMS[0],
        ("Vellmar dam repairs approved", "/news/dam.html", "Sat, 05 Apr 2031 09:30:00 GMT"),
        ("Ostby bridge reopens to lorries", "/news/bridge.html", "Sun, 06 Apr 2031 07:00:00 GMT"),
    ]
    site.routes["/feed"] = Route(rss(changed), "application/rss+xml")
    site.requests.clear()
    third = index_paths([feed], settings, progress=False, embedder=embedder)  # type: ignore[arg-type]
    assert third.added == [site.url("/news/bridge.html")]
    assert third.updated == [site.url("/news/dam.html")] and third.unchanged == [site.url("/news/ferry.html")]
    assert site.requests == ["/feed", "/news/dam.html", "/news/bridge.html"]
    records = ChunkStore(settings).documents()
    assert "5.1 million" in records[site.url("/news/dam.html")].text
    assert records[site.url("/news/dam.html")].date == "2031-04-05"


def test_a_page_url_is_indexed_as_an_article_whose_source_is_its_address(
    site: Site, settings: Settings, embedder: object
) -> None:
    site.routes["/report.pdf"] = Route(
        pdf_bytes(["Harbour report\n\nThe harbour handled 2,400 ferry crossings in March."]), "application/pdf"
    )
    urls = [site.url("/news/bridge.html#comments"), site.url("/report.pdf"), site.url("/news/photo.png")]
    site.routes["/news/bridge.html"] = Route(BRIDGE)
    report = index_paths(urls, settings, progress=False, embedder=embedder)  # type: ignore[arg-type]
    assert report.added == [site.url("/news/bridge.html"), site.url("/report.pdf")]
    assert [str(s.path) for s in report.skipped] == [site.url("/news/photo.png")]
    records = ChunkStore(settings).documents()
    bridge = records[site.url("/news/bridge.html")]
    assert (bridge.title, bridge.url, bridge.feed) == ("Ostby bridge reopens to lorries", bridge.source, "")
    assert records[site.url("/report.pdf")].pages == (0,)

    again = index_paths(urls[:2], settings, progress=False, embedder=embedder)  # type: ignore[arg-type]
    assert again.unchanged == [site.url("/news/bridge.html"), site.url("/report.pdf")]
    assert again.chunks_written == 0


def test_a_question_about_a_feed_item_cites_its_page(site: Site, settings: Settings, embedder: object) -> None:
    index_paths([site.url("/feed")], settings, progress=False, embedder=embedder)  # type: ignore[arg-type]
    text = ChunkStore(settings).documents()[site.url("/news/dam.html")].text
    with Assistant(settings) as assistant:
        answer = assistant.ask("What will the Vellmar dam work cost?")
    cited = next(c for c in answer.citations if "4.2 million crowns" in c.quote)
    assert (cited.source, cited.date, cited.title) == (
        site.url("/news/dam.html"),
        "2031-04-03",
        "Vellmar dam repairs approved",
    )
    assert cited.quote == text[cited.start : cited.end]


def test_rag_index_of_a_feed_url_warns_per_bad_item_and_the_answer_cites_an_item(site: Site, tmp_path: Path) -> None:
    env = {"RAG_INDEX_DIR": str(tmp_path / "index"), "RAG_FETCH_TIMEOUT": "1", "RAG_MAX_ARTICLE_MB": "0.1"}
    indexed = run(["index", "--quiet", site.url("/feed")], tmp_path, **env)
    assert indexed.returncode == 0, indexed.stderr
    assert "2 added, 0 updated, 0 unchanged" in indexed.stdout
    assert (
        f"warning: skipped {site.url('/news/gone.html')}: feed item “Deleted story”: the server answered HTTP 404"
        in (indexed.stderr)
    )
    assert indexed.stderr.count("warning: skipped") == 4 and "Traceback" not in indexed.stderr

    asked = run(["ask", "--json", "By how much will Lakeport ferry fares rise?"], tmp_path, **env)
    answer = json.loads(asked.stdout)
    cited = answer["citations"][0]
    assert cited["source"] == site.url("/news/ferry.html") and cited["date"] == "2031-04-02"
    assert "12 percent" in cited["quote"]

    listed = run(["list"], tmp_path, **env)
    assert f"{site.url('/news/ferry.html')}\t2031-04-02\t" in listed.stdout


def test_a_url_that_fails_alone_exits_nonzero_saying_why(tmp_path: Path, site: Site) -> None:
    result = run(["index", "--quiet", site.url("/news/gone.html")], tmp_path, RAG_INDEX_DIR=str(tmp_path / "index"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"warning: skipped {site.url('/news/gone.html')}: the server answered HTTP 404 Not Found" in result.stderr
    assert "Nothing could be indexed: the warnings above say why." in result.stderr
