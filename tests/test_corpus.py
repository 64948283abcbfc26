"""Files on disk become articles (text, headline, date, body start) or a Skipped with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.corpus import Article, Skipped, article_from_text, find_files, load_article

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour ferry service resumes after storm | Coastal Gazette</title>
<meta property="og:title" content="Harbour ferry service resumes after storm">
<meta property="article:published_time" content="2024-03-05T08:00:00Z">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/subscribe">Subscribe now</a></li></ul></nav>
<main><article>
<h1>Harbour ferry service resumes after storm</h1>
<p>The harbour ferry resumed its regular crossings on Tuesday morning after a three-day suspension
caused by the storm that swept along the coast over the weekend.</p>
<p>Port officials said the eastern pier had been inspected by engineers overnight and declared safe
for passengers, although the western landing stage remains closed for repairs.</p>
<p>The operator expects to run a full timetable by Friday, with extra sailings in the evening to clear
the backlog of commuters who were stranded during the closure.</p>
</article></main>
<footer><p>Copyright 2024 Coastal Gazette. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/cookies">Cookie settings</a></footer>
</body></html>
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _article(path: Path) -> Article:
    loaded = load_article(path)
    assert isinstance(loaded, Article), loaded
    return loaded


def _skip_reason(path: Path) -> str:
    loaded = load_article(path)
    assert isinstance(loaded, Skipped), loaded
    return loaded.reason


def test_title_is_first_non_empty_line_when_short(tmp_path: Path) -> None:
    path = _write(tmp_path / "ferry.txt", "\n\n  Ferry service resumes  \n\nThe ferry resumed on Tuesday.\n")

    article = _article(path)

    assert article.title == "Ferry service resumes"
    assert article.source == "ferry.txt"
    assert article.date == ""
    assert article.body_start == 0
    assert article.text == path.read_text(encoding="utf-8")


def test_long_lead_line_falls_back_to_first_twelve_words_and_ellipsis(tmp_path: Path) -> None:
    lead = (
        "The harbour ferry to Brightwater resumed its regular crossings on Tuesday morning after a "
        "three-day suspension caused by the storm that swept along the coast over the long weekend."
    )
    assert len(lead) > 160
    path = _write(tmp_path / "lead.txt", lead + "\n")

    assert _article(path).title == "The harbour ferry to Brightwater resumed its regular crossings on Tuesday morning…"


def test_leading_date_marker_sets_date_and_body_start_in_seed() -> None:
    article = _article(SEEDS / "000_bad4616c5d09da39.txt")

    assert article.date == "2024-09-16"
    assert article.text.startswith(" date 2024-09-16 ")
    assert article.body_start == len(" date 2024-09-16 ")
    assert article.text[article.body_start :].startswith("The United States")
    # Its lead paragraph is one long line: without its sidecar the title is the lead's first 12 words, inferred.
    bare = article_from_text(article.source, article.text)
    assert isinstance(bare, Article) and "title" in bare.inferred
    assert bare.title == "The United States is pushing forward with a new proposal that would…"


def test_date_marker_with_colon_on_its_own_line(tmp_path: Path) -> None:
    text = "Published: 2023-11-02\n\nOrchard harvest breaks record\n\nApple growers reported a record harvest.\n"
    article = _article(_write(tmp_path / "orchard.txt", text))

    assert article.date == "2023-11-02"
    assert article.text[article.body_start :].startswith("Orchard harvest breaks record")
    assert article.title == "Orchard harvest breaks record"


def test_markdown_heading_becomes_title_without_hashes(tmp_path: Path) -> None:
    path = _write(tmp_path / "note.md", "# Council approves new bridge\n\nThe council voted 7 to 2 on Monday.\n")

    article = _article(path)

    assert article.title == "Council approves new bridge"
    assert article.text.startswith("# Council approves new bridge")  # the text itself is untouched


def test_html_is_reduced_to_article_text_with_metadata_title_and_date(tmp_path: Path) -> None:
    article = _article(_write(tmp_path / "ferry.html", HTML))

    assert article.title == "Harbour ferry service resumes after storm"
    assert article.date == "2024-03-05"
    assert article.body_start == 0
    assert "The harbour ferry resumed its regular crossings on Tuesday morning" in article.text
    assert "backlog of commuters who were stranded during the closure." in article.text
    for boilerplate in ("Subscribe now", "Privacy policy", "Cookie settings", "All rights reserved", "<p>"):
        assert boilerplate not in article.text


def test_html_without_article_text_is_skipped(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.html", "<html><head><title>x</title></head><body></body></html>")

    assert _skip_reason(path) == "no article text found in the HTML"


def test_doc_hash_is_stable_and_tracks_content(tmp_path: Path) -> None:
    first = _article(_write(tmp_path / "a.txt", "Title\n\nOne sentence.\n"))
    same = _article(_write(tmp_path / "b.txt", "Title\n\nOne sentence.\n"))
    changed = _article(_write(tmp_path / "c.txt", "Title\n\nOne sentence!\n"))

    assert first.doc_hash == same.doc_hash
    assert first.doc_hash != changed.doc_hash
    assert len(first.doc_hash) == 32


def test_find_files_expands_folders_and_skips_hidden_files(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    good = [_write(folder / "a.txt", "A\n"), _write(folder / "sub" / "b.md", "B\n"), _write(folder / "c.HTML", HTML)]
    _write(folder / ".hidden.txt", "secret\n")

    found, skipped = find_files([folder])

    assert sorted(found) == sorted(good)
    assert skipped == []


def test_find_files_reports_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"

    found, skipped = find_files([missing])

    assert found == []
    assert skipped == [Skipped(missing, "no such file or folder")]


def test_find_files_reports_empty_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    _write(empty / ".DS_Store", "x")  # hidden files do not count

    found, skipped = find_files([empty])

    assert found == []
    assert skipped == [Skipped(empty, "folder is empty")]


def test_find_files_reports_unsupported_extension_with_the_supported_ones(tmp_path: Path) -> None:
    sheet = tmp_path / "report.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    bare = _write(tmp_path / "README", "x")

    found, skipped = find_files([sheet, bare])

    assert found == []
    assert [s.path for s in skipped] == [sheet, bare]
    assert skipped[0].reason.startswith("unsupported extension .xlsx")
    assert ".txt, .md, .html, .htm, .pdf, .docx" in skipped[0].reason
    assert skipped[1].reason.startswith("unsupported extension (none)")


def test_binary_file_is_skipped_as_binary(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(b"Title\x00\x01\x02 more bytes")

    assert _skip_reason(path) == "looks binary (contains NUL bytes)"


def test_non_utf8_file_is_skipped_with_the_bad_byte_position(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Café society\n".encode("latin-1"))  # é is byte 0xE9 at offset 3

    reason = _skip_reason(path)

    assert reason == "not valid UTF-8 (byte 3); re-save it as UTF-8"


def test_empty_and_whitespace_only_files_are_skipped(tmp_path: Path) -> None:
    assert _skip_reason(_write(tmp_path / "empty.txt", "")) == "file is empty"
    assert _skip_reason(_write(tmp_path / "blank.md", " \n\t\n")) == "file is empty"


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffHeadline\n\nBody.\n".encode())

    article = _article(path)

    assert article.text == "Headline\n\nBody.\n"
    assert article.title == "Headline"


def test_mixed_folder_finds_and_loads_good_files_and_skips_bad_ones_with_reasons(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    _write(folder / "good.txt", "Good headline\n\nA usable article.\n")
    _write(folder / "good.md", "# Markdown headline\n\nAnother usable article.\n")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.7\n")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02")
    (folder / "latin1.txt").write_bytes("na\xefve".encode("latin-1"))
    missing = tmp_path / "missing.txt"

    found, skipped = find_files([folder, missing])
    loaded = [load_article(path) for path in found]

    articles = {a.source: a.title for a in loaded if isinstance(a, Article)}
    reasons = {s.path.name: s.reason for s in skipped + [x for x in loaded if isinstance(x, Skipped)]}
    assert articles == {"good.txt": "Good headline", "good.md": "Markdown headline"}
    assert set(reasons) == {"scan.pdf", "binary.txt", "latin1.txt", "missing.txt"}
    assert "the PDF cannot be read" in reasons["scan.pdf"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert reasons["missing.txt"] == "no such file or folder"


SEED_TITLES = {  # from the seeds' sidecars where the text has no headline or date (rag.metadata)
    "000_bad4616c5d09da39.txt": (
        "US pushes a new proposal to bridge Israel-Hamas gaps on Phase I of the hostage deal",
        "2024-09-16",
    ),
    "001_add3ec1abea9c301.txt": (
        "Blinken presses for a Gaza cease-fire, but officials say the U.S. proposal leaves major disagreements",
        "2024-08-20",
    ),
    "002_365f0bbd68a187a1.txt": (
        "US, Israel seem to believe hostage negotiations can be revived even after Hamas rejection",
        "2024-03-27",
    ),
    "003_6f61d5c10235f360.txt": (
        "White House denies mounting reports of hostage-truce talks collapsing, insists progress being made",
        "2024-08-22",
    ),
    "004_8707b4ad2ec9a16f.txt": ("Blinken says ‘a lot of work’ remains on Israel-Hamas truce talks", "2024-02-07"),
}


@pytest.mark.parametrize("name", sorted(SEED_TITLES), ids=lambda name: name[:3])
def test_every_seed_loads_with_its_headline_and_date(name: str) -> None:
    article = _article(SEEDS / name)

    assert article.source == name
    assert (article.title, article.date) == SEED_TITLES[name]
