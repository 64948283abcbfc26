"""Which articles a question names: by outlet ("the Times of Israel report") or by date ("the
September 2024 report"), read from the article metadata, never searched for in the text."""

from __future__ import annotations

from dataclasses import replace

from rag.article_facts import ArticleCatalog
from rag.question import PLURAL_REPORTS, Question, parse_question
from rag.relevance import date_matches, outlet_words
from rag.words import MONTHS, mentions


def report_targets(articles: ArticleCatalog | None, question: Question) -> tuple[tuple[str, ...], list[set[str]]]:
    """The reports a question names, when it names two or more ("the New York Times and the
    Times of Israel reports", "… and in the September 2024 report"), with each one's articles."""
    names = list(question.outlets)
    if articles is None:
        return (), []
    targets = [articles.reports_of(o) for o in names]
    if len(question.months) > 1 and PLURAL_REPORTS.search(question.text):
        # "the March and September reports": one report per month named.
        for month in sorted(question.months, key=MONTHS.index):
            names.append(" ".join((month.capitalize(), *sorted(question.years))))
            targets.append(
                articles.dated(lambda date, m=month: date_matches(date, replace(question, months=frozenset({m}))))
            )
    elif (question.years or question.months) and question.reports_named > 1:
        names.append(" ".join(sorted(question.months, key=MONTHS.index) + sorted(question.years)).capitalize())
        targets.append(articles.dated(lambda date: date_matches(date, question)))
    kept = [(n, t) for n, t in zip(names, targets, strict=True) if t]
    if len(kept) < 2:
        return (), []
    return tuple(n for n, _ in kept), [t for _, t in kept]


def articles_asked_for(articles: ArticleCatalog | None, question: str | Question) -> set[str]:
    """Articles the question's date or outlet points to; empty when it names none we can match.
    A question naming two reports asks across them: every named report's articles."""
    parsed = parse_question(question) if isinstance(question, str) else question
    _, targets = report_targets(articles, parsed)
    if targets:
        return set().union(*targets)
    if parsed.reports_named > 1:
        return set()
    picks: set[str] = set()
    if articles is None:
        return picks
    if parsed.years or parsed.months:
        picks = articles.dated(lambda date: date_matches(date, parsed))
    if parsed.outlet:
        outlet = parsed.outlet
        outlet_picks = articles.with_words(outlet, outlet_words(outlet), lambda title: mentions(title, outlet))
        picks = (picks & outlet_picks) or picks or outlet_picks
    return picks
