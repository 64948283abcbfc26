"""Check every sentence a model wrote against the sources it cites, and repair or drop it.

A sentence is supported by a set of sources when every number and every name in it
occurs there (each clause's in one source, so a speaker and a figure from different
sources are not joined), and its remaining content does too: most of its key terms, or
a close semantic match to one source sentence. A wrong citation is re-pointed to the
source that does support the sentence; an uncited sentence gets the source that supports
it; a cited source the sentence does not need is left out; a sentence nothing supports
is dropped. Numbers outside the given sources are removed
before anything else, so a citation to a source that was not given cannot survive.

Hand-written: llama-index's CitationQueryEngine trusts the model's numbers and its
evaluators ask another LLM; neither checks facts against the cited text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.answer import SentenceCheck
from rag.attribution import credits, points_back, speaks
from rag.fact_checks import SPELLED, misplaced_number, negation_flipped, spelled_numbers, unstated_quantity
from rag.names import capitalised_names
from rag.sentences import sentence_spans
from rag.words import mentions, normalise, numbers, stems

# "[2]", "[1, 3]", "[Source 2]", "[2][3]"; a trailing full stop after the marker belongs to the sentence.
_CITATION = re.compile(r"\s*\[(?:sources?\s*)?(\d+(?:\s*(?:,|and)\s*\d+)*)\]", re.IGNORECASE)
_CITATION_RUN = re.compile(r"(?:\s*\[(?:sources?\s*)?\d+(?:\s*(?:,|and)\s*\d+)*\])+\s*\.?", re.IGNORECASE)
_SILENCE = re.compile(
    r"sources? (?:do(?:es)? not|don't|doesn't) (?:say|mention|contain|provide|specify|state|cover|include|address)"
    r"|(?:is|are) not (?:mentioned|specified|stated|provided|given) in the sources?"
    r"|no (?:information|mention) (?:about|of|on|in)"
    r"|not (?:in|covered by) the sources|cannot be determined from",
    re.IGNORECASE,
)
# Clause boundaries inside one sentence: "Miller had no timetable, and US negotiators said 90% ...".
_CLAUSE = re.compile(r"\s*(?:;|,\s*(?:and|but|while|whereas)\b)\s*", re.IGNORECASE)
_FINISHED = re.compile(r"[.!?][\"”’')]*$")
# "According to [1].", "130 hostages remain in Gaza, while [1].": the marker stands where the words should be.
_DANGLING = re.compile(
    r"\b(?:to|of|by|from|with|while|whereas|and|but|or|that|as|in|on|for|at|the|a|an|said|says|according)[\s,.:;]*$",
    re.IGNORECASE,
)
# "The source is from the Democratic National Convention", "Source 1 says …": about the sources, not
# a fact from them (the 1.5B model writes these when the prompt's window has nothing for it). Not
# "The sources said Hamas had rejected it" (anonymous sourcing), nor "Article 5 commits NATO …".
_ABOUT_SOURCES = re.compile(
    r"^\s*(?:(?:the|this|that|these|each|every)\s+(?:sources?|articles?|passages?|windows?)\s+"
    r"(?:is|are|was|were)\s+(?:from|about|the|a|an)\b"
    r"|(?:sources?|passages?|windows?)\s*\[?\d+\]?\s+(?:says?|states?|mentions?|reports?|is|notes?)\b)",
    re.IGNORECASE,
)
# The grammar opens a yes/no answer with "Yes," or "No,": not a name, nor a negation to check.
_YES_NO = re.compile(r"^\s*(?:Yes|No),\s*")
LEXICAL_SUPPORT = 0.6  # share of the sentence's key terms found in the sources
SEMANTIC_SUPPORT = 0.72  # cosine (MiniLM) to the closest source sentence

Similarity = Callable[[str, list[str]], list[float]]


@dataclass(frozen=True)
class Draft:
    """One sentence as the model wrote it: its text without markers, and the numbers it cited."""

    text: str
    cited: tuple[int, ...]


@dataclass(frozen=True)
class Support:
    supported: bool
    score: float
    reason: str


def split_draft(draft: str) -> list[Draft]:
    """Sentences with their citations; markers attach to the sentence they follow."""
    out: list[Draft] = []
    position = 0
    for run in _CITATION_RUN.finditer(draft):
        body = draft[position : run.start()]
        cited = tuple(int(n) for m in _CITATION.finditer(run.group(0)) for n in re.findall(r"\d+", m.group(1)))
        sentences = _sentences(body)
        if sentences:
            out.extend(Draft(s, ()) for s in sentences[:-1])
            out.append(Draft(sentences[-1], cited))
        elif out:  # a marker run right after another: "… [1]. [2]"
            last = out.pop()
            out.append(Draft(last.text, last.cited + cited))
        position = run.end()
    out.extend(Draft(s, ()) for s in _sentences(draft[position:]))
    return out


def _sentences(text: str) -> list[str]:
    text = text.strip()
    if not text:
        return []
    pieces = [text[s.start : s.end].strip() for s in sentence_spans(text)]
    return [p for p in pieces if re.search(r"[A-Za-z0-9]", p)]


def says_sources_silent(text: str) -> bool:
    """The model's way of abstaining ("The sources don't say", "no information about")."""
    return bool(_SILENCE.search(normalise(text)))


