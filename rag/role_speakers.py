"""Who a question means by a role: "What did the State Department spokesman say about …" asks for
Matthew Miller's words when the articles name him so ("State Department spokesperson Matthew Miller").

Without this the question has no speaker: its role words ("State Department", "spokesman") then
pull the lead that introduces him above the sentence where he says what was asked, and nothing
checks that the words given are his. With the holder's name put in the role's place, the question
is a named-speaker question, which the evidence stage already attributes and checks.

Hand-written because no NER or coreference model ships here (see OFFLINE-NOTES): a role word of the
shared list (rag.words ROLE_NOUNS) with a first name and surname right after it ("spokesperson John
Kirby", "Ambassador to Israel Jack Lew") or opening the clause before it ("Osama Hamdan, a Hamas
official"), and every modifier of the asked role that narrows it ("State Department", "US",
"government"; not "senior") within a few words of that role word.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from rag.roles import NOT_RESTRICTIVE
from rag.sentences import sentence_spans
from rag.speech import QUESTION_VERBS
from rag.words import MONTHS, ROLE_NOUNS, WEEKDAYS, is_stopword

_ROLE = rf"(?:{ROLE_NOUNS})s?"
_CAP = r"[A-Z][\w’'\-.]*+"  # possessive: a word is never split at its capitals (no backtracking blow-up)
# "What did the State Department spokesman say", "How did America's envoy to Israel describe",
# "Why did the NSC spokesman call …": a role where a speaker's name would stand. Not when a name
# follows the role ("the State Department spokesman Matthew Miller"): that is parsed as the speaker.
_ASKED = re.compile(
    r"\b(?i:what|how|why)\s+(?i:did|does|do|has|have|had|was|is)\s+"
    rf"(?P<phrase>(?i:the\s+)?(?P<mods>(?:[\w’'\-.]+\s+){{0,4}}?)(?P<role>(?i:{_ROLE}))"
    rf"(?P<tail>\s+(?:of|to|for|at|in)\s+(?:the\s+)?(?:{_CAP}\s?)+)?)"
    rf"\s*(?:,[^,?]{{3,60}},\s*)?(?:(?:[a-z]+ly|first|later|also|then)\s+)?(?i:{QUESTION_VERBS})\b"
    r"|\b(?i:according\s+to)\s+"
    rf"(?P<phrase2>(?i:the\s+)?(?P<mods2>(?:[\w’'\-.]+\s+){{0,4}}?)(?P<role2>(?i:{_ROLE}))"
    rf"(?P<tail2>\s+(?:of|to|for|at|in)\s+(?:the\s+)?(?:{_CAP}\s?)+)?)(?=\s*[,?])"
)
# Roles a question may give in other words than the article: an "envoy" is an ambassador or an envoy.
# An "official", "diplomat", "leader" or "figure" is read only where the article writes that word
# beside the name ("Hamas official Osama Hamdan"): taken for any office, "the US official" became
# whichever US office holder the passages name most, and an unnamed official's words theirs.
_FAMILY: dict[str, tuple[str, ...]] = {"envoy": ("envoy", "ambassador")}
# "Deputy Foreign Minister", "former ambassador": another office than the one asked for.
_LESSER_WORDS = r"\b(?:deputy|vice|former|acting|assistant|ex|junior|under)"
_LESSER = re.compile(rf"{_LESSER_WORDS}[\s\-]+(?:[\w’'\-]+\s+){{0,2}}$", re.I)
_LESSER_WORD = re.compile(rf"{_LESSER_WORDS}\b", re.I)
_TIME_WORDS = frozenset(MONTHS) | WEEKDAYS
_REACH = 6  # words before a role word that may narrow it ("State Department", "US")
_NAME_AFTER = re.compile(rf"\s+(?:(?:of|to|for|at|in)\s+(?:the\s+)?)?(?P<run>(?:{_CAP}\s+)*{_CAP})")
# "Osama Hamdan, a Hamas official": the name opens the sentence or a clause; not "In New York, the
# US ambassador" (a place after a preposition) nor "Last Tuesday, the spokesman".
_NAME_BEFORE = re.compile(
    rf"(?:^|[;:“\"]\s*|,\s+(?:and|but)\s+|\band\s+)[\"“]?(?P<name>{_CAP}\s+{_CAP}),\s+(?:(?:the|a|an)\s+)?(?:[\w’'\-.]+\s+){{0,4}}$"
)
_NOT_NAME = frozenset(
    {"last", "next", "this", "early", "late", "east", "west", "north", "south", "new", "in", "on", "at", "from"}
)
# A modifier an article may write out: "US" is "U.S.", "United States", "American".
_SAME = {
    "us": ("us", "u.s.", "united states", "american", "america"),
    "america": ("us", "u.s.", "united states", "american", "america"),
    "american": ("us", "u.s.", "united states", "american", "america"),
    "nsc": ("nsc", "national security council"),
}


def asked_role(question: str) -> tuple[str, str, str] | None:
    """(the role phrase as written, its modifiers and tail, the role word), or None when the question
    asks of no role. A name after the role ("the spokesman Matthew Miller said") does not match: the
    verb must follow the role; rag.question reads that name as the speaker."""
    match = _ASKED.search(question)
    if not match:
        return None
    phrase = match.group("phrase") or match.group("phrase2")
    mods = (match.group("mods") or match.group("mods2") or "") + (match.group("tail") or match.group("tail2") or "")
    role = (match.group("role") or match.group("role2")).lower()
    return phrase.strip(), mods, role


def role_holder(question: str, texts: Iterable[str]) -> tuple[str, str]:
    """(the role phrase, the full name of whoever holds it in `texts`), or ("", "") when the question
    asks of no role or the texts name no one, or two people alike, in it."""
    asked = asked_role(question)
    if asked is None:
        return "", ""
    phrase, mods, role = asked
    wanted = [_key(w) for w in re.findall(r"[\w’'\-.]+", mods) if _modifier_word(w)]
    counts: Counter[str] = Counter()
    for text in texts:
        for span in sentence_spans(text):
            for name in _holders(text[span.start : span.end], role, wanted, phrase):
                counts[name] += 1
    if not counts:
        return phrase, ""
    (top, n), *rest = counts.most_common()
    if rest and rest[0][1] == n and rest[0][0].split()[-1] != top.split()[-1]:
        return phrase, ""  # two people hold it alike: which one is meant is not for us to guess
    return phrase, top


def with_holder(question: str, phrase: str, name: str) -> str:
    """The question with the role's holder in the asked role's place: "What did Matthew Miller say …"
    (there, not where the same words set the scene: "After the US envoy left, what did the US envoy say")."""
    match = _ASKED.search(question)
    if not (phrase and name and match):
        return question
    group = "phrase" if match.group("phrase") else "phrase2"
    start, end = match.start(group), match.start(group) + len(match.group(group).rstrip())  # the tail ends on a space
    return f"{question[:start]}{name}{question[end:]}"


def _holders(sentence: str, role: str, wanted: list[str], asked: str = "") -> list[str]:
    """Full names standing next to a role word of the asked kind in the sentence, with the asked
    modifiers around that role word ("Hamas official Osama Hamdan"; not "Blinken" in a sentence that
    names Hamas elsewhere)."""
    family = _FAMILY.get(role.rstrip("s"), ("spokes",) if role.startswith("spokes") else (role.rstrip("s"),))
    out = []
    for match in re.finditer(rf"\b(?i:{_ROLE})\b", sentence):
        found = match.group(0).lower()
        if family and not found.startswith(family):
            continue
        if _LESSER.search(sentence[: match.start()]) and not _LESSER_WORD.search(asked):
            continue  # "Deputy Foreign Minister Pavel Strand" is not the foreign minister
        name, end = "", match.end()
        before = _NAME_BEFORE.search(sentence[: match.start()])
        if before:  # preferred: "Daniel Hagari, spokesman for the Israel Defense Forces," is Hagari
            first, last = before.group("name").split()
            name = f"{first} {last}" if _name_word(first) and _name_word(last) else ""
        after = None if name else _NAME_AFTER.match(sentence, match.end())
        if after:
            name, end = _person_after(after, asked), after.end()
            end = end if name else match.end()
        lead = " ".join(sentence[: match.start()].split()[-_REACH:])
        if end == match.end():  # named before the role: "Osama Hamdan, a Hamas official in Beirut,"
            end += len(re.match(r"(?:\s+[^\s,.;:]+){0,3}", sentence[end:]).group(0))
        if name and all(_mentions(f"{lead} {sentence[match.start() : end]}".lower(), w) for w in wanted):
            out.append(name)
    return out


def _person_after(after: re.Match[str], asked: str) -> str:
    """The first name and surname in the capitalised run after a role word: "spokesperson John Kirby
    Says …" -> John Kirby (a headline's words run on); after "to"/"of" the run starts with what the
    office is of ("Ambassador to Israel Jack Lew", "Secretary of State Antony Blinken"), which is
    skipped; "Secretary of State Blinken" names no first name, so no one."""
    words = [w.strip(".,") for w in after.group("run").split()]
    if after.group(0).split()[0].lower() in ("of", "to", "for", "at", "in"):
        words = words[1:] if len(words) > 2 else []
    asked_words = {w.lower() for w in asked.split()}
    while words and words[0].lower() in asked_words:
        words = words[1:]
    if len(words) < 2:
        return ""
    first, last = words[0], re.sub(r"[’']s$", "", words[1])
    return f"{first} {last}" if _name_word(first) and _name_word(last) and last == words[1] else ""


def _name_word(word: str) -> bool:
    """A word of a person's name beside a role: capitalised, not an acronym, a stopword, a time or a
    direction. Not tested for looking like a nationality: beside a role, "Avi Hyman" and "Osama
    Hamdan" are names."""
    plain = word.strip("“”\"'’").lower()
    times = plain in _TIME_WORDS
    return word[:1].isupper() and not word.isupper() and not is_stopword(word) and plain not in _NOT_NAME and not times


def _modifier_word(word: str) -> bool:
    """A modifier that narrows the role: "State", "Israel", "US", "America's", "government", "ferry";
    not how the question rates the role ("senior", "top"), which the article need not repeat."""
    return not is_stopword(word) and word.lower() not in _NOT_RESTRICTIVE


_NOT_RESTRICTIVE = NOT_RESTRICTIVE | {"then"}  # rag.roles' list, and "the then-minister"


def _key(word: str) -> str:
    return re.sub(r"[’']s$", "", word).lower()


def _mentions(low: str, word: str) -> bool:
    """The lowercased sentence has the modifier as an article may write it: "US" as "United States",
    "Israel" as "Israeli" (a long word by its first letters)."""
    forms = [re.escape(f) for f in _SAME.get(word, (word,))]
    if word not in _SAME and len(word) > 5:
        forms.append(re.escape(word[: max(4, len(word) - 3)]) + r"\w*")
    return any(re.search(rf"(?<!\w){f}(?!\w)", low) for f in forms)
