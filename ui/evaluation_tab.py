"""The Evaluation tab's layout: choose the mode and how many questions, watch the progress, cancel, see the run.

Extractive is the default: it answers a question in about a second, while the local LLM takes
10–20 s a question on two cores (the whole bundled set would take over 20 minutes).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from ui.answering import Answerer
from ui.evaluation import NO_RUN, latest_run, progress_of, run_eval
from ui.render import escape_markdown
from ui.settings import UiSettings

DEFAULT_QUESTIONS = 20
MAX_QUESTIONS = 183  # the bundled seeds questions (dev + test)
SECONDS_PER_QUESTION = {"extractive": 1, "local": 15, "hosted": 5}


def evaluation_tab(app: gr.Blocks, answerer: Answerer, ui_settings: UiSettings) -> None:
    gr.Markdown(
        "How well the assistant answers the bundled evaluation questions over the seed articles. **Run** starts "
        "`rag eval` against this index; the latest run is shown below."
    )
    with gr.Row(equal_height=True):
        modes = [(label, value) for label, value in answerer.choices]
        mode = gr.Dropdown(modes, value="extractive", label="Answering mode", elem_id="eval-mode", scale=2)
        count = gr.Slider(1, MAX_QUESTIONS, value=DEFAULT_QUESTIONS, step=1, label="Questions", elem_id="eval-count")
    estimate = gr.Markdown(elem_id="eval-estimate")
    with gr.Row():
        run = gr.Button("Run evaluation", variant="primary", elem_id="run-eval")
        cancel = gr.Button("Cancel", variant="stop", visible=False, elem_id="cancel-eval")
        reload = gr.Button("Load latest run", elem_id="load-eval")
    progress = gr.Markdown(elem_id="eval-progress")
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

    def estimated(chosen: str, n: float) -> str:
        seconds = SECONDS_PER_QUESTION.get(chosen, 15) * int(n)
        return f"About {max(1, round(seconds / 60))} min for {int(n)} questions in this mode (plus ~20 s to load)."

    def show_latest() -> tuple:
        found = latest_run(ui_settings.eval_runs_dir)
        if found is None:
            return NO_RUN, gr.Gallery(value=None, visible=False), "", "", None
        heading = f"Latest run: **{escape_markdown(found.folder.name)}**"
        charts_value = [(str(png), caption) for png, caption in found.charts]
        gallery = gr.Gallery(value=charts_value, visible=bool(charts_value))
        return heading, gallery, found.report, found.failures or "None failed.", found.metrics

    def run_and_log(chosen: str, n: float) -> Iterator[Any]:
        done = "Starting `rag eval`…"
        for text in run_eval(answerer.settings, ui_settings.eval_runs_dir, chosen, int(n)):
            counted = progress_of(text.splitlines()[-1])
            done = f"Answered **{counted[0]} of {counted[1]}** questions…" if counted else done
            if text.endswith(("Finished.", "see the log above.")):
                done = text.splitlines()[-1]
            yield gr.Textbox(value=text, visible=True), done

    def running() -> tuple:
        return gr.Button(visible=False), gr.Button(visible=True)

    def idle() -> tuple:
        return gr.Button(visible=True), gr.Button(visible=False)

    shown = [title, charts, report, failures, metrics]
    app.load(show_latest, None, shown, api_visibility="private")
    app.load(estimated, [mode, count], estimate, api_visibility="private")
    for changed in (mode.change, count.change):
        changed(estimated, [mode, count], estimate, api_visibility="private")
    reload.click(show_latest, None, shown, api_visibility="private")
    started = run.click(running, None, [run, cancel], api_visibility="private")
    evaluating = started.then(
        run_and_log, [mode, count], [log, progress], api_visibility="private", concurrency_id="eval",
        concurrency_limit=1,
    )  # fmt: skip
    evaluating.then(idle, None, [run, cancel], api_visibility="private").then(
        show_latest, None, shown, api_visibility="private"
    )
    cancel.click(
        lambda: (*idle(), "Cancelled: the run was stopped."),
        None,
        [run, cancel, progress],
        cancels=[evaluating],
        api_visibility="private",
    )
