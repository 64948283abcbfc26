"""llama-index's plain pipeline, the honest yardstick for what our design adds.

A `VectorStoreIndex` over the same files (read with `rag.corpus.load_article`, so the text is
identical) and the same MiniLM embedder, chunked with `SentenceSplitter` defaults (1024 tokens,
200 overlap), in memory, top-2 dense retrieval. With no LLM configured, the answer is the top
chunk, cited as [1]: what a user of the plain pipeline would be shown.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from rag.answer import Answer, Citation, Retrieved
from rag.corpus import Skipped, find_files, load_article
from rag.errors import NothingIndexedError

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

BASELINE_NAME = "baseline"
BASELINE_TOP_K = 2


class BaselinePipeline:
    """Builds the in-memory index once; `ask` mirrors `Assistant.ask` so both are scored alike."""

    name = BASELINE_NAME

    def __init__(self, corpus: Path, embedder: BaseEmbedding, top_k: int = BASELINE_TOP_K) -> None:
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        files, _ = find_files([corpus])
        articles = [a for a in (load_article(f) for f in files) if not isinstance(a, Skipped)]
        if not articles:
            raise NothingIndexedError(f"The baseline found no usable article in {corpus}.")
        # Metadata is kept out of the embedded text so both systems embed the same words;
        # embed_model is passed explicitly so llama-index never reaches for OpenAI.
        documents = [
            Document(
                text=a.text,
                id_=a.source,
                metadata={"source": a.source, "title": a.title, "date": a.date},
                excluded_embed_metadata_keys=["source", "title", "date"],
                excluded_llm_metadata_keys=["source", "title", "date"],
            )
            for a in articles
        ]
        self.index = VectorStoreIndex.from_documents(
            documents, embed_model=embedder, transformations=[SentenceSplitter()], show_progress=False
        )
        self.retriever = self.index.as_retriever(similarity_top_k=top_k)
        self._texts = {node_id: node.get_content() for node_id, node in self.index.docstore.docs.items()}

    def chunk_texts(self) -> dict[str, str]:
        """chunk id -> text, so retrieval hits can be judged."""
        return dict(self._texts)

    def ask(self, question: str) -> Answer:
        t0 = time.perf_counter()
        found = self.retriever.retrieve(question)
        t1 = time.perf_counter()
        retrieved = [
            Retrieved(rank, n.node.node_id, str(n.node.metadata.get("source", "")), round(float(n.score or 0.0), 6))
            for rank, n in enumerate(found, start=1)
        ]
        citations, text = [], ""
        if found:
            top = found[0].node
            text = top.get_content()
            meta = top.metadata
            start = top.start_char_idx or 0  # type: ignore[attr-defined]
            citations.append(
                Citation(
                    n=1,
                    source=str(meta.get("source", "")),
                    title=str(meta.get("title", "")),
                    date=str(meta.get("date", "")),
                    chunk_id=top.node_id,
                    text=text,
                    quote=text,
                    start=start,
                    end=start + len(text),
                )
            )
        t2 = time.perf_counter()
        return Answer(
            question=question,
            answer=f"{text} [1]" if text else "",
            abstained=False,
            mode=BASELINE_NAME,
            citations=citations,
            retrieved=retrieved,
            timings={"retrieve": round(t1 - t0, 4), "answer": round(t2 - t1, 4), "total": round(t2 - t0, 4)},
        )
