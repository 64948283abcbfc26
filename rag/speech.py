"""The verbs that report speech, listed once for the article side and the question side.

Attribution ("Miller said …") is read in article sentences (rag.attribution), and asked about
in questions ("What did Miller say …", "Who vowed …"; rag.question, rag.slots). Both used to
keep their own slightly different verb lists; this table is the one place to add a verb.
Hand-written: no lemmatiser or parser with its weights ships in an installable package here.
"""

from __future__ import annotations

import re

# Verbs that credit words to someone in news text. Irregular past forms are spelled out.
REPORTING: tuple[str, ...] = (
    "say", "tell", "add", "continue", "note", "state", "claim", "confirm", "insist", "warn", "deny",
    "argue", "explain", "acknowledge", "remark", "stress", "urge", "announce", "write", "ask", "reply",
    "answer", "declare", "promise", "predict", "suggest", "concede", "admit", "recall", "caution", "vow",
    "pledge", "maintain", "emphasise", "emphasize", "complain", "respond", "counter",
)  # fmt: skip
# Further verbs a question uses to ask for someone's words or view ("how did X describe …").
ASKING: tuple[str, ...] = (
    "think", "describe", "characterise", "characterize", "react", "assess", "report", "mean", "call",
    "view", "see",
)  # fmt: skip
# Further verbs of "who <verb>ed …" questions whose answer is whoever is reported saying it.
WHO_DID: tuple[str, ...] = ("accuse", "criticise", "criticize", "praise", "question", "threaten", "describe", "call")

_IRREGULAR_PAST = {
    "say": "said",
    "tell": "told",
    "write": "wrote",
    "think": "thought",
    "see": "saw",
    "mean": "meant",
    "admit": "admitted",
}


def _third_person(lemma: str) -> str:
    if lemma.endswith(("s", "sh", "ch")):
        return lemma + "es"
    if lemma.endswith("y") and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ies"
    return lemma + "s"


def past(lemma: str) -> str:
    if lemma in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[lemma]
    if lemma.endswith("e"):
        return lemma + "d"
    if lemma.endswith("y") and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ied"
    return lemma + "ed"


def _alternation(words: set[str]) -> str:
    # "states" is not a verb in "the United States" (which made every sentence naming it "speech").
    return "|".join(_UNITED.get(w, w) for w in sorted(words, key=len, reverse=True))


_UNITED = {"states": r"(?<!United )(?<!United\n)states"}


# In an article: "said"/"says"/"say" and the past and present of every reporting verb.
# Base forms other than "say" are left out: "state", "answer", "note" are nouns too often.
# So are the present forms of a few ("“Promises are cheap,” she said" is not a quote pointing back).
_NOUN_TOO = {"promise", "answer", "pledge", "counter", "remark", "reply", "recall", "caution", "vow"}
TEXT_VERBS = _alternation(
    {"say"} | {past(v) for v in REPORTING} | {_third_person(v) for v in REPORTING if v not in _NOUN_TOO}
)
# In a question, after "did/does X": the base forms.
QUESTION_VERBS = _alternation(set(REPORTING) | set(ASKING))
# "Who said/told/vowed …": past and present forms.
WHO_VERBS = _alternation({past(v) for v in REPORTING + WHO_DID} | {_third_person(v) for v in ("say", "tell")})

# "he says", "Kirby claims": speech reported in the present tense, which a "…,” he says" continues.
PRESENT_VERBS = _alternation({_third_person(v) for v in REPORTING if v not in _NOUN_TOO})
# "How did Hamas react to …", "How did Hamdan respond to the proposal": what is asked is the speaker's
# answer to something the question names; a sentence about that something is no one's reaction.
REACTION = re.compile(r"\b(?:react|respond|reply|receive|greet)(?:s|ed|ing)?\b", re.IGNORECASE)
SPEECH = re.compile(rf"\b(?:{TEXT_VERBS}|according to)\b|[“”\"]", re.IGNORECASE)


def reports_speech(sentence: str) -> bool:
    """The sentence reports speech: a reporting verb or a quotation mark."""
    return bool(SPEECH.search(sentence))
