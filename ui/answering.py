"""The UI's handle on `rag.Assistant`: one loaded assistant per process, its usable modes, answers as a stream."""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag import Answer, Assistant, Settings
from rag.errors import RagError
from rag.filters import ArticleFilter
from rag.llm_answerer import Token
from rag.llm_backend import make_backend
from rag.serving import default_mode, usable_modes
from ui.render import answer_pieces

if TYPE_CHECKING:
    from rag.store import DocRecord

# The draft is redrawn at most this often: every token would be a page update competing with the model for CPU.
DRAFT_REFRESH_SECONDS = 0.1
STOP_POLL_SECONDS = 0.1  # how soon Stop ends an answer that is waiting for the model


def mode_choices(settings: Settings) -> list[tuple[str, str]]:
    """(label, value) for each mode that can answer here (`rag.serving.usable_modes`: the same rule as the API)."""
    return [(_label(mode, settings), mode) for mode in usable_modes(settings)]


def _label(mode: str, settings: Settings) -> str:
    if mode == "local":
        return f"Local LLM ({make_backend('local', settings).model})"
    if mode == "hosted":
        return f"Hosted LLM ({settings.llm_model})"
    return "Extractive (quotes the articles)"


__all__ = ["Answerer", "Partial", "Turn", "default_mode", "mode_choices"]


@dataclass(frozen=True)
class Partial:
    """The answer so far; `answer` is set on the last one.

    `draft` marks the model's unverified text: its [n] are the prompt's numbering, and
    verification may still re-point or drop its sentences.
    """

    text: str
    answer: Answer | None = None
    draft: bool = False


@dataclass(frozen=True)
class Turn:
    """One exchange of the conversation, as plain text for the next question's context."""

    question: str
    answer: str


class Answerer:
    """Thread-safe: `Assistant` serialises its own answering."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.assistant = Assistant(settings)
        self.choices = mode_choices(settings)
        self.default_mode = default_mode(settings)
        self._warm_up: threading.Thread | None = None
        self._stops: dict[str, threading.Event] = {}
        self._stops_lock = threading.Lock()

    def load(self) -> float:
        """Load the models and index now (once per process); returns seconds taken."""
        self.assistant.load()
        return self.assistant.load_seconds

    def warm_up_in_background(self) -> bool:
        """Start the local model server now when it is the default mode; True if it is starting.

        A question asked meanwhile waits for the server (the backend starts it under a lock);
        if it fails to start, the first question tries again and says why.
        """
        if self.default_mode != "local":
            return False
        self._warm_up = threading.Thread(target=self._start_local, name="local-llm-warm-up", daemon=True)
        self._warm_up.start()
        return True

    def warming_up(self) -> bool:
        return self._warm_up is not None and self._warm_up.is_alive()

    def _start_local(self) -> None:
        try:
            self.assistant.warm_up("local")
        except Exception as exc:  # no caller to raise to: say it; the first question retries
            print(f"The local model did not start in advance: {exc}", file=sys.stderr, flush=True)

    def ask(
        self,
        question: str,
        mode: str | None = None,
        top_k: int | None = None,
        history: Sequence[Turn] = (),
        filters: ArticleFilter | None = None,
    ) -> Answer:
        pairs = [(turn.question, turn.answer) for turn in history]
        return self.assistant.ask(question, history=pairs, mode=mode, top_k=top_k, filters=filters)

    def stream(
        self,
        question: str,
        mode: str | None = None,
        top_k: int | None = None,
        history: Sequence[Turn] = (),
        filters: ArticleFilter | None = None,
        stop: threading.Event | None = None,
    ) -> Iterator[Partial]:
        """Yield the answer as it grows, then the finished `Answer`.

        LLM modes yield the model's draft as it is written (`draft=True`), then the verified
        answer, which may differ. The extractive mode answers whole, so it is cut at its
        cited sentences. `history` lets an LLM mode rewrite a follow-up question. Setting
        `stop` ends the answer (the page's Stop button).
        """
        pairs = [(turn.question, turn.answer) for turn in history]
        draft = ""
        shown = 0.0
        events = self.assistant.stream(question, history=pairs, mode=mode, top_k=top_k, filters=filters)
        for event in _stoppable(events, stop or threading.Event()):
            if isinstance(event, Answer):
                if not draft:
                    for piece in answer_pieces(event.answer)[:-1]:
                        yield Partial(piece)
                yield Partial(event.answer, event)
                continue
            draft += event.text
            if time.monotonic() - shown >= DRAFT_REFRESH_SECONDS:
                shown = time.monotonic()
                yield Partial(draft, draft=True)

    def stop_event(self, session: str) -> threading.Event:
        """A fresh stop flag for this browser session's next answer (`stop` sets it)."""
        with self._stops_lock:
            self._stops[session] = threading.Event()
            return self._stops[session]

    def stop(self, session: str) -> None:
        with self._stops_lock:
            flag = self._stops.pop(session, None)
        if flag is not None:
            flag.set()

    def articles(self, sources: Iterable[str]) -> dict[str, DocRecord]:
        """The named articles' records (metadata and text), for the article view and the export."""
        return self.assistant.articles(sources)

    def filter_choices(self) -> tuple[list[str], list[tuple[str, str]]]:
        """The outlets, and (title, outlet and date; source) of each article, for the filter row."""
        records = sorted(self.assistant.articles(with_text=False).values(), key=lambda r: r.title.lower())
        outlets = sorted({r.outlet for r in records if r.outlet})
        labels = [(" · ".join(x for x in (r.title, r.outlet, r.date) if x), r.source) for r in records]
        return outlets, labels

    def reload(self) -> str | None:
        """Make the assistant see the changed index; returns a problem to show, if any."""
        try:
            self.assistant.reload()
        except RagError as exc:
            return str(exc)
        return None

    def close(self) -> None:
        """Stop the local model server, if this process started one."""
        self.assistant.close()


_DONE = object()


def _stoppable(events: Iterator[Token | Answer], stop: threading.Event) -> Iterator[Token | Answer]:
    """`events`, driven by a thread of its own that closes them as soon as `stop` is set.

    A generator abandoned mid-answer (Gradio's cancel only stops reading it) would keep holding the
    assistant's answering lock and the model, and no other thread may close it. The pump that drives
    it can: on stop it closes `events`, which releases the lock and the model's stream; the reader
    stops at once, even while the model has not yet written its next word.
    """
    handed: queue.Queue[object] = queue.Queue()

    def pump() -> None:
        try:
            for event in events:
                if stop.is_set():
                    break
                handed.put(event)
        except BaseException as exc:  # re-raised on the reader's side
            handed.put(exc)
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()
            handed.put(_DONE)

    threading.Thread(target=pump, name="answer", daemon=True).start()
    while not stop.is_set():  # the reader returns at once; the pump closes `events` at their next step
        try:
            item = handed.get(timeout=STOP_POLL_SECONDS)
        except queue.Empty:
            continue
        if item is _DONE:
            return
        if isinstance(item, BaseException):
            raise item
        yield item  # type: ignore[misc]
