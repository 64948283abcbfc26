"""Who says what: the one detector of "he said" attributions that ranking, windows and verification share.

News text credits a quote in three ways: the sentence names the speaker ("Miller said …"),
it points back with a pronoun or a role ("…,” he said." / "the prime minister said"), or
it is a bare quote that carries on the one before. The last two cannot be read alone: the
sentence before says who is speaking. Hand-written because no model here parses quotes
(no NER or coreference weights ship in any installable package).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from rag.speech import PRESENT_VERBS, TEXT_VERBS, reports_speech
from rag.words import ROLE_NOUNS, mentions

_VERB = rf"(?:{TEXT_VERBS}|according to)"
# "…, he said." / "said she" / "the Israeli prime minister said": who is meant is in an earlier sentence.
_POINTS_BACK = re.compile(
    # "…,” said he." inverts; "Miller said he didn't" names its speaker and points nowhere.
    rf"\b(?:he|she|they)\s+(?:also\s+)?{_VERB}\b|\b{_VERB}\s+(?:he|she)\b(?=\s*(?:[.,;:!?]|$))"
    rf"|\bthe\s+(?:[a-z\-]+\s+){{0,3}}(?:{ROLE_NOUNS})\s+{_VERB}\b",
    re.IGNORECASE,
)
_OPENING_QUOTE = ("“", '"', "‘")
PRESENT_REACH = 8  # sentences back to the one a present-tense "he says" continues
_PRESENT_POINTER = re.compile(rf"\b(?:he|she)\s+(?:also\s+)?(?:{PRESENT_VERBS})\b", re.IGNORECASE)
_PRESENT_SPEECH = re.compile(rf"\b(?:{PRESENT_VERBS})\b", re.IGNORECASE)
# "An Egyptian official told AFP", "two Israeli officials said", "according to sources familiar with":
# a statement whose speaker has no name. The phrase opens a clause; its modifiers are names or a few
# plain adjectives, so "Kirby, speaking to officials, said" is not read as an unnamed speaker.
_UNNAMED_HEAD = r"(?:officials|official|sources|source|diplomats|people|mediators|aides)"
_UNNAMED_MODS = (
    r"(?:(?:[A-Z][\w\-]*|senior|top|western|other|local|military|security|government|administration)\s+){0,3}"
)
_UNNAMED_DET = r"(?:(?:[Aa]n?|[Oo]ne|[Tt]wo|[Tt]hree|[Ff]our|[Ss]everal|[Ss]ome|[Mm]any|[Oo]ther|[Uu]nnamed)\s+)?"
_ANONYMOUS = re.compile(
    rf"(?:^|(?<=[,;:—“\"(])\s*|\b(?:and|but|while|as|that)\s+){_UNNAMED_DET}{_UNNAMED_MODS}{_UNNAMED_HEAD}\b"
    rf"(?:[^.;]{{0,60}}?)?\s+(?i:{_VERB})\b"
    rf"|\b(?i:according to)\s+{_UNNAMED_DET}{_UNNAMED_MODS}{_UNNAMED_HEAD}\b",
    re.MULTILINE,
)


# A sentence's opening time or place phrase ("On Tuesday, …", "Later on Wednesday, …"), before its subject.
_LEAD_IN = re.compile(r"^[\W]*(?:(?:on|last|earlier|later|in|at|after|before|during)\b[^,]{0,40},\s*)?", re.I)

# ...and a clause before the main one ("as Blinken traveled to Egypt, Hamas said …"): not its subject.
_SUBORDINATE = re.compile(
    r"^(?:as|while|when|after|before|although|though|since|because|if|once)\b[^,]{0,90},\s*", re.IGNORECASE
)


def credits(sentence: str, name: str) -> bool:
    """The sentence is `name`'s doing or saying: `name` is its subject ("Hamas officials have issued
    statements …", "On Tuesday, Hamas said …") or a speech verb credits them ("…,” Miller said").
    Stricter than `attributed`, for which a mention anywhere in a sentence that reports speech will
    do: "the White House submitted a “final bridging proposal” … between Israel and Hamas" is not
    how Hamas responded."""
    opening = " ".join(_SUBORDINATE.sub("", _LEAD_IN.sub("", sentence, count=1), count=1).split()[:6])
    # "Miller said", "Hamas officials said", "Kesteria's foreign minister told"
    return mentions(opening, name) or speaks(sentence, name)


# Last words of an organisation's name, which are not a surname standing for it.
_BODIES = frozenset(
    [
        "ministry",
        "authority",
        "office",
        "department",
        "house",
        "council",
        "forces",
        "army",
        "police",
        "agency",
        "committee",
        "court",
        "party",
        "government",
        "officials",
        "times",
        "post",
        "news",
        "radio",
    ]
)


def speaks(sentence: str, name: str) -> bool:
    """A speech verb credits `name` ("Miller said", "Hamas officials said", "…,” said Lund"), wherever
    `name` stands in the sentence."""
    if not name.strip():
        return False
    for named in _forms(name):
        start = sentence.find(named)
        while start >= 0:
            end = start + len(named)
            if start == 0 or not _word_char(sentence[start - 1]):  # as `\b` before the name
                if _SAID_AFTER.match(sentence, end) or _ASIDE_AFTER.match(sentence, end):
                    return True
                if _INVERTED_END.match(sentence, end) and _INVERTED_BEFORE.search(sentence, 0, start):
                    return True
            start = sentence.find(named, start + 1)
    return False


@functools.lru_cache(maxsize=4096)
def _forms(name: str) -> tuple[str, ...]:
    """The full name, and a person's surname: "Netanyahu said" credits Benjamin Netanyahu; "Israel said"
    does not credit the Times of Israel, nor "Israel's Foreign Ministry said" the Gaza Health Ministry."""
    words = name.split()
    person = len(words) > 1 and all(w[:1].isupper() for w in words) and words[-1].lower() not in _BODIES
    return tuple(dict.fromkeys((name, *words[-1:] * person)))


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


# The patterns of `speaks`, compiled once with the name left out and matched from where the name
# stands. Compiled per name (each with the long verb alternation) they cost ~20 ms a name, most of
# a warm answer's time: every capitalised word of a window is tried as a speaker (rag.roles).
# Only plain words between (not "… with Kesteria and Norvik, officials said"). Not "and": in "met
# Netanyahu and discussed …" the one who discussed is the subject. Not a pronoun: in "a response
# from Hamas after he said" the one who said is "he". Nor a word opening another clause: in "from
# Hamas when officials said" the officials said it.
_GAP = (
    r"(?:\s+(?!(?:and|he|she|they|it|we|who|which|that|when|after|as|because|while|before|since|if)\b)"
    r"[a-z][\w\-]*){0,2}"
)
_SAID_AFTER = re.compile(rf"(?:[’']s)?{_GAP}\s+{_VERB}\b")
# "…,” Antony Blinken, who is visiting Israel, said on Monday."
_ASIDE_AFTER = re.compile(rf",[^,;“”\"]{{1,80}},\s+{_VERB}\b")
# "…,” said Lund." inverts; in "He said Israel would continue" Israel is what was said, not who
# (the name must end the clause), and in "Lew told the Haaretz conference," the conference is who
# heard it.
_INVERTED_BEFORE = re.compile(
    rf"\b(?!(?:told|tells|asked|asks|urged|urges)\b){_VERB}\s+(?:the\s+)?(?:[A-Z][\w.’'\-]*\s+){{0,5}}$"
)
_INVERTED_END = re.compile(r"\s*(?:[.,;:!?”\"]|$)")


def anonymous_source(text: str) -> bool:
    """Someone unnamed is reported speaking ("An Egyptian official told AFP that …")."""
    return bool(_ANONYMOUS.search(text))


def points_back(sentence: str) -> bool:
    """The sentence needs the one before it to say who speaks (see the module docstring)."""
    text = sentence.lstrip()
    if _POINTS_BACK.search(text):
        return True
    bare_quote = text.startswith(_OPENING_QUOTE) and not re.search(rf"\b{_VERB}\b", text, re.IGNORECASE)
    return bare_quote or text[:1].islower()


def opens_quote(sentence: str) -> bool:
    """The text ends mid-quote or with a colon, so the next sentence carries on what it says."""
    text = sentence.rstrip()
    return text.endswith(":") or text.count("“") > text.count("”")


def closes_quote(text: str) -> bool:
    """The text closes a quote it never opened: the quote began in an earlier sentence."""
    return text.count("”") > text.count("“")


def attributed(sentences: Sequence[str], index: int, speaker: str, reach: int = 2) -> bool:
    """Sentence `index` gives words of `speaker`: it names them and reports speech, or it
    points back (up to `reach` sentences) to a sentence that does."""
    if not speaker:
        return False
    # Named and credited, not only named in a sentence that reports someone's speech: in "…,” Blinken
    # told reporters at the start of a meeting with Isaac Herzog" the words are Blinken's.
    if mentions(sentences[index], speaker) and reports_speech(sentences[index]) and credits(sentences[index], speaker):
        return True
    unit = quote_unit(sentences, index)
    j = index
    while j > 0 and index - j < reach and points_back(sentences[j]):
        j -= 1
        if mentions(sentences[j], speaker):
            # "…,” he says" after "Netanyahu has continued to insist …": the present tense carries on
            # someone reported in the present ("Kirby claims …" earlier), not this sentence's subject.
            return continues(unit, sentences[j])
    if points_back(sentences[index]) and _PRESENT_POINTER.search(unit):
        # ...so it is the last one named speaking in the present, a paragraph or two before.
        return present_speaker_before(sentences[:index], speaker)
    return False


def present_speaker_before(sentences: Sequence[str], speaker: str) -> bool:
    """The last of `sentences` (up to PRESENT_REACH back) naming someone speaking in the present
    ("Kirby claims …") names `speaker`: whom a later "…,” he says" continues."""
    for sentence in reversed(sentences[-PRESENT_REACH:]):
        if _PRESENT_SPEECH.search(sentence) and not _PRESENT_POINTER.search(sentence):
            return mentions(sentence, speaker)
    return False


def present_pointer(text: str) -> bool:
    """ "…,” he says": a quote whose speaker is whoever was last reported in the present."""
    return points_back(text) and bool(_PRESENT_POINTER.search(text))


def quote_unit(sentences: Sequence[str], k: int) -> str:
    """Sentence `k` with the rest of a quote it opens ("“There has been progress made." + "We need
    … implementation,” he says"): where its "he says" is, if it has one."""
    end = k
    while end + 1 < len(sentences) and end - k < 3 and opens_quote(" ".join(sentences[k : end + 1])):
        end += 1
    return " ".join(sentences[k : end + 1])


def continues(pointer: str, before: str) -> bool:
    """May the "…,” he says" of `pointer` be the speaker of `before`? Not when it is in the present
    and `before` reports no one in the present: "Netanyahu has continued to insist …", then "“There
    has been progress made …,” he says" continues Kirby's "claims" of a paragraph before."""
    return not _PRESENT_POINTER.search(pointer) or bool(_PRESENT_SPEECH.search(before))


def quote_is_by(text: str, start: int, end: int, speaker: str) -> bool:
    """Some sentence of `text[start:end]` (a cited quote in its article) gives words of `speaker`: for
    views that warn when a "what did X say" answer quotes someone else."""
    from rag.sentences import sentence_spans

    spans = sentence_spans(text)
    sentences = [text[s.start : s.end] for s in spans]
    inside = [i for i, s in enumerate(spans) if s.end > start and s.start < end]
    return any(attributed(sentences, i, speaker) for i in inside)
