"""What the model sees: a few numbered source passages, the question, and short rules.

Small CPU models slow down and drift with long contexts, so the sources are the best
evidence windows (rag.evidence: the fact sentence with the sentence naming its speaker
and the quote it introduces), not whole chunks, cut to a token budget. The rules sit in a
fixed system message, which the llama.cpp server keeps in its prompt cache between questions.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.answer import ABSTAIN_TEXT, as_quoted_text
from rag.chunking import Chunk, count_tokens
from rag.sentences import sentence_spans
from rag.windows import Evidence

MAX_SOURCES = 6
RELATIVE_FLOOR = 0.6  # a source sentence must score at least this share of the best one

# Measured on the dev split (both models): naming an exact abstention phrase made them
# answer it to most answerable questions (1.5B: 8 of 27 correct); asking them to
# "say so" keeps abstention possible without inviting it (19 of 27).
SYSTEM_PROMPT = (
    "Answer the question in short sentences, using only facts from the numbered sources. "
    "End each sentence with the number of the source it comes from, like [1]. "
    "Keep who said what exactly as in the sources. If the sources do not contain the answer, say so."
)


@dataclass(frozen=True)
class Source:
    """A numbered passage: a contiguous span of one chunk, `text == chunk.text[local_start:local_end]`."""

    n: int
    chunk: Chunk
    local_start: int
    local_end: int

    @property
    def text(self) -> str:
        return self.chunk.text[self.local_start : self.local_end]

    @property
    def start(self) -> int:
        return self.chunk.start + self.local_start

    @property
    def end(self) -> int:
        return self.chunk.start + self.local_end


def select_sources(ranked: list[Evidence], budget_tokens: int, max_sources: int = MAX_SOURCES) -> list[Source]:
    """The best evidence windows, each with the sentence before it, merged when they touch, within the budget.

    A window that does not fit is tried as its bare fact sentence before it is given up.
    """
    if not ranked:
        return []
    floor = RELATIVE_FLOOR * ranked[0].score
    windows: list[tuple[Chunk, int, int]] = []
    for ev in ranked:
        if len(windows) >= max_sources or (windows and ev.score < floor):
            break
        chunk = ev.passage.chunk
        merged = _merge(windows, (chunk, _with_predecessor(chunk, ev.start - chunk.start), ev.end - chunk.start))
        if merged is None:
            continue  # already inside a chosen window
        if windows and _cost(merged) > budget_tokens:
            bare = _merge(windows, (chunk, ev.fact_start - chunk.start, ev.fact_end - chunk.start))
            if bare is None or _cost(bare) > budget_tokens:
                continue
            merged = bare
        windows = merged
        if _cost(windows) >= budget_tokens:
            break
    return [Source(i, chunk, s, e) for i, (chunk, s, e) in enumerate(windows, start=1)]


def _with_predecessor(chunk: Chunk, local_start: int) -> int:
    """Where the sentence before the window starts: it usually says who is speaking or what
    "it" is, and the small models were measured to misattribute less with it."""
    spans = sentence_spans(chunk.text)
    index = next((i for i, s in enumerate(spans) if s.start <= local_start < s.end), 0)
    return spans[index - 1].start if index > 0 else local_start


def _cost(windows: list[tuple[Chunk, int, int]]) -> int:
    return sum(count_tokens(c.text[s:e]) for c, s, e in windows)


def _merge(windows: list[tuple[Chunk, int, int]], new: tuple[Chunk, int, int]) -> list[tuple[Chunk, int, int]] | None:
    """`windows` plus `new`, joined with every window of the same chunk it overlaps; None if nothing new."""
    chunk, start, end = new
    hits = [i for i, (c, s, e) in enumerate(windows) if c.chunk_id == chunk.chunk_id and start <= e and end >= s]
    if not hits:
        return [*windows, new]
    if any(windows[i][1] <= start and end <= windows[i][2] for i in hits):
        return None
    joined = (chunk, min(start, *(windows[i][1] for i in hits)), max(end, *(windows[i][2] for i in hits)))
    out = [w for i, w in enumerate(windows) if i not in hits[1:]]
    out[hits[0]] = joined
    return out


def build_messages(question: str, sources: list[Source], ask: str = "") -> list[tuple[str, str]]:
    """The system rules, then the numbered sources and the question; `ask` is appended to that turn
    (the judge's question, rag.llm_judge), so the answer turn that follows shares the whole prefix."""
    lines = []
    for source in sources:
        dated = f"({source.chunk.stated_date}) " if source.chunk.stated_date else ""
        lines.append(f"[{source.n}] {dated}{as_quoted_text(source.text)}")
    user = "Sources:\n" + "\n".join(lines) + f"\n\nQuestion: {question}"
    return [("system", SYSTEM_PROMPT), ("user", f"{user}\n\n{ask}" if ask else user)]


def answer_turn(messages: list[tuple[str, str]], said: str, picks: list[int], yes_no: bool) -> list[tuple[str, str]]:
    """The judged conversation continued: write the answer from the picked sources only."""
    named = ", ".join(f"[{n}]" for n in picks)
    rule = (
        f"Now answer the question from source{'s' if len(picks) > 1 else ''} {named} only, in one to three "
        "short sentences. End each sentence with the number of its source. "
    )
    if yes_no:
        rule += "Begin with Yes or No, then give the reason the source gives. "
    return [*messages, ("assistant", said), ("user", rule + "Keep who said what exactly as in the source.")]


def prompt_tokens(messages: list[tuple[str, str]]) -> int:
    """cl100k count of the message texts: a model-independent size, comparable across backends."""
    return sum(count_tokens(content) for _, content in messages)


def citation_grammar(n_sources: int, max_sentences: int, allowed: list[int] | None = None) -> str:
    """GBNF: either the abstention, or 1..max_sentences sentences each ending in valid [n] markers
    (only the `allowed` numbers, when the judge picked some). A sentence has at least four words
    before its marker, so a marker cannot stand in for what it says ("According to [1].")."""
    numbers = " | ".join(f'"{n}"' for n in (allowed or range(1, n_sources + 1)))
    more = max(0, max_sentences - 1)
    abstain = ABSTAIN_TEXT.replace('"', '\\"')
    return (
        f'root ::= "{abstain}" | sentence (" " sentence){{0,{more}}}\n'
        'sentence ::= [A-Z0-9"“] [^\\[\\]\\n ]{0,40} (" " word){3,80} cite{1,3} "."?\n'
        "word ::= [^\\[\\]\\n ]{1,40}\n"
        'cite ::= " [" num "]"\n'
        f"num ::= {numbers}\n"
    )
