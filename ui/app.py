"""The page: chat with linked sources, the library, the evaluation; plus the `/ask` JSON endpoint.

Only layout and event wiring live here; what to show comes from `ui.render`, what to do
from `ui.answering`, `ui.library` and `ui.evaluation`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from rag import Answer
from rag.corpus import SUPPORTED_EXTENSIONS
from rag.errors import RagError
from rag.freshness import INDEX_UPDATED
from ui.answering import Answerer, Turn
from ui.evaluation import NO_RUN, latest_run, run_eval
from ui.library import COLUMNS, Library
from ui.render import EMPTY_SOURCES, chat_message, draft_message, escape_markdown, link_citations, sources_panel
from ui.settings import UiSettings
from ui.uploads import MAX_UPLOAD_BYTES

EXAMPLES = [
    "What did Miller say about the 90% figure?",
    "Which countries are mediating between Israel and Hamas?",
    "What did Blinken say about the work remaining on a deal?",
    "What does the White House say about the state of the talks?",
]
MAX_TOP_K = 12
THINKING = '<span class="thinking">Searching the articles…</span>'
STARTING = '<span class="thinking">Starting the local model (first question only), then searching the articles…</span>'
Message = dict[str, Any]


def build_app(answerer: Answerer, library: Library, ui_settings: UiSettings) -> gr.Blocks:
    """The whole app; models and index are already loaded by `answerer`, shared by every session."""
    with gr.Blocks(title="News Q&A") as app:
        gr.Markdown(
            "# News Q&A\nAnswers quote the indexed articles. Every sentence cites its source: "
            "click a citation **[n]** to see the passage it comes from.",
            elem_id="intro",
        )
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                _ask_tab(answerer)
            with gr.Tab("Library", id="library"):
                _library_tab(app, library)
            with gr.Tab("Evaluation", id="evaluation"):
                _evaluation_tab(app, answerer, ui_settings)
        _ask_api(answerer)
    return app


def _ask_tab(answerer: Answerer) -> None:
    answers = gr.State([])  # list[Answer], one per answered question of this session
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=380):
            chatbot = gr.Chatbot(
                label="Conversation",
                height=560,
                elem_id="chat",
                examples=[{"text": q} for q in EXAMPLES],
                placeholder="Ask about the indexed news articles, or pick an example.",
                allow_tags=False,
                latex_delimiters=[],
                feedback_options=None,
                buttons=[],  # copy would hand out the escaped Markdown source, not the text
            )
            with gr.Row(equal_height=True):
                question = gr.Textbox(
                    placeholder="Ask a question…", show_label=False, scale=6, elem_id="question", max_lines=4
                )
                ask = gr.Button("Ask", variant="primary", scale=1, min_width=70, elem_id="ask")
                clear = gr.Button("Clear", variant="secondary", scale=1, min_width=70, elem_id="clear")
            with gr.Accordion("Answer settings (apply to the next question)", open=False), gr.Row():
                mode = gr.Dropdown(
                    answerer.choices,
                    value=answerer.default_mode,
                    label="Answering mode and model",
                    info="Extractive quotes the articles; an LLM writes its own sentences, each then checked "
                    "against the source it cites.",
                    interactive=True,
                    elem_id="mode",
                )
                top_k = gr.Slider(1, MAX_TOP_K, value=answerer.settings.top_k, step=1, label="Passages to read")
        with gr.Column(scale=2, min_width=320):
            gr.Markdown("### Sources", elem_id="sources-title")
            sources = gr.HTML(EMPTY_SOURCES, elem_id="sources", apply_default_css=False)

    def respond(text: str, chat: list[Message], past: list[Answer], mode: str, k: float) -> Iterator[tuple]:
        """Stream one answer into the chat, then show its sources."""
        asked = (text or "").strip()
        if not asked:  # leave the conversation as it is: a generator that yields nothing clears its outputs
            gr.Warning("Type a question first.")
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        turn = len(past)
        waiting = STARTING if mode == "local" and answerer.warming_up() else THINKING
        chat = [*chat, {"role": "user", "content": escape_markdown(asked)}, {"role": "assistant", "content": waiting}]
        yield "", chat, past, gr.skip()
        history = [Turn(a.standalone_question or a.question, a.answer) for a in past]
        try:
            for part in answerer.stream(asked, mode=mode, top_k=int(k), history=history):
                if part.answer is None:
                    shown = draft_message(part.text) if part.draft else link_citations(part.text, turn)
                    chat[-1] = {"role": "assistant", "content": shown}
                    yield "", chat, past, gr.skip()
                else:
                    if INDEX_UPDATED in part.answer.notices:
                        gr.Info("Index updated: the articles changed since the last question.")
                    past = [*past, part.answer]
                    chat[-1] = {"role": "assistant", "content": chat_message(part.answer, turn)}
                    yield "", chat, past, sources_panel(past)
        except Exception as exc:  # the chat must say what happened, never a bare "Error"
            chat[-1] = {"role": "assistant", "content": f'<span class="error">{escape_markdown(failure(exc))}</span>'}
            yield "", chat, past, gr.skip()

    chat_io: dict[str, Any] = {
        "fn": respond,
        "inputs": [question, chatbot, answers, mode, top_k],
        "outputs": [question, chatbot, answers, sources],
        "api_visibility": "private",
        "concurrency_id": "answer",
    }
    question.submit(**chat_io)
    ask.click(**chat_io)

    def pick_example(event: gr.SelectData) -> str:
        return str(event.value["text"])

    chatbot.example_select(pick_example, None, question, api_visibility="private").then(**chat_io)

    def reset() -> tuple:
        return [], [], EMPTY_SOURCES, ""

    for trigger in (clear.click, chatbot.clear):
        trigger(reset, None, [chatbot, answers, sources, question], api_visibility="private")


def failure(exc: Exception) -> str:
    """The sentence to show for a failed answer: ours say what to do; anything else gets the same advice."""
    if isinstance(exc, RagError):
        return str(exc)
    return (
        f"Answering failed ({type(exc).__name__}: {exc}). Try again; if it keeps failing, restart the app "
        "(`rag ui`) and check its terminal for the cause."
    )


def _library_tab(app: gr.Blocks, library: Library) -> None:
    limit_mb = MAX_UPLOAD_BYTES // 2**20
    gr.Markdown(
        f"The articles the assistant answers from. Add `.txt`, `.md` or `.html` files (UTF-8), PDFs with a text "
        f"layer or Word `.docx` files, up to {limit_mb} MB each: they are checked, stored in the index folder under "
        "generated names, and indexed straight away."
    )
    files = gr.File(
        label="Upload articles",
        file_count="multiple",
        file_types=list(SUPPORTED_EXTENSIONS),
        height=150,
        elem_id="upload",
    )
    status = gr.Textbox(label="Status", interactive=False, lines=1, max_lines=8, elem_id="library-status")
    table = gr.Dataframe(
        headers=COLUMNS,
        datatype=["str", "str", "number", "str"],
        interactive=False,
        wrap=True,
        column_widths=["52%", "12%", "8%", "28%"],
        label="Indexed articles",
        elem_id="articles",
    )
    with gr.Row(equal_height=True):
        # allow_custom_value: the published /remove endpoint takes any file name (choices are per page
        # session, so an API caller's would be empty); `drop` answers an unknown one with a sentence.
        doomed = gr.Dropdown(
            [], label="Remove an article (by file name)", scale=5, elem_id="remove-choice", allow_custom_value=True
        )
        remove = gr.Button("Remove", variant="stop", scale=1, min_width=120, elem_id="remove")

    def refresh() -> tuple:
        return library.articles(), gr.Dropdown(choices=library.sources(), value=None)

    def add(paths: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (Gradio's idiom)
        """Validate, store and index the uploaded files."""
        pairs = [(Path(p), Path(p).name) for p in paths or []]
        result = library.add(pairs, lambda fraction, what: progress(fraction, desc=what))
        return (result.summary(), *refresh(), None)

    def drop(source: str | None) -> tuple:
        """Remove the chosen article from the index (and its stored upload)."""
        message = library.remove(source) if source else "Choose an article to remove."
        return (message, *refresh())

    library_io = {"concurrency_id": "library", "concurrency_limit": 1}
    files.upload(add, files, [status, table, doomed, files], api_name="upload", **library_io)
    remove.click(drop, doomed, [status, table, doomed], api_name="remove", **library_io)
    app.load(refresh, None, [table, doomed], api_visibility="private")


def _evaluation_tab(app: gr.Blocks, answerer: Answerer, ui_settings: UiSettings) -> None:
    gr.Markdown(
        "How well the assistant answers the evaluation questions. **Run evaluation** runs `rag eval` "
        "against this index (a minute or more); the latest run is shown below."
    )
    with gr.Row():
        run = gr.Button("Run evaluation", variant="primary", elem_id="run-eval")
        reload = gr.Button("Load latest run", elem_id="load-eval")
    log = gr.Textbox(label="Log", lines=6, max_lines=12, autoscroll=True, visible=False, elem_id="eval-log")
    title = gr.Markdown(NO_RUN, elem_id="eval-title")
    charts = gr.Gallery(
        label="Charts",
        columns=3,
        height="auto",
        object_fit="contain",
        preview=False,
        visible=False,
        elem_id="eval-charts",
    )
    report = gr.Markdown(elem_id="eval-report")
    with gr.Accordion("Failed questions", open=False):
        failures = gr.Markdown()
    with gr.Accordion("metrics.json", open=False):
        metrics = gr.JSON()

    def show_latest() -> tuple:
        found = latest_run(ui_settings.eval_runs_dir)
        if found is None:
            return NO_RUN, gr.Gallery(value=None, visible=False), "", "", None
        heading = f"Latest run: **{escape_markdown(found.folder.name)}**"
        charts_value = [(str(png), caption) for png, caption in found.charts]
        gallery = gr.Gallery(value=charts_value, visible=bool(charts_value))
        return heading, gallery, found.report, found.failures or "None failed.", found.metrics

    def run_and_log() -> Iterator[Any]:
        for text in run_eval(answerer.settings, ui_settings.eval_runs_dir):
            yield gr.Textbox(value=text, visible=True)

    shown = [title, charts, report, failures, metrics]
    app.load(show_latest, None, shown, api_visibility="private")
    reload.click(show_latest, None, shown, api_visibility="private")
    run.click(run_and_log, None, log, api_visibility="private", concurrency_id="eval", concurrency_limit=1).then(
        show_latest, None, shown, api_visibility="private"
    )


def _ask_api(answerer: Answerer) -> None:
    settings = answerer.settings

    def ask(question: str, mode: str = answerer.default_mode, top_k: int = settings.top_k) -> dict[str, Any]:
        """Answer one question; returns the same JSON object as `rag ask --json` (mode: extractive, local, hosted)."""
        if not 1 <= int(top_k) <= MAX_TOP_K:
            raise gr.Error(f"top_k must be between 1 and {MAX_TOP_K}.")
        allowed = [value for _, value in answerer.choices]
        if mode not in allowed:
            raise gr.Error(f"Mode {mode!r} is not enabled on this server; choose one of: {', '.join(allowed)}.")
        try:
            return answerer.ask(question, mode=mode, top_k=int(top_k)).to_dict()
        except Exception as exc:  # an API caller gets a sentence, never {"error": null}
            raise gr.Error(failure(exc)) from exc

    gr.api(ask, api_name="ask", concurrency_id="answer")
