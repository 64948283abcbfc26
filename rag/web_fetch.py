"""Fetch one web page or feed for `rag index URL`, within a time and size limit, saying plainly what went wrong.

This is the only place rag reaches beyond this machine, and only for an address the user
gave (or a feed they gave links to). httpx follows redirects (at most `MAX_REDIRECTS`);
the size limit is checked on the declared length and again while reading, since a server
may not declare it, and the time limit covers the whole download, since httpx's own
timeout only bounds each wait for a byte.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

import httpx

from rag.config import Settings

MAX_REDIRECTS = 5
USER_AGENT = "newsrag/0.1 (indexes articles for question answering)"
_ACCEPT = (
    "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
)


class FetchError(Exception):
    """A page that could not be fetched; the message says why, in a user's words."""


@dataclass(frozen=True)
class Fetched:
    """What a server sent: the address asked, the one it ended at, the media type and the bytes."""

    url: str
    final_url: str
    content_type: str  # lower-case media type without parameters, "" when the server sent none
    body: bytes


def is_url(text: str) -> bool:
    """An http(s) address (anything else on the command line is a path)."""
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def normalise_url(url: str) -> str:
    """The address as an article id: the #fragment names a place in the page, not another page."""
    return urldefrag(url.strip()).url


class Fetcher:
    """One HTTP client for a whole indexing run (connections to the same site are reused)."""

    def __init__(self, settings: Settings) -> None:
        self.timeout = settings.fetch_timeout
        self.max_bytes = int(settings.max_article_mb * 1024 * 1024)
        self.max_mb = settings.max_article_mb
        self.client = httpx.Client(
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            timeout=settings.fetch_timeout,
            headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.client.close()

    def fetch(self, url: str) -> Fetched:
        """GET `url`; raises `FetchError` for a timeout, an HTTP error, too many redirects or too many bytes."""
        deadline = time.monotonic() + self.timeout
        try:
            with self.client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise FetchError(f"the server answered HTTP {response.status_code} {response.reason_phrase}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(self._too_big(int(declared)))
                body = bytearray()
                for piece in response.iter_bytes():
                    body += piece
                    if len(body) > self.max_bytes:
                        raise FetchError(self._too_big(None))
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("the whole download took too long")
                media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return Fetched(url, str(response.url), media_type, bytes(body))
        except httpx.TimeoutException as exc:
            raise FetchError(f"no complete answer within {self.timeout:g} s (RAG_FETCH_TIMEOUT)") from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError(f"more than {MAX_REDIRECTS} redirects; give the page's final address") from exc
        except httpx.ConnectError as exc:
            raise FetchError(f"cannot connect to {urlsplit(url).netloc} ({exc})") from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise FetchError(f"not a fetchable address ({exc})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"the download failed ({type(exc).__name__}: {exc})") from exc

    def _too_big(self, size: int | None) -> str:
        said = f"{size / 1024 / 1024:.1f} MB, " if size is not None else ""
        return f"the page is too big ({said}over the {self.max_mb:g} MB limit, RAG_MAX_ARTICLE_MB)"
