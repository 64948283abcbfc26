"""Start the app: check where it may listen, load models and index once, then serve with Gradio's queue."""

from __future__ import annotations

import sys
import time
from contextlib import closing
from pathlib import Path

import gradio as gr

from rag import Settings
from rag.errors import ConfigError
from rag.llm_backend import resolve_mode
from ui.answering import Answerer
from ui.app import build_app
from ui.article_view import SCROLL_SCRIPT
from ui.library import Library
from ui.settings import UiSettings
from ui.uploads import MAX_UPLOAD_BYTES

CSS = Path(__file__).with_name("app.css")


def start_answerer(settings: Settings) -> Answerer:
    """Load the models and index (the slow part); start the local model in the background if it is the default.

    The caller owns the result: `close()` it to stop a local model server.
    """
    answerer = Answerer(settings)
    wanted = resolve_mode(settings)
    if wanted != answerer.default_mode:
        print(
            f"The {wanted} answering mode cannot run here (model not installed, or RAG_LLM_BASE_URL / RAG_LLM_MODEL "
            f"not set); the app starts in {answerer.default_mode} mode.",
            file=sys.stderr,
            flush=True,
        )
    answerer.load()
    answerer.warm_up_in_background()
    return answerer


def create_app(settings: Settings, ui_settings: UiSettings) -> gr.Blocks:
    """The page around a freshly loaded assistant (for extractive defaults; `serve` also closes what it starts)."""
    answerer = start_answerer(settings)
    return build_app(answerer, Library(settings, answerer), ui_settings)


def launch(app: gr.Blocks, ui_settings: UiSettings) -> str:
    """Serve without blocking; returns the local URL. Every event goes through the queue."""
    app.queue(default_concurrency_limit=1)
    try:
        _, url, _ = app.launch(
            server_name=ui_settings.host,
            server_port=ui_settings.port,
            auth=list(ui_settings.auth) or None,
            auth_message="Sign in with the credentials from RAG_UI_AUTH or the auth file.",
            prevent_thread_lock=True,
            ssr_mode=False,  # SSR needs Node and adds nothing for a local tool
            css_paths=[CSS],
            head=SCROLL_SCRIPT,  # opening an article scrolls its cited sentence into view
            allowed_paths=[str(ui_settings.eval_runs_dir.resolve())],
            max_file_size=MAX_UPLOAD_BYTES,
            quiet=True,
            run_history=False,  # no per-browser record of questions asked
            footer_links=["api", "settings"],
        )
    except OSError as exc:
        raise ConfigError(
            f"Cannot listen on {ui_settings.host}:{ui_settings.port} ({exc}). "
            "Is another app using that port? Pick another with --port."
        ) from exc
    return str(url)


def serve(settings: Settings, ui_settings: UiSettings) -> int:
    """`rag ui`: load, serve, run until Ctrl-C. `ui_settings` come checked from `load_ui_settings`."""
    started = time.perf_counter()
    print("Loading models and the index...", file=sys.stderr, flush=True)
    with closing(start_answerer(settings)) as answerer:  # stops the local model server on the way out
        app = build_app(answerer, Library(settings, answerer), ui_settings)
        url = launch(app, ui_settings)
        login = f" (listening on {ui_settings.host}, sign-in required)" if ui_settings.auth else ""
        warming = "; the local model is still starting" if answerer.warming_up() else ""
        seconds = time.perf_counter() - started
        print(f"Ready in {seconds:.1f} s{warming}: {url}{login}  (Ctrl-C to stop)", file=sys.stderr, flush=True)
        try:
            app.block_thread()
        finally:
            app.close(verbose=False)
    return 0
