"""Fetching a page for `rag index URL`: redirects followed, limits kept, and every failure said plainly."""

from __future__ import annotations

import socket

import pytest

from rag import load_settings
from rag.web_fetch import MAX_REDIRECTS, Fetcher, FetchError, is_url, normalise_url
from tests.local_http import Route, serve_site


def _fetcher(**settings: float) -> Fetcher:
    return Fetcher(load_settings(env={}, **settings))


def test_a_page_is_fetched_with_its_media_type_and_the_address_it_ended_at() -> None:
    with serve_site() as site, _fetcher() as fetcher:
        site.routes["/new"] = Route(b"<html>hello</html>", "text/html; charset=utf-8")
        site.routes["/old"] = Route(status=301, headers={"Location": "/new"})
        fetched = fetcher.fetch(site.url("/old"))
    assert fetched.url == site.url("/old") and fetched.final_url == site.url("/new")
    assert (fetched.content_type, fetched.body) == ("text/html", b"<html>hello</html>")


def test_an_http_error_names_its_status() -> None:
    with serve_site() as site, _fetcher() as fetcher, pytest.raises(FetchError, match="HTTP 404 Not Found"):
        fetcher.fetch(site.url("/gone"))


def test_a_silent_server_times_out_naming_the_setting() -> None:
    with serve_site() as site, _fetcher(fetch_timeout=0.5) as fetcher:
        site.routes["/slow"] = Route(b"late", delay=3)
        with pytest.raises(FetchError, match=r"within 0\.5 s \(RAG_FETCH_TIMEOUT\)"):
            fetcher.fetch(site.url("/slow"))


@pytest.mark.parametrize("declared", [True, False])
def test_a_page_over_the_size_limit_is_refused_whether_or_not_it_says_its_length(declared: bool) -> None:
    with serve_site() as site, _fetcher(max_article_mb=0.01) as fetcher:
        site.routes["/big"] = Route(b"x" * 200_000, declare_length=declared)
        with pytest.raises(FetchError, match=r"too big .*over the 0\.01 MB limit, RAG_MAX_ARTICLE_MB"):
            fetcher.fetch(site.url("/big"))


def test_a_redirect_loop_stops_after_the_redirect_limit() -> None:
    with serve_site() as site, _fetcher() as fetcher:
        site.routes["/a"] = Route(status=302, headers={"Location": "/b"})
        site.routes["/b"] = Route(status=302, headers={"Location": "/a"})
        with pytest.raises(FetchError, match=f"more than {MAX_REDIRECTS} redirects"):
            fetcher.fetch(site.url("/a"))
    assert len(site.requests) == MAX_REDIRECTS + 1


def test_nothing_listening_is_a_connection_error_naming_the_host() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with _fetcher() as fetcher, pytest.raises(FetchError, match=f"cannot connect to 127.0.0.1:{port}"):
        fetcher.fetch(f"http://127.0.0.1:{port}/article")


def test_only_http_addresses_are_urls_and_their_fragment_is_dropped() -> None:
    assert is_url("https://example.org/a") and is_url("http://127.0.0.1:8000/feed.xml")
    assert not any(is_url(text) for text in ("seeds/", "file:///tmp/a.html", "example.org/a", "C:\\news"))
    assert normalise_url(" https://example.org/a?x=1#comments ") == "https://example.org/a?x=1"
