"""Guards the hand-written gold QA dataset and the validator that protects it."""

from __future__ import annotations

import importlib
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

# Make `evals` importable however pytest is launched (any CWD, no install);
# importlib keeps the import below the sys.path tweak without lint exemptions.
_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))
ds = importlib.import_module("evals.dataset")

SOURCE = "000_bad4616c5d09da39.txt"
GOOD_EVIDENCE = (
    "During the talks in Doha, there had been an agreement that some 800 Palestinian prisoners would be freed."
)


def _row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "x001",
        "split": "dev",
        "question": "How many prisoners were to be freed under the Doha talks?",
        "answer": "About 800.",
        "must_include": ["800"],
        "sources": [SOURCE],
        "evidence": [GOOD_EVIDENCE],
        "type": "numeric",
        "difficulty": "easy",
    }
    row.update(overrides)
    return row


def _write(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def items() -> list[ds.QAItem]:
    return ds.load_dataset()


def test_bundled_dataset_validates() -> None:
    assert ds.validate_dataset(ds.DATASET_PATH, ds.SEEDS_DIR) == []


def test_fictional_dataset_validates_and_is_big_enough_to_guard_against_fitting() -> None:
    items = ds.load_dataset(ds.FICTIONAL_PATH)

    assert ds.validate_dataset(ds.FICTIONAL_PATH, ds.FICTIONAL_CORPUS) == []
    assert len(list(ds.FICTIONAL_CORPUS.glob("*.txt"))) >= 20
    assert len(items) >= 60 and sum(not i.answerable for i in items) >= 15
    assert {i.split for i in items} == {"dev", "test"}


def test_snippet_serial_and_held_out_datasets_validate() -> None:
    assert ds.validate_dataset(ds.SNIPPETS_PATH, ds.SNIPPETS_CORPUS) == []
    assert ds.validate_dataset(ds.SERIAL_PATH, ds.SERIAL_CORPUS) == []
    assert ds.validate_dataset(ds.ACROSS_PATH, ds.ACROSS_CORPUS) == []
    assert ds.validate_dataset(ds.SEEDS_ACROSS_PATH, ds.SEEDS_DIR) == []
    assert {i.split for i in ds.load_dataset(ds.SEEDS_ACROSS_PATH)} == {"dev"}
    assert ds.validate_dataset(ds.HELDOUT_PATH, ds.SEEDS_DIR) == []
    assert {i.split for i in ds.load_dataset(ds.HELDOUT_PATH)} == {"test"}


def test_dataset_size_and_coverage(items: list[ds.QAItem]) -> None:
    types = Counter(item.type for item in items)
    assert len(items) >= 150
    assert set(types) == ds.TYPES
    assert types["unanswerable"] >= 25


@pytest.mark.parametrize("split", sorted(ds.SPLITS))
def test_each_split_covers_every_type(split: str) -> None:
    split_items = ds.load_dataset(split=split)
    assert split_items and all(item.split == split for item in split_items)
    assert {item.type for item in split_items} == ds.TYPES


def test_required_dev_questions_present(items: list[ds.QAItem]) -> None:
    by_question = {item.question: item for item in items}
    doha = by_question["How many Palestinian prisoners were to be freed according to the Doha talks?"]
    assert doha.split == "dev" and doha.sources == (SOURCE,) and "800" in doha.answer
    trap = by_question["What did Miller say about the 90% figure?"]
    assert trap.split == "dev" and trap.type == "quote_attribution"


def test_load_dataset_rejects_unknown_split() -> None:
    with pytest.raises(ValueError):
        ds.load_dataset(split="train")


def test_crafted_good_row_is_accepted(tmp_path: Path) -> None:
    # Control for the negative tests below: only the injected fault differs.
    assert ds.validate_dataset(_write(tmp_path, [_row()]), ds.SEEDS_DIR) == []


def test_catches_evidence_not_in_source(tmp_path: Path) -> None:
    # Straight quotes where the article has curly ones: the classic retyping slip.
    path = _write(tmp_path, [_row(evidence=['"We continue to engage," Miller said.'])])
    problems = ds.validate_dataset(path, ds.SEEDS_DIR)
    assert len(problems) == 1
    assert "evidence not found verbatim" in problems[0]


def test_catches_unknown_type(tmp_path: Path) -> None:
    problems = ds.validate_dataset(_write(tmp_path, [_row(type="trivia")]), ds.SEEDS_DIR)
    assert len(problems) == 1
    assert "type 'trivia' not in" in problems[0]


def test_catches_duplicate_id(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row(), _row(split="test")])
    problems = ds.validate_dataset(path, ds.SEEDS_DIR)
    assert len(problems) == 1
    assert "duplicate id 'x001'" in problems[0] and problems[0].startswith("line 2")


def test_catches_other_schema_faults(tmp_path: Path) -> None:
    rows = [
        _row(id="a", sources=["missing.txt"]),
        _row(id="b", must_include=["Burns"]),
        _row(id="c", must_include=[[]]),
        _row(id="d", type="unanswerable"),
        _row(id="e", evidence=[]),
        _row(id="f", extra="field"),
    ]
    problems = ds.validate_dataset(_write(tmp_path, rows), ds.SEEDS_DIR)
    expected = [
        "(a): source 'missing.txt' not found",
        "(b): must_include[0] must be a non-empty lowercase string",
        "(c): must_include[0] must be a non-empty list",
        "(d): unanswerable item must have empty must_include",
        "(e): answerable item needs non-empty evidence",
        "(f): unexpected fields ['extra']",
    ]
    for fragment in expected:
        assert any(fragment in p for p in problems), (fragment, problems)
