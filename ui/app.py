"""The page: chat with linked sources, the library, the evaluation; plus the `/ask` JSON endpoint.

Only layout and event wiring live here; what to show comes from `ui.render`, what to do
from `ui.answering`, `ui.library` and `ui.evaluation`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from rag import Answer
from rag.errors import RagError
from rag.export import to_markdown
from rag.filters import make_filter
from rag.freshness import INDEX_UPDATED
from ui.answering import Answerer, Turn
from ui.evaluation_tab import evaluation_tab
from ui.library import Library
from ui.library_tab import library_tab
from ui.render import EMPTY_SOURCES, chat_message, draft_message, escape_markdown, link_citations, sources_panel
from ui.settings import UiSettings

EXAMPLES = [
    "What did Miller say about the 90% figure?",
    "Which countries are mediating between Israel and Hamas?",
    "What did Blinken say about the work remaining on a deal?",
    "What does the White House say about the state of the talks?",
]
MAX_TOP_K = 12
THINKING = '<span class="thinking">Searching the articles…</span>'
STARTING = '<span class="thinking">Starting the local model (first question only), then searching the articles…</span>'
STOPPED = '<span class="notice">Stopped: no answer for this question.</span>'
# The page's clipboard, for "Copy with sources"; says so when the browser refuses (a page served over plain
# http from another machine gets no clipboard): the Markdown is also shown below the button to copy by hand.
COPY_JS = """async (text) => {
  if (!text) return "Ask a question first: then its answer can be copied with its sources.";
  try { await navigator.clipboard.writeText(text); return "Copied: the answer with its sources, as Markdown."; }
  catch (error) { return "This browser did not allow copying: select the Markdown below and copy it."; }
}"""
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
                _ask_tab(app, answerer)
            with gr.Tab("Library", id="library"):
                library_tab(app, library)
            with gr.Tab("Evaluation", id="evaluation"):
                evaluation_tab(app, answerer, ui_settings)
        _ask_api(answerer)
    return app


def _ask_tab(app: gr.Blocks, answerer: Answerer) -> None:
    answers = gr.State([])  # list[Answer], one per answered question of this session
    articles = gr.State({})  # source -> DocRecord of every article cited so far: the article view's text
    with gr.Row(equal_height=False, elem_id="ask-row"):
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
                buttons=[],  # copy would hand out the escaped Markdown source: "Copy with sources" does it right
            )
            with gr.Row(equal_height=True):
                question = gr.Textbox(
                    placeholder="Ask a question…", show_label=False, scale=6, elem_id="question", max_lines=4
                )
                ask = gr.Button("Ask", variant="primary", scale=1, min_width=70, elem_id="ask")
                stop = gr.Button("Stop", variant="stop", scale=1, min_width=70, elem_id="stop", visible=False)
                clear = gr.Button("Clear", variant="secondary", scale=1, min_width=70, elem_id="clear")
            with gr.Row(equal_height=True, elem_id="filters"):
                since = gr.Textbox(label="Published from", placeholder="2024-09-01", min_width=110, elem_id="since")
                until = gr.Textbox(label="to", placeholder="2024-12-31", min_width=110, elem_id="until")
                outlets = gr.Dropdown([], multiselect=True, label="Outlets", min_width=150, elem_id="outlets")
                chosen = gr.Dropdown([], multiselect=True, label="Articles", scale=2, min_width=180, elem_id="chosen")
            with gr.Row(equal_height=True):
                copy = gr.Button("Copy with sources", size="sm", scale=0, min_width=160, elem_id="copy-sources")
                copied = gr.Markdown(elem_id="copy-status")
            with gr.Accordion("The latest answer with its sources (Markdown)", open=False):
                exported = gr.Textbox(show_label=False, lines=6, max_lines=20, interactive=False, elem_id="export")
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

    def respond(
        text: str,
        chat: list[Message],
        past: list[Answer],
        known: dict,
        mode: str,
        k: float,
        since_date: str,
        until_date: str,
        only_outlets: list[str] | None,
        only_articles: list[str] | None,
        request: gr.Request,
    ) -> Iterator[tuple]:
        """Stream one answer into the chat, then show its sources and its Markdown export, from the
        articles the filter row allows."""
        asked = (text or "").strip()
        if not asked:  # leave the conversation as it is: a generator that yields nothing clears its outputs
            gr.Warning("Type a question first.")
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        turn = len(past)
        waiting = STARTING if mode == "local" and answerer.warming_up() else THINKING
        chat = [*chat, {"role": "user", "content": escape_markdown(asked)}, {"role": "assistant", "content": waiting}]
        yield "", chat, past, known, gr.skip(), gr.skip()
        history = [Turn(a.standalone_question or a.question, a.answer) for a in past]
        try:
            filters = make_filter(since_date, until_date, only_outlets, only_articles)
            stop_flag = answerer.stop_event(request.session_hash or "")
            for part in answerer.stream(
                asked, mode=mode, top_k=int(k), history=history, filters=filters, stop=stop_flag
            ):
                if part.answer is None:
                    shown = draft_message(part.text) if part.draft else link_citations(part.text, turn)
                    chat[-1] = {"role": "assistant", "content": shown}
                    yield "", chat, past, known, gr.skip(), gr.skip()
                else:
                    if INDEX_UPDATED in part.answer.notices:
                        gr.Info("Index updated: the articles changed since the last question.")
                    past = [*past, part.answer]
                    known = {**known, **answerer.articles(c.source for c in part.answer.citations)}
                    note = f'\n\n<span class="notice">Only articles {escape_markdown(filters.describe())}.</span>'
                    shown = chat_message(part.answer, turn) + (note if filters.active else "")
                    chat[-1] = {"role": "assistant", "content": shown}
                    markdown = to_markdown(part.answer, {s: r.meta for s, r in known.items()})
                    yield "", chat, past, known, sources_panel(past, known), markdown
            if stop_flag.is_set() and len(past) == turn:  # stopped before the answer was finished
                chat[-1] = {"role": "assistant", "content": STOPPED}
                yield "", chat, past, known, gr.skip(), gr.skip()
        except Exception as exc:  # the chat must say what happened, never a bare "Error"
            chat[-1] = {"role": "assistant", "content": f'<span class="error">{escape_markdown(failure(exc))}</span>'}
            yield "", chat, past, known, gr.skip(), gr.skip()

    def answering() -> tuple:
        return gr.Button(visible=False), gr.Button(visible=True)

    def idle() -> tuple:
        return gr.Button(visible=True), gr.Button(visible=False)

    chat_io: dict[str, Any] = {
        "fn": respond,
        "inputs": [question, chatbot, answers, articles, mode, top_k, since, until, outlets, chosen],
        "outputs": [question, chatbot, answers, articles, sources, exported],
        "api_visibility": "private",
        "concurrency_id": "answer",
    }
    swap: dict[str, Any] = {"inputs": None, "outputs": [ask, stop], "api_visibility": "private"}

    def pick_example(event: gr.SelectData) -> str:
        return str(event.value["text"])

    picked = chatbot.example_select(pick_example, None, question, api_visibility="private")
    for trigger in (question.submit, ask.click, picked.then):
        trigger(answering, **swap).then(**chat_io).then(idle, **swap)

    def stopped(request: gr.Request) -> tuple:
        """Ends the answer being written (the chat then says it was stopped; no half answer is kept)."""
        answerer.stop(request.session_hash or "")
        return idle()

    stop.click(stopped, None, [ask, stop], api_visibility="private")
    copy.click(lambda message: message, exported, copied, js=COPY_JS, api_visibility="private")

    def reset() -> tuple:
        return [], [], {}, EMPTY_SOURCES, "", "", ""

    def fill_filters() -> tuple:
        known_outlets, labelled = answerer.filter_choices()
        return gr.Dropdown(choices=known_outlets), gr.Dropdown(choices=labelled)

    for trigger in (clear.click, chatbot.clear):
        trigger(
            reset, None, [chatbot, answers, articles, sources, question, exported, copied], api_visibility="private"
        )
    app.load(fill_filters, None, [outlets, chosen], api_visibility="private")


def failure(exc: Exception) -> str:
    """The sentence to show for a failed answer: ours say what to do; anything else gets the same advice."""
    if isinstance(exc, RagError):
        return str(exc)
    return (
        f"Answering failed ({type(exc).__name__}: {exc}). Try again; if it keeps failing, restart the app "
        "(`rag ui`) and check its terminal for the cause."
    )


def _ask_api(answerer: Answerer) -> None:
    settings = answerer.settings

    def ask(
        question: str,
        mode: str = answerer.default_mode,
        top_k: int = settings.top_k,
        since: str = "",
        until: str = "",
        outlet: str = "",
        source: str = "",
    ) -> dict[str, Any]:
        """Answer one question; returns the same JSON object as `rag ask --json` (mode: extractive, local, hosted).
        since/until: only articles published then (2024-09-01); outlet, source: only these outlets or articles
        (comma-separated; sources as the Library lists them)."""
        if not 1 <= int(top_k) <= MAX_TOP_K:
            raise gr.Error(f"top_k must be between 1 and {MAX_TOP_K}.")
        allowed = [value for _, value in answerer.choices]
        if mode not in allowed:
            raise gr.Error(f"Mode {mode!r} is not enabled on this server; choose one of: {', '.join(allowed)}.")
        try:
            filters = make_filter(since, until, outlet, source)
            return answerer.ask(question, mode=mode, top_k=int(top_k), filters=filters).to_dict()
        except Exception as exc:  # an API caller gets a sentence, never {"error": null}
            raise gr.Error(failure(exc)) from exc

    gr.api(ask, api_name="ask", concurrency_id="answer")
