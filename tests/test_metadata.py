"""Article provenance: stated by a sidecar, front matter or the page; else inferred from the text and marked so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.corpus import Article, Skipped, article_from_html, find_files, load_article
from rag.metadata import ArticleMeta, inferred_from_text, parse_date, shown
from tests.conftest import SEEDS

LEAD = "The harbour council voted on Monday to add four evening ferry crossings, transport chair Oskar Lindqvist said."


def _article(tmp_path: Path, name: str, text: str, sidecar: dict | None = None) -> Article:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    if sidecar is not None:
        (tmp_path / f"{name}.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    loaded = load_article(path)
    assert isinstance(loaded, Article), loaded
    return loaded


def test_every_seed_has_a_date_and_an_outlet_with_guesses_marked() -> None:
    files, skipped = find_files([SEEDS])
    assert len(files) == 5 and skipped == []  # the sidecars are read with their articles, not listed
    articles = {p.name[:3]: load_article(p) for p in files}
    assert all(isinstance(a, Article) and a.date and a.outlet and a.title for a in articles.values())
    assert {k: (a.outlet, a.date) for k, a in articles.items()} == {  # type: ignore[union-attr]
        "000": ("The Jerusalem Post", "2024-09-16"),
        "001": ("The New York Times", "2024-08-20"),
        "002": ("The Times of Israel", "2024-03-27"),
        "003": ("The Times of Israel", "2024-08-22"),
        "004": ("Al Jazeera", "2024-02-07"),
    }
    assert "date" not in articles["000"].inferred  # the file states it: `date 2024-09-16`
    assert all("date" in articles[k].inferred for k in ("001", "002", "003", "004"))  # type: ignore[union-attr]
    assert not articles["001"].title.endswith("…")  # type: ignore[union-attr]


def test_front_matter_states_metadata_and_offsets_stay_in_the_file_text(tmp_path: Path) -> None:
    fields = "title: Ferries till midnight\noutlet: The Harbour Ledger\nauthor: Ann Reporter\ndate: 3 March 2031"
    text = f"---\n{fields}\n---\n{LEAD}\n"
    article = _article(tmp_path, "ferry.md", text)
    assert article.meta == ArticleMeta("Ferries till midnight", "The Harbour Ledger", "Ann Reporter", "2031-03-03")
    assert article.text == text and article.text[article.body_start :].startswith("The harbour council")


def test_a_sidecar_overrides_the_file_and_marks_what_a_person_inferred(tmp_path: Path) -> None:
    sidecar = {"outlet": "The Harbour Ledger", "date": "2031-03-04", "inferred": ["date"], "note": "why"}
    article = _article(tmp_path, "ferry.txt", f"date 2031-03-03 Ferry plan\n\n{LEAD}\n", sidecar)
    assert (article.outlet, article.date, article.inferred) == ("The Harbour Ledger", "2031-03-04", ("date",))


@pytest.mark.parametrize(
    ("sidecar", "complaint"),
    [({"dat": "2031-03-03"}, "unknown key(s) dat"), ({"date": "March"}, "is not a date"), ({"inferred": ["x"]}, "")],
)
def test_a_bad_sidecar_skips_the_article_saying_what_to_fix(tmp_path: Path, sidecar: dict, complaint: str) -> None:
    path = tmp_path / "ferry.txt"
    path.write_text(LEAD, encoding="utf-8")
    (tmp_path / "ferry.txt.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    loaded = load_article(path)
    assert isinstance(loaded, Skipped) and "ferry.txt.meta.json" in loaded.reason and complaint in loaded.reason


def test_text_clues_give_outlet_byline_and_date_marked_inferred() -> None:
    text = (
        "Ferries till midnight\nBy Ann Reporter\nPublished: March 3, 2031\n\n"
        f"{LEAD}\nThis article originally appeared in The Harbour Ledger.\n"
    )
    meta = inferred_from_text(text, "ferry")
    assert meta == ArticleMeta(
        "Ferries till midnight",
        "The Harbour Ledger",
        "Ann Reporter",
        "2031-03-03",
        inferred=("outlet", "byline", "date"),
    )


@pytest.mark.parametrize(
    ("top", "outlet", "byline"),
    [
        (
            "Quarter beats forecasts\nBy Anika Strand, Markets, The Kesterian Herald\n\n",
            "The Kesterian Herald",
            "Anika Strand",
        ),
        (
            "Fire forces evacuations\nBy Lucia Ferran, Serrana Provincial Radio\n\n",
            "Serrana Provincial Radio",
            "Lucia Ferran",
        ),
        ("Islanders protest ferry cuts\nThe Coastline Courier\n\n", "The Coastline Courier", ""),
        # Not news-like names: a byline's employer and a title-case line are not taken for an outlet.
        ("Talks resume\nBy Ann Reporter, Harbour Authority\n\n", "", "Ann Reporter"),
        ("Talks Resume In Doha\n\n", "", ""),
    ],
)
def test_a_byline_or_a_top_line_naming_a_news_outlet_gives_the_outlet(top: str, outlet: str, byline: str) -> None:
    meta = inferred_from_text(top + LEAD, "x")
    assert (meta.outlet, meta.byline) == (outlet, byline)


def test_a_conference_someone_spoke_to_is_not_taken_for_the_outlet() -> None:
    meta = inferred_from_text("Lew told the Haaretz National Security Conference that talks go on.", "x")
    assert meta.outlet == ""
    assert inferred_from_text("“We need aid,” Albanese told Al Jazeera on Wednesday.", "x").outlet == "Al Jazeera"


def test_a_cut_off_lead_is_an_inferred_title_and_a_headline_line_is_not() -> None:
    assert "title" in inferred_from_text(LEAD * 3, "x").inferred
    assert "title" not in inferred_from_text(f"Ferry plan\n\n{LEAD}", "x").inferred


def test_html_metadata_is_stated_and_a_host_name_outlet_is_inferred() -> None:
    body = f"<article><h1>Ferries till midnight</h1><p>{LEAD * 4}</p></article>"
    head = (
        '<meta property="og:site_name" content="The Harbour Ledger"><meta name="author" content="Ann Reporter">'
        '<meta property="article:published_time" content="2024-03-03T10:00:00Z">'
    )
    page = article_from_html("ferry.html", f"<html><head>{head}</head><body>{body}</body></html>")
    assert isinstance(page, Article)
    assert (page.outlet, page.byline, page.date, page.inferred) == (
        "The Harbour Ledger",
        "Ann Reporter",
        "2024-03-03",
        (),
    )
    canonical = '<link rel="canonical" href="https://ledger.example/f">'
    bare = article_from_html("f.html", f"<html><head>{canonical}</head><body>{body}</body></html>")
    assert isinstance(bare, Article) and bare.date == "" and bare.url == "https://ledger.example/f"
    assert (bare.outlet, "outlet" in bare.inferred) == ("ledger.example", True)


def test_dates_are_read_in_the_usual_spellings_and_impossible_ones_refused() -> None:
    assert [parse_date(d) for d in ("2024-09-16", "September 16, 2024", "16 Sept. 2024", "Feb 30, 2024")] == [
        "2024-09-16",
        "2024-09-16",
        "2024-09-16",
        "",
    ]
    assert shown("2024-08-20", "date", ("date",)) == "2024-08-20 (inferred)" and shown("", "date", ()) == "-"


def test_changing_only_the_metadata_reindexes_the_article_and_its_chunks_carry_it(
    tmp_path: Path, embedder: object
) -> None:
    from rag import load_settings
    from rag.indexing import index_paths
    from rag.store import ChunkStore

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ferry.txt").write_text(f"Ferry plan\n\n{LEAD}\n", encoding="utf-8")
    settings = load_settings(env={}, index_dir=tmp_path / "index", llm="extractive")
    first = index_paths([corpus], settings, progress=False, embedder=embedder)
    again = index_paths([corpus], settings, progress=False, embedder=embedder)
    assert (first.added, again.unchanged) == (["ferry.txt"], ["ferry.txt"])
    (corpus / "ferry.txt.meta.json").write_text('{"outlet": "The Harbour Ledger"}', encoding="utf-8")
    changed = index_paths([corpus], settings, progress=False, embedder=embedder)
    assert changed.updated == ["ferry.txt"]
    store = ChunkStore(settings)
    assert store.documents()["ferry.txt"].outlet == "The Harbour Ledger"
    assert {n.metadata["outlet"] for n in store.committed_nodes()} == {"The Harbour Ledger"}
