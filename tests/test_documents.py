"""PDF and Word files become articles: extracted text, page starts, titles; unreadable ones are skipped, saying why."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Assistant, load_settings
from rag.corpus import Article, Skipped, load_article
from rag.documents import NO_TEXT, UnreadableDocument, extract, page_of
from rag.indexing import index_paths
from rag.store import ChunkStore
from tests.builders import docx_bytes, pdf_bytes, print_to_pdf, scanned_pdf_bytes

FERRY_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour ferry fares to rise in May</title></head>
<body><nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a></nav>
<main><article><h1>Harbour ferry fares to rise in May</h1>
<p>The Lakeport harbour authority said on Tuesday that ferry fares will rise by 12 percent from the
first of May, the first increase since 2027.</p>
<p>Chief executive Mara Ostrand said the rise would pay for two new electric ferries, which are due to
enter service on the northern crossing next spring.</p>
<p>Commuters’ groups criticised the decision. “Families who cross twice a day will pay 180 crowns more
a year,” said Ivo Marsh of the Lakeport Commuters Union.</p>
</article></main></body></html>
"""

PAGE_ONE = "Dam inspection finds cracks\n\nEngineers inspecting the Vellmar dam found three hairline cracks."
PAGE_TWO = "The regional water board said repairs would cost 4.2 million crowns and take eight months."


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _article(path: Path) -> Article:
    loaded = load_article(path)
    assert isinstance(loaded, Article), loaded
    return loaded


def test_pdf_pages_are_joined_by_a_blank_line_and_each_page_start_is_recorded() -> None:
    extracted = extract(pdf_bytes([PAGE_ONE, PAGE_TWO], title="Dam inspection"), ".pdf")
    assert extracted.title == "Dam inspection"
    assert len(extracted.pages) == 2 and extracted.pages[0] == 0
    second = extracted.text[extracted.pages[1] :]
    assert second.startswith("The regional water board said")
    assert extracted.text[: extracted.pages[1]].endswith("hairline cracks.\n\n")


def test_page_of_counts_page_starts_at_or_before_an_offset() -> None:
    pages = (0, 120, 300)
    assert [page_of(pages, offset) for offset in (0, 119, 120, 299, 300, 5000)] == [1, 1, 2, 2, 3, 3]
    assert page_of((), 10) is None


def test_pdf_file_becomes_an_article_with_its_pages_and_title(tmp_path: Path) -> None:
    article = _article(_write(tmp_path / "dam.pdf", pdf_bytes([PAGE_ONE, PAGE_TWO], title="Dam inspection")))
    assert article.source == "dam.pdf" and article.title == "Dam inspection"
    assert "4.2 million crowns" in article.text[article.pages[1] :]


def test_pdf_without_a_title_takes_its_first_line_and_a_leading_date_marker(tmp_path: Path) -> None:
    data = pdf_bytes(["date 2031-05-04\nDam inspection finds cracks\n\nEngineers found three cracks."])
    article = _article(_write(tmp_path / "dam.pdf", data))
    assert (article.title, article.date) == ("Dam inspection finds cracks", "2031-05-04")
    assert article.text[article.body_start :].startswith("Dam inspection")


def test_scanned_pdf_without_text_is_skipped_saying_to_run_ocr(tmp_path: Path) -> None:
    loaded = load_article(_write(tmp_path / "scan.pdf", scanned_pdf_bytes()))
    assert isinstance(loaded, Skipped)
    assert loaded.reason == NO_TEXT and "OCR" in loaded.reason


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"%PDF-1.7\n garbage that is no PDF", "cannot be read"), (b"plain text, not a PDF", "not a PDF")],
)
def test_damaged_or_fake_pdf_is_skipped_with_a_reason(tmp_path: Path, data: bytes, words: str) -> None:
    loaded = load_article(_write(tmp_path / "bad.pdf", data))
    assert isinstance(loaded, Skipped) and words in loaded.reason


def test_docx_paragraphs_are_joined_by_a_blank_line_with_the_title_from_its_properties(tmp_path: Path) -> None:
    data = docx_bytes(["Dam inspection finds cracks", "", "Engineers found three cracks."], title="Dam report")
    article = _article(_write(tmp_path / "dam.docx", data))
    assert article.text == "Dam inspection finds cracks\n\nEngineers found three cracks."
    assert article.title == "Dam report" and article.pages == ()


def test_damaged_docx_is_skipped_with_a_reason(tmp_path: Path) -> None:
    loaded = load_article(_write(tmp_path / "bad.docx", b"PK\x03\x04 truncated zip"))
    assert isinstance(loaded, Skipped) and "cannot be read" in loaded.reason
    with pytest.raises(UnreadableDocument, match=r"not a \.docx"):
        extract(b"hello", ".docx")


def test_pdf_printed_from_an_html_article_is_quoted_at_exact_offsets_into_its_extracted_text(
    tmp_path: Path, embedder: object
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    html = tmp_path / "ferry.html"
    html.write_text(FERRY_HTML, encoding="utf-8")
    pdf = print_to_pdf(html, corpus / "ferry.pdf")
    extracted = extract(pdf.read_bytes(), ".pdf")
    assert "first of May" in extracted.text  # the "fi" ligature glyph is spelled out
    settings = load_settings(env={}, index_dir=tmp_path / "index", llm="extractive")
    report = index_paths([corpus], settings, progress=False, embedder=embedder)  # type: ignore[arg-type]
    assert report.added == ["ferry.pdf"]
    record = ChunkStore(settings).documents()["ferry.pdf"]
    assert record.text == extracted.text and record.pages == extracted.pages
    assert record.title == "Harbour ferry fares to rise in May"

    with Assistant(settings) as assistant:
        answer = assistant.ask("By how much will the Lakeport ferry fares rise?")
    assert not answer.abstained
    cited = answer.citations[0]
    assert cited.source == "ferry.pdf"
    assert "12 percent" in cited.quote
    assert cited.quote == extracted.text[cited.start : cited.end]


def test_docx_article_is_indexed_and_quoted_at_exact_offsets(tmp_path: Path, embedder: object) -> None:
    paragraphs = [
        "Vellmar dam repairs approved",
        "The regional water board approved repairs to the Vellmar dam on Monday.",
        "The work will cost 4.2 million crowns and is expected to take eight months, the board said.",
    ]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write(corpus / "dam.docx", docx_bytes(paragraphs))
    settings = load_settings(env={}, index_dir=tmp_path / "index", llm="extractive")
    index_paths([corpus], settings, progress=False, embedder=embedder)  # type: ignore[arg-type]
    text = ChunkStore(settings).documents()["dam.docx"].text
    with Assistant(settings) as assistant:
        answer = assistant.ask("What will the Vellmar dam work cost?")
    assert any("4.2 million crowns" in c.quote for c in answer.citations)
    for cited in answer.citations:
        assert cited.source == "dam.docx" and cited.quote == text[cited.start : cited.end]
