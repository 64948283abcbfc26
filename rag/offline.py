"""Keep every library off the network before any of them is imported.

Hugging Face, transformers, tiktoken, Chroma and Gradio all reach out by default
(model hubs, encoding downloads, telemetry); this machine has no internet, and our
users' machines may not either, so the flags are set once, first thing.
"""

import os
from importlib.util import find_spec
from pathlib import Path

_FLAGS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


def tiktoken_cache_dir() -> Path:
    """llama-index-core bundles cl100k_base; tiktoken would otherwise download it."""
    spec = find_spec("llama_index.core")
    if spec is None or spec.origin is None:
        raise RuntimeError("llama-index-core is not installed: run `make install`.")
    return Path(spec.origin).parent / "_static" / "tiktoken_cache"


def go_offline() -> None:
    """Set offline flags unless the user set them explicitly."""
    for key, value in _FLAGS.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(tiktoken_cache_dir()))
