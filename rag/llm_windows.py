"""The model writes from the windows the evidence stage chose: one sentence per window, in order.

The windows are the ones the extractive answer quotes (rag.extractive.choose: the best window,
one per part, clause or named report, the asked speaker's own words, close runners-up), so the
model reads what answers the question and nothing else. The grammar makes sentence n end in
[n], so each window gets a sentence and no sentence can borrow a fact from another window; a
yes/no question's first sentence starts with "Yes," or "No," and must go on to say why.
Verification then checks each sentence against its window; a window whose sentence it drops
is quoted instead, so a wrong sentence costs one paraphrase, not the whole answer.

Measured on the seeds dev questions (README, LLM modes, measured): a single call over the six
best windows let the 1.5B model pick a weaker window or answer one part of a two-part question,
and 46% of its answers fell back to the extractive one whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer import ABSTAIN_TEXT, as_quoted_text
from rag.llm_prompt import Source
from rag.question import Question
from rag.speech import reports_speech
from rag.verification import Verified
from rag.windows import Evidence

MAX_WINDOWS = 4  # the extractive answer's own limit (max_answer_sentences)
_ORDINALS = ("first", "second", "third", "fourth")
SENTENCE_WORDS = 45  # words a sentence may have after its first: room for a window's fact, not for the whole window


def window_sources(chosen: list[Evidence]) -> list[Source]:
    """Each chosen window as a numbered source, in the extractive answer's order."""
    return [
        Source(n, ev.passage.chunk, ev.start - ev.passage.chunk.start, ev.end - ev.passage.chunk.start)
        for n, ev in enumerate(chosen, start=1)
    ]


def window_messages(question: str, sources: list[Source], yes_no: bool, system: str) -> list[tuple[str, str]]:
    """The system rules (cached by the server), then the windows with their article's date and title."""
    lines = []
    for source in sources:
        chunk = source.chunk
        about = "; ".join(part for part in (chunk.stated_date, " ".join(chunk.title.split()[:12])) if part)
        lines.append(
            f"[{source.n}] ({about}) {as_quoted_text(source.text)}"
            if about
            else f"[{source.n}] {as_quoted_text(source.text)}"
        )
    k = len(sources)
    order = ", ".join(f"the {_ORDINALS[n - 1]} from [{n}]" for n in range(1, k + 1))
    rule = (
        f"Answer in {k} short sentence{'s' if k > 1 else ''} ({order}), each ending with its source number. "
        "State the facts themselves, with their names and numbers; do not write about the sources. "
        "Keep who said what exactly as in the source."
    )
    if yes_no:
        rule += " Begin the first sentence with Yes or No, then give the reason the source gives."
    user = "Sources:\n" + "\n".join(lines) + f"\n\nQuestion: {question}\n\n{rule}"
    return [("system", system), ("user", user)]


def window_grammar(n_sources: int, yes_no: bool) -> str:
    """GBNF: the abstention, or exactly one sentence per source, sentence n ending in [n].

    A sentence has at least four words before its marker, so the marker cannot stand in for
    what it says ("According to [1]."), and a yes/no answer has words after its "Yes,"/"No,".
    """
    abstain = ABSTAIN_TEXT.replace('"', '\\"')
    body = " ".join(f'" " s{n}' if n > 1 else f"s{n}" for n in range(1, n_sources + 1))
    rules = [f'root ::= "{abstain}" | {body}']
    first_word = '("Yes," | "No,")' if yes_no else "start"
    for n in range(1, n_sources + 1):
        opening = first_word if n == 1 else "start"
        rules.append(f's{n} ::= {opening} (" " word){{3,{SENTENCE_WORDS}}} " [{n}]" "."?')
    rules += ['start ::= [A-Z0-9"“] [^\\[\\]\\n ]{0,40}', "word ::= [^\\[\\]\\n ]{1,40}"]
    return "\n".join(rules) + "\n"


@dataclass(frozen=True)
class Written:
    """The answer's sentences in window order, each with its window numbers, and how many windows were quoted."""

    lines: list[tuple[str, list[int]]]
    quoted: list[int]


def asks_for_words(question: Question) -> bool:
    """What someone said, asked as "what did X say" or "what did the ambassador say needed to happen"
    (no speaker the question parser knows by name)."""
    return question.answer_type == "statement" or reports_speech(question.text)


def fill_from_windows(verified: Verified, sources: list[Source], keep_quotes: bool = False) -> Written:
    """Verified sentences in window order; a window no kept sentence cites is quoted verbatim instead.

    With `keep_quotes` (the question asks what someone said), a window holding a direct quote is
    quoted unless the model's sentence keeps some of the quote's own words: measured on the seeds dev
    questions, the 1.5B model's sentence gave the speaker's framing ("Lew said Israel has shown
    flexibility") and dropped what the quote said ("we need to drive it to closure")."""
    by_window: dict[int, list[tuple[str, list[int]]]] = {}
    for text, cited in verified.kept:
        by_window.setdefault(min(cited), []).append((text, cited))
    if keep_quotes:
        for source in sources:
            quotes = _quotes(source.text)
            written = by_window.get(source.n, [])
            if quotes and written and not any(_keeps_quote(text, quotes) for text, _ in written):
                del by_window[source.n]
    lines: list[tuple[str, list[int]]] = []
    quoted: list[int] = []
    covered = {n for lines_of in by_window.values() for _, cited in lines_of for n in cited}
    for source in sources:
        lines += by_window.get(source.n, [])
        if source.n not in covered:
            lines.append((as_quoted_text(source.text), [source.n]))
            quoted.append(source.n)
    return Written(lines, quoted)


# Curly quotes pair unambiguously; a straight one opens after a space or a line start and closes
# before a space or punctuation, so a window that starts mid-quote does not pair two quotes' ends.
_QUOTE = re.compile(r"“([^”]+)”|(?:^|(?<=[\s(]))\"([^\"]+)\"(?=[\s.,;:!?)]|$)")
QUOTE_WORDS = 4  # words of a quote, in a row, that a sentence must keep


def _quotes(text: str) -> list[str]:
    """The direct quotes of QUOTE_WORDS words or more (a quoted name or phrase is no statement)."""
    found = ["".join(m.groups(default="")) for m in _QUOTE.finditer(text)]
    return [q for q in found if len(re.findall(r"\w+", q)) >= QUOTE_WORDS]


def _keeps_quote(sentence: str, quotes: list[str]) -> bool:
    """The sentence repeats at least QUOTE_WORDS words in a row of one of the quotes (whole words:
    padded, so "ten days" is not found in "often days"). A word n-gram test, not difflib's longest
    match: that one counts characters, and a shared long word is not a kept quote."""
    said = " " + " ".join(re.findall(r"\w+", sentence.lower())) + " "
    for quote in quotes:
        words = re.findall(r"\w+", quote.lower())
        for i in range(max(0, len(words) - QUOTE_WORDS) + 1):
            if f" {' '.join(words[i : i + QUOTE_WORDS])} " in said:
                return True
    return False
