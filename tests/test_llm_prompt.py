"""What the model sees: the citation grammar, source selection within a token budget, the messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.answer import ABSTAIN_TEXT
from rag.chunking import Chunk, count_tokens
from rag.llm_prompt import SYSTEM_PROMPT, Source, build_messages, citation_grammar, select_sources
from rag.retrieval import Passage
from rag.sentences import sentence_spans
from rag.windows import Evidence

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_bad4616c5d09da39.txt"
ARTICLE = SEED.read_text(encoding="utf-8")

# --- citation_grammar: xllamacpp has no in-process GBNF parser, so the grammar is read as regexes ------

_GBNF_TOKEN = re.compile(
    r'\s*(?:(?P<lit>"(?:\\.|[^"\\])*")|(?P<cls>\[(?:\\.|[^\]\\])*\])|(?P<rep>\{\d+,\d+\}|[*+?])'
    r"|(?P<op>[()|])|(?P<ref>[a-z][a-z0-9-]*))"
)


def _gbnf_rules(grammar: str) -> dict[str, str]:
    rules = {}
    for line in grammar.strip().splitlines():
        name, _, body = line.partition(" ::= ")
        assert re.fullmatch(r"[a-z][a-z0-9-]*", name), f"bad rule line: {line!r}"
        rules[name] = body
    return rules


def _gbnf_to_regex(grammar: str, rule: str = "root") -> re.Pattern[str]:
    """This grammar's subset of GBNF (literals, classes, refs, groups, |, repeats) as one regex."""
    rules = _gbnf_rules(grammar)

    def expand(name: str) -> str:
        body, out, pos = rules[name], [], 0
        while pos < len(body.rstrip()):
            m = _GBNF_TOKEN.match(body, pos)
            assert m and m.end() > pos, f"cannot read {body[pos:]!r} in rule {name}"
            pos = m.end()
            if m["lit"]:
                out.append(re.escape(m["lit"][1:-1].replace('\\"', '"').replace("\\\\", "\\")))
            elif m["ref"]:
                out.append(f"(?:{expand(m['ref'])})")
            else:
                out.append(m["cls"] or m["rep"] or m["op"])
        return "".join(out)

    return re.compile(expand(rule), re.DOTALL)


def test_citation_grammar_rules_are_all_defined_and_used() -> None:
    grammar = citation_grammar(3, 3)
    rules = _gbnf_rules(grammar)
    referenced = {m["ref"] for body in rules.values() for m in _GBNF_TOKEN.finditer(body) if m["ref"]}

    assert set(rules) == {"root", "sentence", "word", "cite", "num"}
    assert referenced == {"sentence", "word", "cite", "num"}
    assert rules["num"] == '"1" | "2" | "3"'


def test_citation_grammar_numbers_are_exactly_one_to_n() -> None:
    for n in (1, 6, 12):
        num = _gbnf_to_regex(citation_grammar(n, 3), "num")
        allowed = [str(i) for i in range(0, 30) if num.fullmatch(str(i))]

        assert allowed == [str(i) for i in range(1, n + 1)]


def test_citation_grammar_accepts_cited_sentences_and_the_abstention() -> None:
    root = _gbnf_to_regex(citation_grammar(6, 3))

    assert root.fullmatch(ABSTAIN_TEXT)
    assert root.fullmatch("Qatar and Egypt have been the main mediators [3].")
    assert root.fullmatch("Burns said 90% of Phase I is agreed [1] [2].")
    assert root.fullmatch("Qatar and Egypt mediate [3]. Burns said 90% is agreed [1]. Talks go on today [6]")
    assert root.fullmatch("A deal is close, Blinken said [2].")
    assert root.fullmatch('"We continue to engage," Miller said [2].')


@pytest.mark.parametrize(
    "text",
    [
        "Qatar and Egypt have been the main mediators [7].",  # no source 7
        "Qatar and Egypt have been the main mediators [0].",
        "Qatar and Egypt have been the main mediators [1, 2].",  # one number per marker
        "Qatar and Egypt have been the main mediators.",  # uncited
        "Qatar and Egypt mediate [3]. They have the support of the US.",  # second sentence uncited
        "qatar and Egypt have been the main mediators [3].",  # must start like a sentence
        "Qatar and Egypt mediate [3].\nBurns said 90% is agreed [1].",  # one line
        "Qatar mediates [3]. Egypt mediates [3]. The US supports them [3]. Talks go on [1].",  # 4 > 3 sentences
        "The sources don't say",
        "According to [1].",  # a marker is not what the sentence says
    ],
)
def test_citation_grammar_rejects_invalid_answers(text: str) -> None:
    assert not _gbnf_to_regex(citation_grammar(6, 3)).fullmatch(text)


