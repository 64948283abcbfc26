"""`rag serve`: an OpenAI-compatible chat API over the Assistant, for chat clients that already speak it.

`GET /v1/models` lists one model per answering mode that can run here; `POST
/v1/chat/completions` answers the last user message, with the earlier turns as history. The
reply's content is the cited answer with its `[n]` markers; the response also carries
`citations` (the citation objects of `rag ask --json`) and `newsrag` (that whole JSON object),
both from `Answer.to_dict()`. A stream sends the verified answer sentence by sentence and the
citations in its last chunk: an OpenAI stream can only append, so an LLM's unverified draft,
which verification may rewrite, is never streamed.
"""

from __future__ import annotations

import json
import re
import secrets
import time
import uuid
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from rag.answer import Answer
from rag.assistant import Assistant
from rag.errors import BadInputError, RagError, StoreError
from rag.filters import make_filter
from rag.serving import default_mode, usable_modes

MODEL_PREFIX = "newsrag-"
MAX_TOP_K = 12  # as in the web app: more passages only slow the answer
# Module level: FastAPI reads the dependency from the (string) annotation, which cannot see a local name.
_BEARER = HTTPBearer(auto_error=False)
_SENTENCE_END = re.compile(r"(?<=\])\s+")  # every answer sentence ends with its [n]


