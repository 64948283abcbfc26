"""Who published an article, when, and under what headline: stated by the file, or inferred from its text.

News questions are about *when* and *who reported it* ("the September report", "what the NYT
said"), so every article carries a title, outlet, byline, publication date and URL. Each value
comes from the first of these that has it:

1. a sidecar file `<file name>.meta.json` next to the article (any file type);
2. what the file itself states: a front-matter block at the top of a .md/.txt file, the page's
   metadata for HTML (read by trafilatura), a leading `date 2024-09-16` line, a PDF/Word title;
3. the text: a dateline or "Published …" line, "This article originally appeared in …",
   "© 2024 …", "X is The Outlet's bureau chief", a leading "By …" line, the headline line.

Values from 3 (and sidecar values listed under `inferred`) are *inferred*: `inferred` names
those fields, and every view marks them, because a guess must not read like a fact.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

SIDECAR_SUFFIX = ".meta.json"
FIELDS = ("title", "outlet", "byline", "date", "url")
_SIDECAR_KEYS = {*FIELDS, "inferred", "note"}
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<body>.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_KEY_VALUE = re.compile(r"^\s*(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>.*?)\s*$")
_ALIASES = {"author": "byline", "source": "outlet", "publication": "outlet", "published": "date", "link": "url"}

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m
}
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE_TEXT = (
    rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}}),?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH})\s+(?P<y2>\d{{4}}))"
)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_PUBLISHED = re.compile(
    rf"\b(?:first\s+)?(?:published|posted|dated)\s*(?:on\s*)?:?\s*(?:\w+day,?\s+)?(?P<date>{_DATE_TEXT})", re.I
)
# "WASHINGTON, March 27, 2024 —" or a line holding only a date, at the top of the text.
_DATELINE = re.compile(rf"^(?:[A-Z][A-Za-z .'-]*,\s*)?(?P<date>{_DATE_TEXT})\s*(?:[—–-]|\(|$)", re.M)
_NAME = r"(?:[A-Z][\w’'&.-]*|of|the)(?:\s(?:[A-Z][\w’'&.-]*|of|the))*"
_OUTLET_RULES = (
    re.compile(rf"\b(?:originally|first)\s+(?:appeared|published|ran)\s+in\s+(?P<outlet>(?:[Tt]he\s)?{_NAME})"),
    re.compile(rf"(?:©|\([cC]\)|Copyright)\s*\d{{4}}\s+(?P<outlet>{_NAME})"),
    re.compile(rf"^(?P<byline>[A-Z][\w’'-]+(?:\s[A-Z][\w’'.-]+){{1,3}}) is (?P<outlet>{_NAME})[’']s\s", re.M),
)
# Weakest: the outlet a source spoke to ("told Al Jazeera"), only when the name looks like a news outlet.
_SPOKE_TO = re.compile(rf"\b(?:told|speaking to|in an interview with|according to an?)\s+(?P<outlet>{_NAME})")
_MEDIA_WORDS = re.compile(
    r"\b(?:Times|Post|News|Journal|Herald|Guardian|Telegraph|Tribune|Gazette|Jazeera|Reuters|Press|Associated|"
    r"AFP|BBC|CNN|NPR|Haaretz|Monitor|Economist|Chronicle|Independent|Observer|Ledger|Courier|Daily|Radio|"
    r"Television|TV|Broadcasting|Magazine|Mirror|Express|Standard|Bulletin|Dispatch|Inquirer|Examiner)\b"
)
# At the top: a byline that ends with the outlet ("By Anika Strand, Markets, The Kesterian Herald"),
# or a line that is only the outlet's name ("The Coastline Courier"); both only for a news-like name.
_BYLINE_OUTLET = re.compile(
    rf"^\s*By\s+(?P<byline>[A-Z][\w’'.-]+(?:\s(?:and\s)?[A-Z][\w’'.-]+){{0,5}})(?:,[^,\n]+)*?,\s*(?P<outlet>{_NAME})\s*$",
    re.M,
)
_OUTLET_LINE = re.compile(rf"^(?P<outlet>{_NAME})\s*$", re.M)
_MAX_OUTLET_WORDS = 5
_NOT_MEDIA = re.compile(r"\b(?:Conference|Summit|Forum|Festival|Council|Committee|Ministry|Office|Department)\b")
_AFTER_OUTLET = re.compile(r"\s+(?:Company|Co\.|Inc\.?|Ltd\.?|LLC|Group|All|tally|report|reported)\b.*$")
_BYLINE = re.compile(r"^\s*By\s+(?P<byline>[A-Z][\w’'.-]+(?:\s(?:and\s)?[A-Z][\w’'.-]+){0,5})\s*(?:,[^\n]*)?$", re.M)
_HEADLINE_MAX_CHARS = 160
_FALLBACK_TITLE_WORDS = 12
_TOP_CHARS = 400  # a dateline or byline sits at the top


class MetadataError(ValueError):
    """A sidecar or front-matter block that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class ArticleMeta:
    """The article's provenance; `inferred` names the fields guessed from the text, not stated."""

    title: str = ""
    outlet: str = ""
    byline: str = ""
    date: str = ""  # ISO yyyy-mm-dd
    url: str = ""
    inferred: tuple[str, ...] = ()

    def over(self, fallback: ArticleMeta) -> ArticleMeta:
        """These values where set, else the fallback's (with its inferred marks for those fields)."""
        merged = {f: getattr(self, f) or getattr(fallback, f) for f in FIELDS}
        inferred = {f for f in FIELDS if f in self.inferred and getattr(self, f)}
        inferred |= {f for f in FIELDS if not getattr(self, f) and f in fallback.inferred}
        return ArticleMeta(**merged, inferred=tuple(f for f in FIELDS if f in inferred and merged[f]))


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def is_sidecar(path: Path) -> bool:
    return path.name.lower().endswith(SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> ArticleMeta:
    """The sidecar next to `path`, or empty metadata when there is none."""
    sidecar = sidecar_path(path)
    if not sidecar.is_file():
        return ArticleMeta()
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetadataError(f"{sidecar.name} is not readable JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise MetadataError(f"{sidecar.name} must hold one JSON object")
    unknown = sorted(set(data) - _SIDECAR_KEYS)
    if unknown:
        known = ", ".join(sorted(_SIDECAR_KEYS))
        raise MetadataError(f"{sidecar.name}: unknown key(s) {', '.join(unknown)}; use {known}")
    inferred = data.get("inferred", [])
    if not isinstance(inferred, list) or not set(inferred) <= set(FIELDS):
        raise MetadataError(f"{sidecar.name}: `inferred` must be a list of field names from {', '.join(FIELDS)}")
    values = {f: str(data.get(f) or "").strip() for f in FIELDS}
    values["date"] = _checked_date(values["date"], sidecar.name)
    return ArticleMeta(**values, inferred=tuple(f for f in FIELDS if f in inferred))


def front_matter(text: str, origin: str) -> tuple[ArticleMeta, int]:
    """A leading `---` block of `key: value` lines, and the offset where the body starts (0 if none).

    Flat `key: value` lines only: a YAML parser would be a dependency for five keys.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return ArticleMeta(), 0
    values: dict[str, str] = {}
    for line in match.group("body").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pair = _KEY_VALUE.match(line)
        key = _ALIASES.get(pair.group("key").lower(), pair.group("key").lower()) if pair else ""
        if pair and key in FIELDS:
            values[key] = pair.group("value").strip("\"'")
    values["date"] = _checked_date(values.get("date", ""), f"the front matter of {origin}")
    return ArticleMeta(**values), match.end()


def inferred_from_text(text: str, stem: str) -> ArticleMeta:
    """What the text itself suggests; every value found here is marked inferred."""
    top = text[:_TOP_CHARS]
    date = _date_of(_PUBLISHED.search(text)) or _date_of(_DATELINE.search(top))
    outlet, byline = _outlet_and_byline(text)
    if not byline and (by := _BYLINE.search(top)):
        byline = by.group("byline")
    title, cut = headline(text, stem)
    meta = ArticleMeta(title=title, outlet=outlet, byline=byline, date=date)
    # The headline line is the text's own title; a cut-off lead (or the file name) is a guess.
    return replace(meta, inferred=tuple(f for f in FIELDS if getattr(meta, f) and (f != "title" or cut)))


def headline(body: str, stem: str) -> tuple[str, bool]:
    """The first non-empty line when it reads like a headline, else the lead's first words (True: a stand-in)."""
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    first = first.lstrip("#").strip()
    if not first:
        return stem, True
    if len(first) <= _HEADLINE_MAX_CHARS:
        return first, False
    return " ".join(first.split()[:_FALLBACK_TITLE_WORDS]) + "…", True


def _outlet_and_byline(text: str) -> tuple[str, str]:
    for rule in _OUTLET_RULES:
        for match in rule.finditer(text):
            outlet = _clean_outlet(match.group("outlet"))
            if outlet:
                return outlet, match.groupdict().get("byline") or ""
    top = text[:_TOP_CHARS]
    for rule in (_BYLINE_OUTLET, _OUTLET_LINE):
        for match in rule.finditer(top):
            outlet = _clean_outlet(match.group("outlet"))
            if _news_like(outlet) and len(outlet.split()) <= _MAX_OUTLET_WORDS:
                return outlet, match.groupdict().get("byline") or ""
    for match in _SPOKE_TO.finditer(text):
        outlet = _clean_outlet(match.group("outlet"))
        if _news_like(outlet):
            return outlet, ""
    return "", ""


def _news_like(name: str) -> bool:
    return bool(name) and bool(_MEDIA_WORDS.search(name)) and not _NOT_MEDIA.search(name)


def _clean_outlet(name: str) -> str:
    name = _AFTER_OUTLET.sub("", name.strip()).strip(" .")
    name = re.sub(r"\s+(?:of|the)$", "", name)
    return ("The " + name[4:]) if name.lower().startswith("the ") else name


def _date_of(match: re.Match[str] | None) -> str:
    if match is None:
        return ""
    return parse_date(match.group("date"))


def parse_date(text: str) -> str:
    """`2024-09-16`, `September 16, 2024` or `16 Sept. 2024` as ISO; "" when it is none of them."""
    text = text.strip()
    iso = _ISO.fullmatch(text[:10])
    if iso:
        return _valid(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    match = re.fullmatch(_DATE_TEXT, text)
    if not match:
        return ""
    month, day, year = (match.group("m1"), match.group("d1"), match.group("y1"))
    if month is None:
        month, day, year = (match.group("m2"), match.group("d2"), match.group("y2"))
    number = _MONTHS.get(month.lower().rstrip(".")[:3]) if month else None
    return _valid(int(year), number or 0, int(day)) if number else ""


def _valid(year: int, month: int, day: int) -> str:
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"


def _checked_date(value: str, origin: str) -> str:
    if not value:
        return ""
    parsed = parse_date(value)
    if not parsed:
        raise MetadataError(f"{origin}: date {value!r} is not a date; write it as 2024-09-16")
    return parsed


def shown(value: str, field: str, inferred: tuple[str, ...], missing: str = "-") -> str:
    """A value as every view prints it: "2024-08-20 (inferred)" for a guess, `missing` for none."""
    if not value:
        return missing
    return f"{value} (inferred)" if field in inferred else value
