"""Our typed chunks as the llama-index nodes Chroma stores, and back (one place for the metadata layout)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rag.chunking import Chunk
from rag.records import version_key

if TYPE_CHECKING:
    from llama_index.core.schema import TextNode


def to_node(chunk: Chunk, vector: list[float], writer: str = "") -> TextNode:
    from llama_index.core.schema import TextNode

    metadata = {
        "source": chunk.source,
        "doc_hash": chunk.doc_hash,
        "version": version_key(chunk.source, chunk.doc_hash),
        "title": chunk.title,
        "date": chunk.date,
        "outlet": chunk.outlet,
        "date_inferred": chunk.date_inferred,
        "start": chunk.start,
        "end": chunk.end,
        "tokens": chunk.tokens,
        "writer": writer,  # the run that wrote it: repair spares the chunks of runs still writing
    }
    return TextNode(
        id_=chunk.chunk_id,
        text=chunk.text,
        metadata=metadata,
        embedding=vector,
        excluded_embed_metadata_keys=list(metadata),
        excluded_llm_metadata_keys=list(metadata),
    )


def chroma_metadata(node: TextNode) -> dict[str, Any]:
    """The metadata llama-index's ChromaVectorStore.add would store (it has no upsert), so reads stay its own."""
    from llama_index.core.vector_stores.utils import node_to_metadata_dict

    meta = node_to_metadata_dict(node, remove_text=True, flat_metadata=True)
    return {key: "" if value is None else value for key, value in meta.items()}


def node_to_chunk(node: Any) -> Chunk:
    """Back from a stored node to our typed chunk."""
    meta = node.metadata
    return Chunk(
        chunk_id=node.node_id,
        source=str(meta["source"]),
        doc_hash=str(meta["doc_hash"]),
        title=str(meta.get("title", "")),
        date=str(meta.get("date", "")),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=node.get_content(),
        tokens=int(meta.get("tokens", 0)),
        outlet=str(meta.get("outlet", "")),
        date_inferred=bool(meta.get("date_inferred", False)),
    )