def support(sentence: str, source_texts: Sequence[str], similarity: Similarity | None) -> Support:
    """Whether these sources together back this sentence (see the module docstring)."""
    if not source_texts:
        return Support(False, 0.0, "no source")
    joined = " ".join(source_texts)
    joined_norm = normalise(joined)
    missing_numbers = numbers(normalise(sentence)) - numbers(joined_norm) - spelled_numbers(joined_norm)
    if missing_numbers:
        return Support(False, 0.0, f"number {', '.join(sorted(missing_numbers))} not in the cited source")
    missing_names = [name for name in _names(sentence) if not mentions(joined, name)]
    if missing_names:
        return Support(False, 0.0, f"{', '.join(missing_names)} not in the cited source")
    if speaker := _misattributed(sentence, source_texts):
        return Support(False, 0.0, f"the cited source does not give these words to {speaker}")
    units = _fact_units(source_texts)
    if quantity := unstated_quantity(sentence, units):
        return Support(False, 0.0, f"“{quantity}” is not a quantity the cited source states")
    if mixed := _facts_split_across(sentence, units):
        return Support(False, 0.0, f"no one cited sentence has all of {mixed}")
    if flipped := negation_flipped(sentence, units):
        return Support(False, 0.0, f"“{flipped}” is negated where the source is not, or the reverse")
    if number := misplaced_number(sentence, units):
        return Support(False, 0.0, f"{number} counts something else in the cited source")
    terms = stems(sentence)
    lexical = len(terms & stems(joined)) / len(terms) if terms else 1.0
    semantic = 0.0
    if similarity is not None and lexical < LEXICAL_SUPPORT:
        pieces = [p for text in source_texts for p in _sentences(text)] or list(source_texts)
        semantic = max(similarity(sentence, pieces), default=0.0)
    score = max(lexical, semantic)
    if lexical >= LEXICAL_SUPPORT or semantic >= SEMANTIC_SUPPORT:
        return Support(True, round(score, 3), "")
    return Support(False, round(score, 3), f"content not in the cited source (overlap {lexical:.2f})")


def _facts_split_across(sentence: str, units: Sequence[str]) -> str:
    """The names and numbers of a clause that no single source sentence holds together, "" if none.

    "Miller said 90% was agreed [1]" must not join Miller from one sentence of a passage with
    90% from the next, nor from two cited sources.
    """
    for clause in _CLAUSE.split(sentence):
        nums, names = numbers(normalise(clause)) | spelled_numbers(clause), _names(clause)
        if not any(nums <= _stated(t) and all(mentions(t, n) for n in names) for t in units):
            return ", ".join([*names, *sorted(nums)])
    return ""


def _misattributed(sentence: str, source_texts: Sequence[str]) -> str:
    """A name the sentence has speaking ("Hamas said …") that no cited sentence has speaking or doing:
    "Hamas said Hamas was “now backing away”" from "Biden … drew a response from Hamas after he said …"."""
    for name in _names(sentence):
        if speaks(sentence, name) and not any(
            credits(piece, name) for text in source_texts for piece in (_sentences(text) or [text])
        ):
            return name
    return ""


def _names(text: str) -> list[str]:
    """Capitalised names, without a quantity that starts the sentence ("Two hostages"): a number is checked as one."""
    return [name for name in capitalised_names(text) if name.lower() not in SPELLED]


def _stated(text: str) -> set[str]:
    """The numbers a source sentence states, in digits or in words."""
    return numbers(normalise(text)) | spelled_numbers(text)


