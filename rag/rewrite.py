"""Turn a follow-up ("and what did Hamas say about it?") into a standalone question before retrieval.

Retrieval sees one question at a time, so "it" must be spelled out. The model does the
rewriting with the last turns as context; its output is accepted only if it looks like
one question, otherwise the original question is used unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.llm_backend import ChatBackend

HISTORY_TURNS = 2
ANSWER_CHARS = 300
_REFERRING = re.compile(
    r"^\s*(?:and|but|so|also|what about|how about)\b"
    r"|\b(?:it|its|they|them|their|he|him|his|she|her|that|this|those|these|there|then|the same|the deal)\b",
    re.IGNORECASE,
)
_MARKER = re.compile(r"\s*\[\d+(?:,\s*\d+)*\]")
# The worked example is what made it work: without it both bundled models echoed the
# follow-up unchanged (checked on three hand-written follow-ups, none from the eval set).
SYSTEM_PROMPT = (
    "Rewrite the user's follow-up question as a standalone question, replacing words like it, they, he or that "
    "with the names and topics they refer to in the conversation. Reply with the rewritten question only.\n"
    'Example: after a conversation about the Gaza ceasefire talks, the follow-up "Who hosted them?" '
    'becomes "Who hosted the Gaza ceasefire talks?"'
)
GRAMMAR = 'root ::= [A-Z] [^\\n?]{4,250} "?"\n'


def needs_rewrite(question: str, history: Sequence[tuple[str, str]]) -> bool:
    """Only questions that point back at the conversation; a self-contained one is left alone."""
    return bool(history) and bool(_REFERRING.search(question))


def rewrite_messages(question: str, history: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    lines = []
    for asked, answered in list(history)[-HISTORY_TURNS:]:
        reply = _MARKER.sub("", answered or "").strip()
        if len(reply) > ANSWER_CHARS:
            reply = reply[:ANSWER_CHARS].rsplit(" ", 1)[0] + " …"
        lines.append(f"User: {asked}\nAssistant: {reply}")
    user = "Conversation:\n" + "\n".join(lines) + f"\n\nLast question: {question}\nRewritten question:"
    return [("system", SYSTEM_PROMPT), ("user", user)]


def clean_rewrite(raw: str, original: str) -> str:
    """The model's question, or the original when the output is not one plausible question."""
    text = raw.strip().strip('"“”').strip()
    text = re.sub(r"^(?:rewritten|standalone) question:\s*", "", text, flags=re.IGNORECASE)
    if "\n" in text or not 5 <= len(text) <= 300 or not text.endswith("?"):
        return original
    return text


def rewrite_question(backend: ChatBackend, question: str, history: Sequence[tuple[str, str]]) -> str:
    """May raise what the backend raises; the caller falls back to the original question."""
    raw = backend.complete(rewrite_messages(question, history), max_tokens=64, grammar=GRAMMAR)
    return clean_rewrite(raw, question)


def standalone_question(
    backend: Callable[[], ChatBackend], question: str, history: Sequence[tuple[str, str]], mode: str
) -> tuple[str, str]:
    """The question to retrieve for, and a notice when it was rewritten or could not be. `backend` is
    asked for only when a rewrite is needed (an extractive question never starts a model)."""
    if mode == "extractive" or not needs_rewrite(question, history):
        return question, ""
    try:
        rewritten = rewrite_question(backend(), question, history)
    except Exception as exc:  # the answer step will meet the same failure and fall back
        return question, f"The follow-up could not be rewritten ({type(exc).__name__}); asked as written."
    if rewritten == question:
        return question, ""
    return rewritten, f"Follow-up read as: {rewritten}"
