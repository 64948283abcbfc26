"""Which articles a question names: by outlet ("the Times of Israel report") or by date ("the
September 2024 report"), read from the article metadata, never searched for in the text."""

from __future__ import annotations

import re
from dataclasses import replace

from rag.article_facts import ArticleCatalog
from rag.outlets import named_outlets, outlets_mentioned, without_outlets
from rag.question import PLURAL_REPORTS, REPORT_NOUN, Question, parse_question
from rag.relevance import date_matches, outlet_words
from rag.words import MONTHS, mentions

_MONTH_NAMES = "(?:" + "|".join(MONTHS) + ")"


# One report a question names, up to its noun and a date after it: "the August 22 Times of Israel
# report", "the New York Times piece of August 20", "the February report".
_REFERENCE = re.compile(
    rf"\b{REPORT_NOUN}\b(?:\s+(?:of|from|dated|on|published on)\s+(?:{_MONTH_NAMES})\s+\d{{1,2}}(?:,?\s+\d{{4}})?)?",
    re.IGNORECASE,
)
_DAY = re.compile(
    rf"\b(?P<month>{_MONTH_NAMES})\s+(?P<day>\d{{1,2}})\b(?!,\d)|\b(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTH_NAMES})\b",
    re.I,
)


# Words that name a report rather than what is asked of it: "the August 22 Times of Israel report",
# "the New York Times piece of August 20", "in his March briefing". They pick the article (its
# metadata); a sentence saying "February" or "report" is no closer to the answer, yet word-by-word
# matching (rag.token_match) rewarded it. A date that is not a report's ("killed in the 24 hours
# before September 16") is what is asked, and stays. Months capitalised: "may" is a verb.
# Whole words only ("reported", "Mayor" stay), and not the report nouns that are ordinary words too
# ("what items were let in", "an update to the plan").
_DATE = rf"(?:{'|'.join(m.capitalize() for m in MONTHS)})\b(?:\s+\d{{1,2}}\b)?(?:,?\s+\d{{4}}\b)?"
_NOUN = r"(?i:reports?|articles?|pieces?|stor(?:y|ies)|dispatch(?:es)?|briefings?)"
_MENTION = re.compile(
    rf"\b{_DATE}(?=(?:\s+(?:[A-Z][\w’'\-]*|of))*\s+{_NOUN}\b)|\b{_NOUN}\b(?:\s+(?:of|from|dated|on)\s+{_DATE})?"
)


def matching_text(articles: ArticleCatalog | None, question: Question) -> str:
    """The question as words to match in a sentence: without its outlets, and without the dates and
    report nouns that only say which article it asks about (when they do pick articles)."""
    text = without_outlets(question.text, question.outlets)
    if not articles_asked_for(articles, question):
        return text
    return " ".join(_MENTION.sub(" ", text).split())


def _references(articles: ArticleCatalog, question: Question) -> tuple[tuple[str, ...], list[set[str]]]:
    """Each report the question names on its own, by what its own words say of it: "the February
    report and the August 22 Times of Israel report" are one dated February and the Times of
    Israel's of 22 August (not both months for both). Empty unless two or more are told apart."""
    names: list[str] = []
    targets: list[set[str]] = []
    start = 0
    for match in _REFERENCE.finditer(question.text):
        words, start = question.text[start : match.end()], match.end()
        outlets = outlets_mentioned(words, articles.outlet_names) or named_outlets(words)
        outlets = tuple(o for o in outlets if o[:1].isupper())  # not the "9" of "the July 9 report"
        months = [m.lower() for m in re.findall(rf"\b{_MONTH_NAMES}\b", words, re.IGNORECASE)]
        years = re.findall(r"\b(?:19|20)\d\d\b", words)
        days = {
            (m.group("month") or m.group("month2")).lower(): int(m.group("day") or m.group("day2"))
            for m in _DAY.finditer(words)
        }
        if not (outlets or months or years):
            continue
        # Its own month and year, read as the question's are (`date_matches`), then its day.
        when = replace(question, months=frozenset(months), years=frozenset(years))
        picked = (
            articles.dated(lambda date, w=when, d=days: date_matches(date, w) and _on_day(date, d))
            if months or years
            else None
        )
        if outlets:
            of_outlet = set().union(*(articles.reports_of(o) for o in outlets))
            picked = of_outlet if picked is None else picked & of_outlet
        if picked:
            names.append(outlets[0] if outlets else " ".join(w.capitalize() for w in (*months, *years)))
            targets.append(picked)
    if len(targets) < 2 or any(a == b for i, a in enumerate(targets) for b in targets[i + 1 :]):
        return (), []
    return tuple(names), targets


def _on_day(date: str, days: dict[str, int]) -> bool:
    """An article's date falls on the day its reference gives for that month, if it gives one."""
    month = MONTHS[int(date[5:7]) - 1] if date[5:7].isdigit() and 0 < int(date[5:7]) <= 12 else ""
    return month not in days or (date[8:10].isdigit() and int(date[8:10]) == days[month])


def report_targets(articles: ArticleCatalog | None, question: Question) -> tuple[tuple[str, ...], list[set[str]]]:
    """The reports a question names, when it names two or more ("the New York Times and the
    Times of Israel reports", "… and in the September 2024 report"), with each one's articles."""
    names = list(question.outlets)
    if articles is None:
        return (), []
    if question.reports_named > 1:
        told_apart = _references(articles, question)
        if told_apart[1]:
            return told_apart
    targets = [articles.reports_of(o) for o in names]
    one_each = question.compare and question.reports_named == 1 and bool(names)
    if len(question.months) > 1 and (PLURAL_REPORTS.search(question.text) or not question.reports_named or one_each):
        # "the March and September reports", "in his March briefing and in his September one", "in
        # both February and August": one report per month named. So too when a comparison names one
        # report by its month and another by its outlet ("In the September report Lew …; how does that
        # compare with what officials told the Times of Israel in August").
        by_month = {
            month: articles.dated(lambda date, m=month: date_matches(date, replace(question, months=frozenset({m}))))
            for month in sorted(question.months, key=MONTHS.index)
        }
        if one_each:  # the outlet's report of one of those months; that month is the outlet's then
            named = set().union(*by_month.values())
            targets = [(t & named) or t for t in targets]
            by_month = {m: t for m, t in by_month.items() if not any(t & o for o in targets)}
        for month, dated in by_month.items():
            names.append(" ".join((month.capitalize(), *sorted(question.years))))
            targets.append(dated)
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
