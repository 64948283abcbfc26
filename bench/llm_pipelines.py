"""The two pipelines bench/llm.py times on one question each: ours (`Assistant.stream`) and llama-index's plain one.

Both call the same llama.cpp server through llama-index's `OpenAILike`, so one instrumentation
handler (`LLMCallCatcher`) sees the messages, usage and server timings of either.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from typing import Any

_NEGATION = re.compile(r"\b(not|no|cannot)\b|n't\b")
_NO_ANSWER_WORDS = ("context", "information", "sources")


def says_cannot_answer(text: str) -> bool:
    """The documented rule for when llama-index's free text counts as an abstention."""
    low = text.lower().replace("’", "'")
    return bool(_NEGATION.search(low)) and any(word in low for word in _NO_ANSWER_WORDS)


class LLMCallCatcher:
    """The messages, usage and server timings of the last LLM call, via llama-index's instrumentation.

    Both pipelines call the server through `OpenAILike.stream_chat`, so one handler sees both. The
    llama.cpp server appends a `timings` object to its last streamed chunk (prompt tokens evaluated
    vs reused from its prompt cache, decode speed measured inside the server).
    """

    def __init__(self) -> None:
        from llama_index.core.instrumentation import get_dispatcher
        from llama_index.core.instrumentation.event_handlers import BaseEventHandler
        from llama_index.core.instrumentation.events.llm import LLMChatEndEvent, LLMChatStartEvent

        catcher = self
        self.messages: list[Any] = []
        self.usage: dict[str, Any] = {}
        self.timings: dict[str, Any] = {}

        class Handler(BaseEventHandler):
            def handle(self, event: Any, **kwargs: Any) -> None:
                if isinstance(event, LLMChatStartEvent):
                    catcher.messages = list(event.messages)
                elif isinstance(event, LLMChatEndEvent) and event.response is not None:
                    catcher.usage = dict(event.response.additional_kwargs or {})
                    extra = getattr(event.response.raw, "model_extra", None) or {}
                    catcher.timings = dict(extra.get("timings") or {})

        get_dispatcher().add_event_handler(Handler())

    def reset(self) -> None:
        self.messages, self.usage, self.timings = [], {}, {}

    def server_stats(self) -> dict[str, Any]:
        t = self.timings
        return {
            "cached_prompt_tokens": t.get("cache_n"),
            "server_tokens_per_second": t.get("predicted_per_second") if (t.get("predicted_n") or 0) > 1 else None,
            "server_timings": t,
        }


def run_ours(assistant: Any, catcher: LLMCallCatcher, item: Any) -> dict[str, Any]:
    from evals.metrics import answer_correct
    from rag.answer import Answer

    catcher.reset()
    started = time.perf_counter()
    first = last = None
    final: Answer | None = None
    for event in assistant.stream(item.question):
        now = time.perf_counter()
        if isinstance(event, Answer):
            final = event
        elif event.text:
            first = first if first is not None else now - started
            last = now - started
    total = time.perf_counter() - started
    assert final is not None
    usage = final.usage
    model_called = bool(usage) or bool(final.fallback)
    return {
        "id": item.id,
        "type": item.type,
        "answerable": item.answerable,
        "model_called": model_called,
        "gate_abstained": final.abstained and not model_called,
        "abstained": final.abstained,
        "fallback": final.fallback,
        "correct": answer_correct(final.to_dict(), item),
        "ttft_s": first,
        "first_output_s": first if first is not None else total,
        "last_token_s": last,
        "total_s": total,
        "prompt_tokens": usage.get("prompt_tokens") or None,
        "prompt_tokens_cl100k": usage.get("prompt_tokens_cl100k") or None,
        "completion_tokens": usage.get("completion_tokens"),
        "tokens_per_second": usage.get("tokens_per_second") or None,
        "checks": dict(Counter(c.status for c in final.checks)),
        **catcher.server_stats(),
        "timings": final.timings,
        "answer": final.answer,
        "draft": final.draft,
    }


def llama_index_engine(assistant: Any, settings: Any, server: Any, model: str) -> Any:
    from llama_index.core import VectorStoreIndex
    from llama_index.llms.openai_like import OpenAILike

    from rag.store import ChunkStore

    index = VectorStoreIndex.from_vector_store(ChunkStore(settings).vector_store(), embed_model=assistant.embedder)
    llm = OpenAILike(
        api_base=server.base_url,
        model=model,
        api_key="x",
        is_chat_model=True,
        temperature=0,
        max_tokens=settings.llm_max_tokens,
        context_window=4096,
        # Only so the server reports token usage in the stream; the request is otherwise llama-index's.
        additional_kwargs={"stream_options": {"include_usage": True}},
    )
    return index.as_query_engine(llm=llm, similarity_top_k=2, streaming=True)


def run_llama_index(engine: Any, catcher: LLMCallCatcher, item: Any) -> dict[str, Any]:
    from evals.metrics import answer_correct
    from rag.chunking import count_tokens

    catcher.reset()
    started = time.perf_counter()
    first, text, error = None, "", ""
    try:
        for piece in engine.query(item.question).response_gen:
            if piece and first is None:
                first = time.perf_counter() - started
            text += piece
    except Exception as exc:  # a failed question is recorded, the run goes on
        error = f"{type(exc).__name__}: {str(exc)[:200]}"
    total = time.perf_counter() - started
    completion = int(catcher.usage.get("completion_tokens") or 0)
    generating = total - first if first is not None else 0.0
    cannot = says_cannot_answer(text)
    abstained = cannot and not item.answerable
    return {
        "id": item.id,
        "type": item.type,
        "answerable": item.answerable,
        "says_cannot_answer": cannot,
        "abstained": abstained,
        "correct": not error and answer_correct({"answer": text, "abstained": abstained, "citations": []}, item),
        "ttft_s": first,
        "total_s": total,
        "prompt_tokens": catcher.usage.get("prompt_tokens") or None,
        "prompt_tokens_cl100k": sum(count_tokens(m.content or "") for m in catcher.messages) or None,
        "completion_tokens": completion,
        "tokens_per_second": completion / generating if generating > 0 and completion > 1 else None,
        **catcher.server_stats(),
        "answer": text,
        "error": error,
    }