def _fact_units(source_texts: Sequence[str]) -> list[str]:
    """Each source sentence, plus a "…, he said." sentence joined to the one before (who "he" is)."""
    units: list[str] = []
    for text in source_texts:
        sentences = _sentences(text) or [text]
        for i, sentence in enumerate(sentences):
            units.append(sentence)
            if i and points_back(sentence):
                units.append(f"{sentences[i - 1]} {sentence}")
    return units


@dataclass
class Verified:
    """The verified sentences in order, with the prompt numbers each one cites."""

    kept: list[tuple[str, list[int]]]
    checks: list[SentenceCheck]
    silent: bool  # the model said the sources don't answer and nothing else survived


def verify(draft: str, sources: Sequence[str], similarity: Similarity | None = None) -> Verified:
    """Check each sentence of `draft` against `sources` (numbered from 1 as in the prompt)."""
    kept: list[tuple[str, list[int]]] = []
    checks: list[SentenceCheck] = []
    said_silent = False
    pieces = split_draft(draft)
    for index, piece in enumerate(pieces):
        if index == len(pieces) - 1 and not piece.cited and not _FINISHED.search(piece.text):
            reason = "unfinished: the model stopped mid-sentence (length limit)"
            checks.append(SentenceCheck(piece.text, "dropped", [], [], reason))
            continue
        if _DANGLING.search(piece.text):
            reason = "unfinished: a citation stands in for what the sentence should say"
            checks.append(SentenceCheck(piece.text, "dropped", [], list(piece.cited), reason))
            continue
        if not re.search(r"[A-Za-z]{2}", piece.text):
            reason = "a fragment: no word to state a fact"
            checks.append(SentenceCheck(piece.text, "dropped", [], list(piece.cited), reason))
            continue
        claim = _YES_NO.sub("", piece.text)  # what is checked: the statement after a "Yes,"/"No,"
        given = [n for n in dict.fromkeys(piece.cited) if 1 <= n <= len(sources)]
        invalid = [n for n in piece.cited if not 1 <= n <= len(sources)]
        if says_sources_silent(piece.text):
            said_silent = True
            checks.append(SentenceCheck(piece.text, "dropped", [], list(piece.cited), "says the sources are silent"))
            continue
        if _ABOUT_SOURCES.search(piece.text):
            reason = "about the sources, not a fact from them"
            checks.append(SentenceCheck(piece.text, "dropped", [], list(piece.cited), reason))
            continue
        note = f"prompt citation [{', '.join(map(str, invalid))}] names no given source; " if invalid else ""
        if given:
            result = support(claim, [sources[n - 1] for n in given], similarity)
            if result.supported:
                needed = _needed(claim, given, sources, similarity)
                if needed != given:
                    note += f"prompt source [{', '.join(str(n) for n in given if n not in needed)}] adds nothing; "
                kept.append((piece.text, needed))
                checks.append(SentenceCheck(piece.text, "supported", needed, list(piece.cited), note.rstrip("; ")))
                continue
            note += f"prompt source [{', '.join(map(str, given))}] does not support it ({result.reason}); "
        else:
            note += "uncited; "
        best = _best_single_source(claim, sources, exclude=set(given), similarity=similarity)
        model_cited = list(piece.cited)
        if best is not None:
            kept.append((piece.text, [best]))
            note += f"re-pointed to prompt source [{best}]"
            checks.append(SentenceCheck(piece.text, "repointed", [best], model_cited, note))
        else:
            checks.append(SentenceCheck(piece.text, "dropped", [], model_cited, note + "no given source supports it"))
    return Verified(kept, checks, silent=said_silent and not kept)


def _needed(sentence: str, cited: list[int], sources: Sequence[str], similarity: Similarity | None) -> list[int]:
    """The cited sources without those the sentence is supported without: each [n] must back it."""
    needed = list(cited)
    for n in cited:
        rest = [m for m in needed if m != n]
        if rest and support(sentence, [sources[m - 1] for m in rest], similarity).supported:
            needed = rest
    return needed


def _best_single_source(
    sentence: str, sources: Sequence[str], exclude: set[int], similarity: Similarity | None
) -> int | None:
    best: tuple[float, int] | None = None
    for n, text in enumerate(sources, start=1):
        if n in exclude:
            continue
        result = support(sentence, [text], similarity)
        if result.supported and (best is None or result.score > best[0]):
            best = (result.score, n)
    return best[1] if best else None