def test_citation_grammar_limits_markers_to_the_sources_the_judge_picked() -> None:
    root = _gbnf_to_regex(citation_grammar(6, 3, allowed=[2, 5]))

    assert root.fullmatch("Burns said 90% of Phase I is agreed [5].")
    assert not root.fullmatch("Burns said 90% of Phase I is agreed [1].")


def test_citation_grammar_with_one_sentence_allows_only_one() -> None:
    root = _gbnf_to_regex(citation_grammar(2, 1))

    assert "{0,0}" in citation_grammar(2, 1)
    assert root.fullmatch("Qatar and Egypt have been the main mediators [2].")
    assert not root.fullmatch("Qatar mediates for Hamas [2]. Egypt mediates for Hamas [1].")


def test_citation_grammar_escapes_the_abstention_as_a_gbnf_literal() -> None:
    root_rule = _gbnf_rules(citation_grammar(2, 3))["root"]

    assert root_rule.startswith('"' + ABSTAIN_TEXT.replace('"', '\\"') + '" | ')


# --- select_sources ----------------------------------------------------------------------------

# A chunk of the seed article from the mediators paragraph to the Doha-talks paragraph (six sentences).
_CHUNK_START = ARTICLE.index("Qatar and Egypt have been the main mediators")
_CHUNK_END = ARTICLE.index("\n", ARTICLE.index("During the talks in Doha"))


def _chunk(chunk_id: str = "c-000", start: int = _CHUNK_START, end: int = _CHUNK_END) -> Chunk:
    text = ARTICLE[start:end]
    return Chunk(
        chunk_id, SEED.name, "hash", "US pushes new proposal", "2024-09-16", start, end, text, count_tokens(text)
    )


CHUNK = _chunk()
SPANS = sentence_spans(CHUNK.text)


def _candidate(index: int, score: float, chunk: Chunk = CHUNK) -> Evidence:
    """A one-sentence evidence window (select_sources adds the sentence before it)."""
    spans = sentence_spans(chunk.text)
    start, end = chunk.start + spans[index].start, chunk.start + spans[index].end
    texts = [chunk.text[s.start : s.end] for s in spans]
    return Evidence(Passage(chunk, 0.5, 1), start, end, start, end, texts, index, index, index, score)


def _windows(sources: list[Source]) -> list[tuple[int, int]]:
    return [(s.local_start, s.local_end) for s in sources]


def _tokens(sources: list[Source]) -> int:
    return sum(count_tokens(s.text) for s in sources)


def test_seed_chunk_has_the_sentences_the_tests_rely_on() -> None:
    openings = [CHUNK.text[s.start : s.start + 20] for s in SPANS]

    assert openings == [
        "Qatar and Egypt have",
        "US is working expedi",
        "Miller said he didn’",
        "US negotiators, incl",
        "Miller confirmed tha",
        "During the talks in ",
    ]


def test_source_includes_the_sentence_before_the_chosen_one() -> None:
    (source,) = select_sources([_candidate(3, 0.9)], budget_tokens=500)

    assert (source.n, source.local_start, source.local_end) == (1, SPANS[2].start, SPANS[3].end)
    assert source.text.startswith("Miller said he didn’t have")
    assert source.text.endswith("securing the remaining 10%.")


def test_first_sentence_of_a_chunk_has_no_predecessor() -> None:
    (source,) = select_sources([_candidate(0, 0.9)], budget_tokens=500)

    assert _windows([source]) == [(SPANS[0].start, SPANS[0].end)]


def test_source_text_is_the_exact_chunk_slice_and_article_span() -> None:
    other = _chunk("c-001", ARTICLE.index("He spoke two weeks after"), _CHUNK_START)
    ranked = [_candidate(3, 0.9), _candidate(0, 0.85, other), _candidate(5, 0.8)]
    sources = select_sources(ranked, budget_tokens=500)

    assert [s.n for s in sources] == [1, 2, 3]
    for source in sources:
        assert source.text == source.chunk.text[source.local_start : source.local_end]
        assert source.text == ARTICLE[source.start : source.end]
        assert source.text == source.text.strip()


def test_overlapping_windows_of_one_chunk_are_merged() -> None:
    # Sentence 3's window is sentences 2-3, sentence 4's is 3-4: they share sentence 3.
    sources = select_sources([_candidate(3, 0.9), _candidate(4, 0.85)], budget_tokens=500)

    assert _windows(sources) == [(SPANS[2].start, SPANS[4].end)]


