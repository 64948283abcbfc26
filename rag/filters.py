"""Which articles a question may be answered from: by publication date, outlet, or a chosen set of articles.

An analyst asks "only what was published since 1 September", "only the NYT", "only these three
files". The filter is a predicate over article records (their metadata, `rag.metadata`); the
retriever applies the resulting set of articles to dense retrieval (a Chroma metadata filter) and
to BM25 (the same set, on its results) alike, so no answer can cite an article outside it.

A question can narrow itself the same way: "in the September 2024 report", "according to the NYT"
name a report by its date or outlet. That narrowing applies only when the words name a report (a
month alone may be when something happened, not when it was reported), and never empties the
set: a question naming no indexed outlet is answered from everything the filter allows.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from rag.errors import BadInputError
from rag.metadata import ArticleMeta, parse_date
from rag.outlets import same_outlet
from rag.question import Question
from rag.relevance import date_matches


@dataclass(frozen=True)
class ArticleFilter:
    """Dates are ISO and inclusive; an article must match every part that is set (any of the outlets or
    sources listed). An article without a date never matches a date bound: its date is unknown."""

    since: str = ""
    until: str = ""
    outlets: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.since or self.until or self.outlets or self.sources)

    def admits(self, source: str, meta: ArticleMeta) -> bool:
        if self.sources and source not in self.sources:
            return False
        if self.outlets and not any(same_outlet(meta.outlet, o) for o in self.outlets):
            return False
        if (self.since or self.until) and not meta.date:
            return False
        return not ((self.since and meta.date < self.since) or (self.until and meta.date > self.until))

    def describe(self) -> str:
        """The filter in words, for messages: "published on or after 2024-09-01, from The New York Times"."""
        parts = []
        if self.since:
            parts.append(f"published on or after {self.since}")
        if self.until:
            parts.append(f"published on or before {self.until}")
        if self.outlets:
            parts.append("from " + " or ".join(self.outlets))
        if self.sources:
            parts.append("among " + ", ".join(self.sources))
        return ", ".join(parts) or "any article"

    def to_dict(self) -> dict[str, object]:
        return {"since": self.since, "until": self.until, "outlets": list(self.outlets), "sources": list(self.sources)}


def make_filter(
    since: str | None = None,
    until: str | None = None,
    outlets: Iterable[str] | str | None = None,
    sources: Iterable[str] | str | None = None,
) -> ArticleFilter:
    """Checked user input (CLI flags, API fields): dates in any spelling `parse_date` reads; a string of
    outlets or sources is split at commas."""
    checked = {}
    for name, value in (("since", since), ("until", until)):
        text = (value or "").strip()
        checked[name] = parse_date(text) if text else ""
        if text and not checked[name]:
            raise BadInputError(f"--{name} {text!r} is not a date: write it as 2024-09-01.")
    if checked["since"] and checked["until"] and checked["since"] > checked["until"]:
        raise BadInputError(f"--since {checked['since']} is after --until {checked['until']}: no date fits both.")
    return ArticleFilter(checked["since"], checked["until"], _listed(outlets), _listed(sources))


def _listed(values: Iterable[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    items = values.split(",") if isinstance(values, str) else [v for value in values for v in value.split(",")]
    return tuple(dict.fromkeys(v.strip() for v in items if v.strip()))


def allowed_articles(articles: Mapping[str, ArticleMeta], chosen: ArticleFilter) -> set[str] | None:
    """The sources the filter admits; None when there is no filter. Raises when it admits none."""
    if not chosen.active:
        return None
    allowed = {source for source, meta in articles.items() if chosen.admits(source, meta)}
    if not allowed:
        raise BadInputError(
            f"No indexed article is {chosen.describe()} ({len(articles)} indexed; see `rag list` or the Library): "
            "widen the filter."
        )
    return allowed


def narrowed_to_named(
    allowed: set[str] | None,
    articles: Mapping[str, ArticleMeta],
    question: Question,
    reports_of: Callable[[str], set[str]] | None = None,
) -> set[str] | None:
    """`allowed` (None: all of `articles`) narrowed to the reports the question names, when it is wholly
    about them ("According to the NYT, how many …"). One with several parts or across reports ("… in
    the September report, and what did Kirby say?") names only part of what it asks about: the
    evidence stage reads the named reports' chunks and prefers them without ruling the others out."""
    if question.across or question.clauses or len(question.parts) > 1:
        return allowed
    kept = articles if allowed is None else {s: m for s, m in articles.items() if s in allowed}
    named = named_in_question(question, kept, reports_of)
    return (named & allowed if allowed is not None else named) or allowed


def named_in_question(
    question: Question,
    articles: Mapping[str, ArticleMeta],
    reports_of: Callable[[str], set[str]] | None = None,
) -> set[str]:
    """The articles a question names as reports by outlet ("according to the NYT", "the Herald's piece")
    or by date ("the September 2024 report"); empty when it names none that is indexed.

    An outlet is one some article's metadata states. `reports_of` (`ArticleCatalog.reports_of`) also
    picks the articles whose outlet is not known but whose text names it: where only some articles
    have an outlet, the metadata alone would narrow a question to those few."""
    picked: set[str] = set()
    outlets = {meta.outlet for meta in articles.values() if meta.outlet}
    for outlet in outlets:
        if _names_outlet(question.text, outlet):
            picked |= {s for s, meta in articles.items() if meta.outlet == outlet}
            if reports_of is not None:
                picked |= reports_of(outlet) & set(articles)
    if (question.months or question.years) and question.reports_named:
        picked |= {s for s, meta in articles.items() if meta.date and date_matches(meta.date, question)}
    return picked


def _names_outlet(text: str, outlet: str) -> bool:
    """The whole name ("Times of Israel"), its initials ("NYT"), or its capitalised last word after
    "the" ("the Herald" for "The Kesterian Herald"; not "the Times" or "the Post", which name many)."""
    words = re.sub(r"^the\s+", "", outlet.strip(), flags=re.I)
    if re.search(rf"\b{re.escape(words)}\b", text, re.I):
        return True
    initials = "".join(w[0] for w in words.split())
    if len(initials) > 1 and any(same_outlet(outlet, t) for t in re.findall(rf"\b{initials}\b", text, re.I)):
        return True
    last = words.split()[-1] if words.split() else ""
    return bool(last) and bool(re.search(rf"\b[Tt]he {re.escape(last)}\b", text)) and same_outlet(outlet, last)


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """`--since`, `--until`, `--outlet`, `--source` for `rag ask`, `chat` and `eval`."""
    parser.add_argument("--since", help="only articles published on or after this date (2024-09-01)")
    parser.add_argument("--until", help="only articles published on or before this date")
    parser.add_argument(
        "--outlet", action="append", help="only articles from this outlet (repeat, or comma-separate, for several)"
    )
    parser.add_argument(
        "--source", action="append", help="only this article, by the file name or URL `rag list` shows (repeatable)"
    )


def filter_from_args(args: argparse.Namespace) -> ArticleFilter:
    return make_filter(args.since, args.until, args.outlet, args.source)
