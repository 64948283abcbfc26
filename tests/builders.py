"""Test material written from scratch: PDFs (typeset with fpdf2, or printed by Chromium), Word files, and
small indexes of invented articles to ask one question of."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from rag import Answer, Assistant, load_settings
from rag.indexing import index_paths

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pdf_bytes(pages: list[str], title: str = "") -> bytes:
    """A PDF with one page per string (core font, so Latin-1 text only)."""
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def scanned_pdf_bytes() -> bytes:
    """A PDF whose page is only a picture (a drawn box): what a scanner without OCR produces."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(40, 40, 40)
    pdf.rect(20, 20, 170, 250, style="F")
    return bytes(pdf.output())


def docx_bytes(paragraphs: list[str], title: str = "") -> bytes:
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def print_to_pdf(html_file: Path, pdf_file: Path) -> Path:
    """Print an HTML page to PDF the way a reader would, with Debian's Chromium (no header or footer)."""
    assert CHROMIUM.is_file(), "This test prints with Debian's chromium: apt-get install -y chromium"
    subprocess.run(
        [
            str(CHROMIUM),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={pdf_file.parent / 'chromium-profile'}",
            f"--print-to-pdf={pdf_file}",
            "--no-pdf-header-footer",
            html_file.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pdf_file


def ask_articles(tmp_path: Path, embedder: object, articles: dict[str, str], question: str) -> Answer:
    """Index `articles` (file name -> text) into a fresh extractive store under `tmp_path` and ask one question."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in articles.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = load_settings(env={}, index_dir=tmp_path / "index", llm="extractive")
    index_paths([corpus], settings, progress=False, embedder=embedder)
    with Assistant(settings) as assistant:
        return assistant.ask(question)
