"""The Library tab's layout: upload, the articles table, and removal by title with a confirmation step."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from rag.corpus import SUPPORTED_EXTENSIONS
from ui.library import COLUMNS, Library
from ui.uploads import MAX_UPLOAD_BYTES


def library_tab(app: gr.Blocks, library: Library) -> None:
    limit_mb = MAX_UPLOAD_BYTES // 2**20
    gr.Markdown(
        f"The articles the assistant answers from. Add `.txt`, `.md` or `.html` files (UTF-8), PDFs with a text "
        f"layer or Word `.docx` files, up to {limit_mb} MB each: they are checked, stored in the index folder under "
        "generated names, and indexed straight away. Dates, outlets and titles marked *(inferred)* were read "
        "from the text, not stated by the article."
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
        datatype=["str", "str", "str", "number", "str"],
        interactive=False,
        wrap=True,
        label="Indexed articles",
        elem_id="articles",
    )
    with gr.Row(equal_height=True):
        # allow_custom_value: the published /remove endpoint takes any file name (choices are per page
        # session, so an API caller's would be empty); `drop` answers an unknown one with a sentence.
        doomed = gr.Dropdown([], label="Remove an article", scale=5, elem_id="remove-choice", allow_custom_value=True)
        remove = gr.Button("Remove…", variant="secondary", scale=1, min_width=120, elem_id="remove")
    with gr.Row(visible=False, elem_id="remove-confirm") as confirm_row:
        question = gr.Markdown(elem_id="remove-question")
        confirm = gr.Button("Yes, remove it", variant="stop", scale=0, min_width=140, elem_id="remove-yes")
        cancel = gr.Button("Keep it", scale=0, min_width=100, elem_id="remove-no")

    def refresh() -> tuple:
        return library.articles(), gr.Dropdown(choices=library.choices(), value=None)

    def add(paths: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (Gradio's idiom)
        """Validate, store and index the uploaded files."""
        pairs = [(Path(p), Path(p).name) for p in paths or []]
        result = library.add(pairs, lambda fraction, what: progress(fraction, desc=what))
        return (result.summary(), *refresh(), None)

    def ask_first(source: str | None) -> tuple:
        """Name the article in full before anything is removed: a file name alone says little."""
        if not source:
            return gr.Row(visible=False), "", "Choose an article to remove."
        return gr.Row(visible=True), f"Remove **{library.describe(source)}** from the library?", ""

    def drop(source: str | None) -> tuple:
        """Remove the chosen article from the index (and its stored upload)."""
        message = library.remove(source) if source else "Choose an article to remove."
        return (message, *refresh(), gr.Row(visible=False))

    library_io = {"concurrency_id": "library", "concurrency_limit": 1}
    files.upload(add, files, [status, table, doomed, files], api_name="upload", **library_io)
    remove.click(ask_first, doomed, [confirm_row, question, status], api_visibility="private")
    confirm.click(drop, doomed, [status, table, doomed, confirm_row], api_name="remove", **library_io)
    cancel.click(lambda: gr.Row(visible=False), None, confirm_row, api_visibility="private")
    app.load(refresh, None, [table, doomed], api_visibility="private")