def test_sentence_already_inside_a_window_adds_no_source() -> None:
    # Sentence 1's window is sentences 0-1; sentence 0 has no predecessor, so its window is inside that.
    sources = select_sources([_candidate(1, 0.9), _candidate(0, 0.85)], budget_tokens=500)

    assert _windows(sources) == [(SPANS[0].start, SPANS[1].end)]


def test_a_window_joining_two_windows_leaves_no_overlapping_sources() -> None:
    ranked = [_candidate(1, 0.9), _candidate(4, 0.89), _candidate(3, 0.88), _candidate(2, 0.87)]
    sources = select_sources(ranked, budget_tokens=500)

    assert _windows(sources) == [(SPANS[0].start, SPANS[4].end)]


def test_same_text_in_another_chunk_is_a_separate_source() -> None:
    twin = _chunk("c-twin")
    sources = select_sources([_candidate(3, 0.9), _candidate(3, 0.85, twin)], budget_tokens=500)

    assert [s.chunk.chunk_id for s in sources] == ["c-000", "c-twin"]


def test_sources_stay_within_the_token_budget() -> None:
    ranked = [_candidate(i, 0.9 - 0.01 * k) for k, i in enumerate([5, 0, 3, 1])]
    for budget in (60, 80, 120):
        sources = select_sources(ranked, budget_tokens=budget)

        assert sources, budget
        assert _tokens(sources) <= budget, budget
    everything = select_sources(ranked, budget_tokens=10_000)
    assert _tokens(everything) > 120


def test_over_budget_window_falls_back_to_the_bare_sentence() -> None:
    first = count_tokens(CHUNK.text[SPANS[4].start : SPANS[5].end])
    bare = count_tokens(CHUNK.text[SPANS[0].start : SPANS[0].end])
    sources = select_sources([_candidate(5, 0.9), _candidate(0, 0.85), _candidate(3, 0.8)], first + bare)

    # Sentence 3 with its predecessor (sentence 2) would not fit; sentence 0 has none and does.
    assert _windows(sources) == [(SPANS[4].start, SPANS[5].end), (SPANS[0].start, SPANS[0].end)]
    budget = first + count_tokens(CHUNK.text[SPANS[3].start : SPANS[3].end])
    sources = select_sources([_candidate(5, 0.9), _candidate(3, 0.85)], budget)
    assert _windows(sources) == [(SPANS[4].start, SPANS[5].end), (SPANS[3].start, SPANS[3].end)]


def test_the_best_sentence_is_kept_even_when_it_alone_exceeds_the_budget() -> None:
    sources = select_sources([_candidate(3, 0.9), _candidate(0, 0.8)], budget_tokens=5)

    assert _windows(sources) == [(SPANS[2].start, SPANS[3].end)]


def test_weak_sentences_and_sources_beyond_the_maximum_are_left_out() -> None:
    weak = select_sources([_candidate(0, 1.0), _candidate(3, 0.59)], budget_tokens=500)
    capped = select_sources([_candidate(0, 1.0), _candidate(3, 0.9), _candidate(5, 0.9)], 500, max_sources=2)

    assert len(weak) == 1
    assert len(capped) == 2
    assert select_sources([], budget_tokens=500) == []


# --- build_messages ----------------------------------------------------------------------------


def test_messages_number_sources_from_one_and_end_with_the_question() -> None:
    sources = select_sources([_candidate(0, 0.9), _candidate(3, 0.85)], budget_tokens=500)
    question = "What did Miller say about the 90% figure?"
    messages = build_messages(question, sources)

    assert messages[0] == ("system", SYSTEM_PROMPT)
    role, user = messages[1]
    assert role == "user"
    assert len(messages) == 2
    assert user.endswith(f"Question: {question}")
    lines = user.split("\n")
    assert len(lines) == 5  # a source spanning two paragraphs is one line
    assert lines[0] == "Sources:"
    assert lines[1] == f"[1] (2024-09-16) {CHUNK.text[SPANS[0].start : SPANS[0].end]}"
    assert (
        lines[2]
        == f"[2] (2024-09-16) {CHUNK.text[SPANS[2].start : SPANS[2].end]} {CHUNK.text[SPANS[3].start : SPANS[3].end]}"
    )
    assert lines[2].startswith("[2] (2024-09-16) Miller said he didn’t have")
    assert lines[3:] == ["", f"Question: {question}"]


def test_messages_leave_out_the_date_when_the_article_has_none() -> None:
    undated = Chunk("c-x", "x.txt", "h", "T", "", 0, 12, "Talks go on.", 3)
    _, user = build_messages("Are talks going on?", [Source(1, undated, 0, 12)])[1]

    assert "[1] Talks go on." in user.split("\n")