class ApiError(Exception):
    """An error answered in OpenAI's shape, so official clients raise their matching exception."""

    def __init__(self, status: int, message: str, kind: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.kind, self.code = status, message, kind, code

    def response(self) -> JSONResponse:
        error = {"message": self.message, "type": self.kind, "param": None, "code": self.code}
        return JSONResponse({"error": error}, status_code=self.status)


class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str = ""


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")  # name, tool_calls...: accepted and not used
    role: str
    content: str | list[TextPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content if part.type == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """The fields we use; OpenAI's others (temperature, max_tokens...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    top_k: int | None = None  # extra body field: passages handed to the answerer for this question
    # Extra body fields: answer only from these articles (rag.filters); a string may list several with commas.
    since: str | None = None
    until: str | None = None
    outlet: str | list[str] | None = None
    source: str | list[str] | None = None


def model_id(mode: str) -> str:
    return MODEL_PREFIX + mode


def create_api(assistant: Assistant, api_key: str = "") -> FastAPI:
    """The app over a loaded assistant; every route requires `Authorization: Bearer <api_key>` when one is set."""
    settings = assistant.settings
    modes = usable_modes(settings)
    default = default_mode(settings)
    created = int(time.time())

    def authorised(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]) -> None:
        if not api_key:
            return
        # compare_digest: a plain == would leak through timing how much of a guessed key was right.
        if credentials is None or not secrets.compare_digest(credentials.credentials.encode(), api_key.encode()):
            raise ApiError(
                401,
                "Missing or wrong API key: send `Authorization: Bearer <key>`.",
                "invalid_request_error",
                "invalid_api_key",
            )

    app = FastAPI(
        title="newsrag", summary="Cited answers about news articles, OpenAI-compatible.", docs_url=None, redoc_url=None
    )
    app.add_exception_handler(ApiError, lambda _request, exc: exc.response())  # type: ignore[arg-type, return-value]

    @app.exception_handler(RequestValidationError)
    def invalid_body(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ())[1:])
        return ApiError(
            400, f"Invalid request body: {where} {first.get('msg', '')}".strip(), "invalid_request_error"
        ).response()

    def model_card(mode: str) -> dict[str, Any]:
        return {"id": model_id(mode), "object": "model", "created": created, "owned_by": "newsrag"}

    @app.get("/v1/models", dependencies=[Depends(authorised)])
    def list_models() -> dict[str, Any]:
        return {"object": "list", "data": [model_card(mode) for mode in modes]}

    @app.get("/v1/models/{name}", dependencies=[Depends(authorised)])
    def get_model(name: str) -> dict[str, Any]:
        return model_card(mode_for(name, modes, default))

    @app.post("/v1/chat/completions", dependencies=[Depends(authorised)], response_model=None)
    def chat_completions(request: ChatRequest) -> dict[str, Any] | StreamingResponse:
        mode = mode_for(request.model, modes, default)
        question, history = conversation(request.messages)
        try:  # bad input is a 400 before a stream starts, not an error event inside it
            assistant.check_question(question)
            if request.top_k is not None and not 1 <= request.top_k <= MAX_TOP_K:
                raise BadInputError(f"top_k must be between 1 and {MAX_TOP_K}.")
            filters = make_filter(request.since, request.until, request.outlet, request.source)
            assistant.check_filters(filters)
        except BadInputError as exc:
            raise ApiError(400, str(exc), "invalid_request_error") from exc
        reply = Reply(model_id(mode), include_usage=bool((request.stream_options or {}).get("include_usage")))
        if request.stream:
            events = assistant.stream(question, history=history, mode=mode, top_k=request.top_k, filters=filters)
            return StreamingResponse(reply.stream(events), media_type="text/event-stream")
        try:
            answer = assistant.ask(question, history=history, mode=mode, top_k=request.top_k, filters=filters)
        except RagError as exc:
            raise _as_api_error(exc) from exc
        return reply.completion(answer)

    return app


def mode_for(name: str, modes: list[str], default: str) -> str:
    """`newsrag-<mode>` or a bare mode name; `newsrag` is the server's default mode."""
    if name in ("newsrag", ""):
        return default
    mode = name.removeprefix(MODEL_PREFIX)
    if mode not in modes:
        served = ", ".join(model_id(m) for m in modes)
        raise ApiError(
            404,
            f"The model {name!r} is not served here; use one of: {served}.",
            "invalid_request_error",
            "model_not_found",
        )
    return mode


def conversation(messages: list[Message]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message, and the (user, assistant) turns before it; system and tool messages are not used."""
    users = [i for i, m in enumerate(messages) if m.role == "user"]
    if not users:
        raise ApiError(400, "No user message: the last user message is the question.", "invalid_request_error")
    last = users[-1]
    history: list[tuple[str, str]] = []
    asked: str | None = None
    for message in messages[:last]:
        if message.role == "user":
            asked = message.text()
        elif message.role == "assistant" and asked is not None:
            history.append((asked, message.text()))
            asked = None
    return messages[last].text(), history


class Reply:
    """One completion's envelope: the same id, time and model on every chunk."""

    def __init__(self, model: str, include_usage: bool) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model = model
        self.include_usage = include_usage

    def _envelope(self, kind: Literal["chat.completion", "chat.completion.chunk"]) -> dict[str, Any]:
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model}

    def completion(self, answer: Answer) -> dict[str, Any]:
        data = answer.to_dict()
        message = {"role": "assistant", "content": answer.answer}
        return {
            **self._envelope("chat.completion"),
            "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
            "usage": _usage(answer),
            "citations": data["citations"],
            "newsrag": data,
        }

    def _chunk(self, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        return _sse({**self._envelope("chat.completion.chunk"), "choices": [choice], **extra})

    def stream(self, events: Iterator[object]) -> Iterator[str]:
        """Server-sent events: the role first, the verified answer sentence by sentence, then the citations."""
        yield self._chunk({"role": "assistant", "content": ""})
        try:
            answer = next(event for event in events if isinstance(event, Answer))  # LLM draft tokens are skipped
        except RagError as exc:
            error = _as_api_error(exc)
            yield _sse({"error": {"message": error.message, "type": error.kind, "param": None, "code": error.code}})
            return
        pieces = _SENTENCE_END.split(answer.answer)
        for i, piece in enumerate(pieces):
            yield self._chunk({"content": piece + (" " if i < len(pieces) - 1 else "")})
        data = answer.to_dict()
        usage = {"usage": _usage(answer)} if self.include_usage else {}
        yield self._chunk({}, "stop", citations=data["citations"], newsrag=data, **usage)
        yield "data: [DONE]\n\n"


def _sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _usage(answer: Answer) -> dict[str, int]:
    """Tokens the model read and wrote (LLM modes); the extractive mode runs no model, so 0."""
    prompt = int(answer.usage.get("prompt_tokens", 0))
    completion = int(answer.usage.get("completion_tokens", 0))
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _as_api_error(exc: RagError) -> ApiError:
    if isinstance(exc, BadInputError):
        return ApiError(400, str(exc), "invalid_request_error")
    if isinstance(exc, StoreError):
        return ApiError(503, str(exc), "server_error", "index_unavailable")
    return ApiError(500, str(exc), "server_error")
