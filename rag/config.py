"""One frozen, typed settings object, built once from `RAG_*` env vars and an optional TOML file.

Precedence: explicit overrides > environment > TOML file > defaults. Nothing reads
the environment after this point; the object is passed down explicitly.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from rag.errors import ConfigError

ANSWER_MODES = ("extractive", "local", "hosted")
# "auto": the local model when its packages are installed, else extractive (see rag/modes.py).
LLM_SETTINGS = (*ANSWER_MODES, "auto")
# --help texts for the mode and model flags (rag ask/chat/ui/eval, python -m evals.runner).
MODE_HELP = (
    "answering mode: extractive (quotes, no LLM), local (bundled model on this machine), hosted "
    "(RAG_LLM_BASE_URL), auto = the mode that measured best, now extractive (default: $RAG_LLM or auto)"
)
MODEL_HELP = "local: qwen2.5-coder-1.5b or qwen2.5-coder-0.5b; hosted: the endpoint's model name ($RAG_LLM_MODEL)"
GRAMMAR_CHOICES = ("local", "always", "never")
_DEFAULT_MODEL_CACHE = Path("~/.cache/newsrag/models").expanduser()


@dataclass(frozen=True)
class Settings:
    """Every knob of the pipeline; each field maps to env var `RAG_<NAME>`."""

    index_dir: Path = Path("index")
    chroma_url: str = ""  # empty: embedded PersistentClient at index_dir
    collection: str = "articles"
    chunk_size: int = 160  # tokens (cl100k); MiniLM truncates at 256 word pieces
    chunk_overlap: int = 30
    embed_batch_size: int = 32
    # Chunks embedded and written to Chroma together while indexing (rag/batching.py): per-call
    # costs vanish next to the embedder's; an interrupted run loses at most this much work.
    index_batch: int = 1024
    dense_k: int = 12  # candidates from each retriever before fusion
    top_k: int = 6  # fused passages handed to the answerer
    llm: str = "auto"
    # The local model: a bundled name (rag/model_files.py) or, for hosted, the endpoint's model name.
    llm_model: str = ""
    llm_model_path: str = ""  # a user's GGUF file; wins over llm_model for the local backend
    llm_base_url: str = ""  # hosted: an OpenAI-compatible endpoint, e.g. http://gpu-box:8080/v1
    llm_api_key: str = field(default="", repr=False)
    llm_timeout: float = 60.0  # seconds without a byte from the model before giving up
    llm_retries: int = 2  # hosted: bounded retries on connection errors and 5xx
    llm_threads: int = 2
    llm_context: int = 4096  # the local server's context window (tokens)
    llm_max_tokens: int = 160  # the answer's length cap
    llm_source_tokens: int = 260  # budget for the numbered sources in the prompt (cl100k tokens)
    llm_grammar: str = "local"  # constrain citations with a GBNF grammar: local, always or never
    # First let the model judge which sources answer (rag/llm_judge.py). Off: it measured worse (README).
    llm_judge: bool = False
    llm_none_threshold: float = 0.9  # abstain when the judge's P(no source answers) reaches this (dev curve)
    model_cache_dir: Path = _DEFAULT_MODEL_CACHE  # where the bundled model is assembled once
    max_answer_sentences: int = 4
    # Calibrated on the dev split (evals/calibrate.py); see README "Abstaining".
    abstain_threshold: float = 0.30
    max_question_chars: int = 2000
    # Larger files and pages are skipped with a reason naming them (a news article is ~50 KB); the
    # web app's upload limit too (ui/uploads.py).
    max_article_mb: float = 10.0
    fetch_timeout: float = 20.0  # seconds `rag index URL` waits for one page or feed
    torch_threads: int = 2
    write_lock_timeout: float = 300.0  # seconds a writer waits for another indexing run on the same index

    def __post_init__(self) -> None:
        if self.llm not in LLM_SETTINGS:
            raise ConfigError(
                f"RAG_LLM={self.llm!r} is not a known answering mode; choose one of {', '.join(LLM_SETTINGS)}."
            )
        if self.llm_grammar not in GRAMMAR_CHOICES:
            raise ConfigError(f"RAG_LLM_GRAMMAR must be one of {', '.join(GRAMMAR_CHOICES)}.")
        if self.llm_timeout <= 0:
            raise ConfigError("RAG_LLM_TIMEOUT must be positive (seconds).")
        if self.write_lock_timeout < 0:
            raise ConfigError("RAG_WRITE_LOCK_TIMEOUT must be 0 or more (seconds).")
        if self.llm_retries < 0:
            raise ConfigError("RAG_LLM_RETRIES must be 0 or more.")
        if self.max_article_mb <= 0:
            raise ConfigError("RAG_MAX_ARTICLE_MB must be positive (megabytes).")
        if self.fetch_timeout <= 0:
            raise ConfigError("RAG_FETCH_TIMEOUT must be positive (seconds).")
        if self.chunk_overlap >= self.chunk_size:
            raise ConfigError("RAG_CHUNK_OVERLAP must be smaller than RAG_CHUNK_SIZE.")
        for name in (
            "top_k", "dense_k", "max_answer_sentences", "chunk_size", "embed_batch_size", "index_batch",
            "llm_threads", "llm_context", "llm_max_tokens", "llm_source_tokens",
        ):  # fmt: skip
            if getattr(self, name) < 1:
                raise ConfigError(f"RAG_{name.upper()} must be at least 1.")

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **{k: _coerce(self, k, v) for k, v in changes.items()})


_BOOLEAN = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _coerce(defaults: Settings | None, name: str, raw: Any) -> Any:
    default = getattr(defaults or Settings(), name)
    kind = type(default)
    if isinstance(default, Path):
        return Path(str(raw)).expanduser()
    if kind is float and isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if kind is bool and isinstance(raw, str):
        if raw.strip().lower() not in _BOOLEAN:
            raise ConfigError(f"Setting {name} expects true or false, got {raw!r}.")
        return _BOOLEAN[raw.strip().lower()]
    if isinstance(raw, str):
        try:
            return kind(raw)
        except ValueError as exc:
            raise ConfigError(f"Setting {name} expects {kind.__name__}, got {raw!r}.") from exc
    if type(raw) is not kind:  # TOML gave 2.5 or true where a whole number was meant
        raise ConfigError(f"Setting {name} expects {kind.__name__}, got {raw!r}.")
    return raw


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"Settings file {path} does not exist.") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Settings file {path} is not valid TOML: {exc}") from exc
    table = data.get("rag", {})
    if not isinstance(table, dict):
        raise ConfigError(f"In {path}, `rag` must be a table ([rag]).")
    return {**{k: v for k, v in data.items() if k != "rag"}, **table}


def load_settings(
    toml_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build settings; `toml_path` falls back to `RAG_CONFIG` (keys as field names, optionally under `[rag]`)."""
    env = os.environ if env is None else env
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}
    config_file = toml_path or (Path(env["RAG_CONFIG"]) if env.get("RAG_CONFIG") else None)
    if config_file is not None:
        for key, raw in _read_toml(config_file).items():
            if key not in known:
                raise ConfigError(f"Unknown setting {key!r} in {config_file}; known: {', '.join(sorted(known))}.")
            values[key] = raw
    for name in known:
        if (raw := env.get(f"RAG_{name.upper()}")) is not None and raw != "":
            values[name] = raw
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**{k: _coerce(None, k, v) for k, v in values.items()})
