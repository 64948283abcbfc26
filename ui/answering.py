"""The UI's handle on `rag.Assistant`: one loaded assistant per process, and answers as a stream."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rag import Answer, Assistant, Settings
from rag.config import ANSWER_MODES
from rag.errors import RagError
from ui.render import answer_pieces

MODE_LABELS = {"extractive": "Extractive", "local": "Local LLM", "hosted": "Hosted LLM"}


def mode_choices() -> list[tuple[str, str]]:
    """(label, value) for each answering mode this install has; later modes appear by themselves."""
    return [(MODE_LABELS.get(mode, mode), mode) for mode in ANSWER_MODES]


@dataclass(frozen=True)
class Partial:
    """The answer so far; `answer` is set on the last one."""

    text: str
    answer: Answer | None = None


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

    def load(self) -> float:
        """Load the models and index now (once per process); returns seconds taken."""
        self.assistant.load()
        return self.assistant.load_seconds

    def ask(
        self, question: str, mode: str | None = None, top_k: int | None = None, history: Sequence[Turn] = ()
    ) -> Answer:
        pairs = [(turn.question, turn.answer) for turn in history]
        return self.assistant.ask(question, history=pairs, mode=mode, top_k=top_k)

    def stream(
        self, question: str, mode: str | None = None, top_k: int | None = None, history: Sequence[Turn] = ()
    ) -> Iterator[Partial]:
        """Yield the answer as it grows, then the finished `Answer`.

        The extractive mode answers whole, so it is cut at its cited sentences; the LLM
        modes will yield tokens through this same path. `history` is passed to the
        assistant (the extractive mode answers each question on its own).
        """
        answer = self.ask(question, mode=mode, top_k=top_k, history=history)
        for piece in answer_pieces(answer.answer)[:-1]:
            yield Partial(piece)
        yield Partial(answer.answer, answer)

    def reload(self) -> str | None:
        """Make the assistant see the changed index; returns a problem to show, if any."""
        try:
            self.assistant.reload()
        except RagError as exc:
            return str(exc)
        return None
