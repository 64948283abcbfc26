"""Text out of PDF and Word (.docx) files, with the page each part of it came from.

Offsets everywhere else in the pipeline are into the text returned here (the *extracted*
text, as for HTML): pages are joined by a blank line, Word paragraphs by a blank line, so the
chunker's paragraph breaks fall where the document's do. `pages[n - 1]` is the offset where
page n starts, so the page of any citation is the number of page starts at or before its
`start` (`page_of`).
"""

from __future__ import annotations

import io
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

DOCUMENT_EXTENSIONS = (".pdf", ".docx")
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_PAGE_BREAK = "\n\n"
# PDF fonts draw "fi", "fl"... as one ligature glyph, which text extraction returns as one
# character ("ﬁrst"): no question's words would match it. Only these are spelled out (NFKC on
# the whole text would also rewrite "…", "½" and the like).
_LIGATURES = str.maketrans({chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)})
NO_TEXT = "no text layer (a scanned PDF?): run OCR on it first, e.g. `ocrmypdf in.pdf out.pdf`, and index the result"


class UnreadableDocument(Exception):
    """The file could not be read as the document it claims to be; the message says why."""


@dataclass(frozen=True)
class ExtractedText:
    """A document's text, its own title when it has one, and where each page starts (PDF only)."""

    text: str
    title: str = ""
    pages: tuple[int, ...] = ()


def page_of(pages: tuple[int, ...], offset: int) -> int | None:
    """The 1-based page holding `offset`, or None for a document without pages."""
    if not pages:
        return None
    return max(bisect_right(pages, offset), 1)


def extract(data: bytes, kind: str) -> ExtractedText:
    """Read `data` as a PDF (`kind` ".pdf") or Word file (".docx")."""
    if kind == ".pdf":
        return _pdf(data)
    if kind == ".docx":
        return _docx(data)
    raise ValueError(f"not a document kind: {kind}")


def _pdf(data: bytes) -> ExtractedText:
    from pypdf import PdfReader

    if not data.startswith(b"%PDF-"):
        raise UnreadableDocument("not a PDF (it does not start with %PDF-)")
    # pypdf raises many exception types on damaged files (PdfReadError, KeyError, ValueError...);
    # any of them means the same to the user: this file cannot be read.
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument("the PDF is password-protected: save an unprotected copy and index that")
        texts = [(page.extract_text() or "").translate(_LIGATURES).strip() for page in reader.pages]
        title = str((reader.metadata.title if reader.metadata else "") or "").strip()
    except UnreadableDocument:
        raise
    except Exception as exc:
        raise UnreadableDocument(f"the PDF cannot be read ({type(exc).__name__}: {exc})") from exc
    if not any(texts):
        raise UnreadableDocument(NO_TEXT)
    starts: list[int] = []
    offset = 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + len(_PAGE_BREAK)
    return ExtractedText(_PAGE_BREAK.join(texts), title, tuple(starts))


def _docx(data: bytes) -> ExtractedText:
    import docx

    if not data.startswith(b"PK"):
        raise UnreadableDocument("not a .docx file (it is not a zip package); save it as .docx from your editor")
    try:  # a damaged package fails in many ways (BadZipFile, KeyError, lxml errors): all mean "cannot read"
        document = docx.Document(io.BytesIO(data))
        paragraphs = [p.text.strip() for p in document.paragraphs]
        title = (document.core_properties.title or "").strip()
    except Exception as exc:
        raise UnreadableDocument(f"the .docx file cannot be read ({type(exc).__name__}: {exc})") from exc
    text = _PAGE_BREAK.join(p for p in paragraphs if p)
    if not text:
        raise UnreadableDocument("the document has no text")
    return ExtractedText(text, title)
