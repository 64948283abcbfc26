"""Upload checks: only readable text files of at most 10 MB get in, under names we generate."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import BadInputError
from ui.uploads import MAX_UPLOAD_BYTES, check_content, check_extension, is_upload, safe_name, store_upload

TEXT = b"Harbour council adds four evening ferry crossings.\n"


@pytest.mark.parametrize("name", ["report.xlsx", "archive.tar.gz", "README", "page.html.exe", "notes.TXT.bak"])
def test_unsupported_extensions_are_rejected_naming_the_allowed_ones(name: str) -> None:
    with pytest.raises(BadInputError, match=r"\.txt, \.md, \.html"):
        check_extension(name)


@pytest.mark.parametrize("name", ["a.txt", "b.MD", "c.html", "d.Htm"])
def test_text_markdown_and_html_are_accepted(name: str) -> None:
    assert check_extension(name) == Path(name).suffix.lower()


@pytest.mark.parametrize("name", ["scan.pdf", "Letter.DOCX"])
def test_pdf_and_word_files_are_accepted(name: str) -> None:
    assert check_extension(name) == Path(name).suffix.lower()


def test_pdf_and_word_files_must_start_like_one() -> None:
    check_content("a.pdf", b"%PDF-1.7\n\x00binary is fine here")
    check_content("b.docx", b"PK\x03\x04\x00zip")
    with pytest.raises(BadInputError, match=r"a\.pdf is not a PDF"):
        check_content("a.pdf", b"just some text")
    with pytest.raises(BadInputError, match=r"b\.docx is not a Word \.docx file"):
        check_content("b.docx", b"%PDF-1.7")


def test_files_over_ten_megabytes_are_rejected_with_the_limit() -> None:
    with pytest.raises(BadInputError, match="the limit is 10 MB"):
        check_content("big.txt", b"a" * (MAX_UPLOAD_BYTES + 1))
    check_content("fits.txt", b"a" * MAX_UPLOAD_BYTES)


def test_non_utf8_binary_and_empty_files_are_rejected_with_a_fix() -> None:
    with pytest.raises(BadInputError, match=r"not valid UTF-8.*re-save it as UTF-8"):
        check_content("latin.txt", "Café".encode("latin-1"))
    with pytest.raises(BadInputError, match="binary"):
        check_content("blob.md", b"PK\x00\x03")
    with pytest.raises(BadInputError, match="empty"):
        check_content("blank.txt", b" \n\t")


@pytest.mark.parametrize(
    "client_name",
    ["../../etc/passwd.txt", "..\\..\\boot.ini.md", "/abs/path/x.html", "....txt", "CON.txt", "a/./../.txt"],
)
def test_client_paths_never_reach_the_stored_name(client_name: str) -> None:
    name = safe_name(client_name, TEXT)
    assert "/" not in name and "\\" not in name and ".." not in name
    assert name.count(".") == 1 and not name.startswith(".")


def test_safe_names_keep_a_readable_slug_and_a_content_hash() -> None:
    name = safe_name("Ceasefire Talks – Día 3 (final).md", TEXT)
    assert name.startswith("ceasefire-talks-dia-3-final-") and name.endswith(".md")
    assert safe_name("other name.md", TEXT)[-15:] == name[-15:]  # same bytes, same hash
    assert safe_name("x.md", TEXT) != safe_name("x.md", TEXT + b"!")
    assert safe_name("日本語.txt", TEXT).startswith("upload-")


def test_stored_upload_lands_inside_the_uploads_folder_with_the_same_bytes(tmp_path: Path) -> None:
    sent = tmp_path / "incoming" / "Ferry plan.txt"
    sent.parent.mkdir()
    sent.write_bytes(TEXT)
    uploads = tmp_path / "index" / "uploads"
    stored = store_upload(sent, "../../Ferry plan.txt", uploads)
    assert stored.parent == uploads and stored.read_bytes() == TEXT
    assert is_upload(stored, uploads) and not is_upload(sent, uploads)
    assert [p.name for p in uploads.iterdir()] == [stored.name]  # no partial file left behind


def test_a_rejected_upload_stores_nothing(tmp_path: Path) -> None:
    sent = tmp_path / "latin.txt"
    sent.write_bytes("Café".encode("latin-1"))
    with pytest.raises(BadInputError):
        store_upload(sent, "latin.txt", tmp_path / "uploads")
    assert not (tmp_path / "uploads").exists()
