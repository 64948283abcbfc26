"""Sentence-aware chunks sized in tokens, each knowing its exact span in the article."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from rag.corpus import Article
from rag.sentences import sentence_spans, split_keeping_whitespace


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage; `text == article.text[start:end]` always holds."""

    chunk_id: str
    source: str
    doc_hash: str
    title: str
    date: str
    start: int
    end: int
    text: str
    tokens: int
    outlet: str = ""  # the article's outlet (rag.metadata), for citations and outlet targeting
    date_inferred: bool = False  # the date was inferred, not stated: it picks articles but is never quoted as fact

    @property
    def stated_date(self) -> str:
        """The date an answer may state as the article's own ("Article [1] is dated …")."""
        return "" if self.date_inferred else self.date


@cache
def token_encoder() -> Any:
    """cl100k from llama-index's bundled cache (rag.offline points tiktoken there)."""
    import tiktoken

    return tiktoken.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    return len(token_encoder().encode(text))


def chunk_article(article: Article, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Split with llama-index's SentenceSplitter so chunks end on sentence boundaries."""
    from llama_index.core import Document
    from llama_index.core.node_parser import SentenceSplitter

    splitter = SentenceSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        tokenizer=token_encoder().encode,
        paragraph_separator="\n\n",
        chunking_tokenizer_fn=split_keeping_whitespace,
    )
    body = article.text[article.body_start :]
    nodes = splitter.get_nodes_from_documents([Document(text=body, id_=article.doc_hash)])
    chunks: list[Chunk] = []
    previous = (-1, -1)
    for node in nodes:
        text = node.get_content()
        start = _locate(body, text, node.start_char_idx, previous)
        if start < 0 or not text.strip():
            continue
        previous = (start, start + len(text))
        absolute = article.body_start + start
        chunks.append(
            Chunk(
                chunk_id=_chunk_id(article, absolute, text),
                source=article.source,
                doc_hash=article.doc_hash,
                title=article.title,
                date=article.date,
                start=absolute,
                end=absolute + len(text),
                text=text,
                tokens=count_tokens(text),
                outlet=article.outlet,
                date_inferred="date" in article.inferred,
            )
        )
    return chunks


def _locate(body: str, text: str, hint: int | None, previous: tuple[int, int]) -> int:
    """Where a chunk starts in the body: after the previous chunk's start, ending after its end.

    llama-index finds offsets by searching, and lands on an earlier copy when a paragraph
    repeats; chunks advance at both ends, which picks the right copy.
    """

    def fits(pos: int) -> bool:
        return pos > previous[0] and pos + len(text) > previous[1] and body.startswith(text, pos)

    if hint is not None and fits(hint):
        return hint
    pos = body.find(text, previous[0] + 1)
    while pos >= 0 and not fits(pos):
        pos = body.find(text, pos + 1)
    return pos


def _chunk_id(article: Article, start: int, text: str) -> str:
    """A content hash: the same file yields the same ids, so re-indexing adds nothing."""
    key = f"{article.source}\x00{article.doc_hash}\x00{start}\x00{text}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


# How far a retrieved chunk runs on into the text after it (rag.retrieval): a few sentences. Chunk
# edges fall between sentences, not between a claim and the quote that backs it ("Kirby claims …
# that progress was made" ends a chunk; "“There has been progress made …,” he says" is three
# sentences on). Dev, answerable questions right / unanswerable abstained over six sets, against
# no run-on: 400 chars +3/-4, 800 +6/-4, 1200 +5/-4; warm answer p50 37.7 ms -> 40.8 ms at 800.
RUN_ON_CHARS = 800


def run_on(chunk: Chunk, article_text: str, limit: int = RUN_ON_CHARS) -> Chunk:
    """`chunk` with the whole sentences that follow it in its article, up to `limit` characters;
    unchanged unless `article_text` is the text it was cut from (offsets stay exact)."""
    if article_text[chunk.start : chunk.end] != chunk.text:
        return chunk
    # Split past the limit, so that the last sentence kept is whole, not one cut at the limit.
    spans = sentence_spans(article_text, chunk.end, min(len(article_text), chunk.end + 2 * limit))
    whole = [span.end for span in spans if span.end <= chunk.end + limit]
    if not whole:
        return chunk
    return replace(chunk, end=whole[-1], text=article_text[chunk.start : whole[-1]])
