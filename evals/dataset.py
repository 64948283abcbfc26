"""Gold QA dataset over the seed news articles: loading and validation.

The dataset is hand-written, so the validator exists to catch the mistakes
people actually make when editing it by hand: evidence that was retyped instead
of copied (straight vs curly quotes), stale source names, typos in enum fields.
Only the standard library is used so the check can run anywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
# Resolved from this file rather than the CWD so tests, benches and scripts
# find the data wherever they are launched from.
DATASET_PATH: Path = _HERE / "datasets" / "seeds_qa.jsonl"
SEEDS_DIR: Path = _HERE.parent / "seeds"
# A second, invented corpus with its own questions, so no threshold is fitted to five articles.
FICTIONAL_PATH: Path = _HERE / "datasets" / "fictional_qa.jsonl"
FICTIONAL_CORPUS: Path = _HERE / "corpora" / "fictional"
# Noisy invented search-result snippets, one question each; and held-out questions over the seeds
# written by someone who saw only the articles (both described in the README).
SNIPPETS_PATH: Path = _HERE / "datasets" / "snippets_qa.jsonl"
SNIPPETS_CORPUS: Path = _HERE / "corpora" / "snippets"
HELDOUT_PATH: Path = _HERE / "datasets" / "seeds_heldout.jsonl"
# A third invented corpus, one evolving story like the seeds, written by a helper that saw none of the code.
SERIAL_PATH: Path = _HERE / "datasets" / "serial_qa.jsonl"
SERIAL_CORPUS: Path = _HERE / "corpora" / "serial"
# Questions that need several sentences or reports (comparisons, many parts, a story's reports in
# turn), written in session six by a helper that saw only the articles: a fourth invented corpus
# (four stories, three outlets' reports each) and 20 more over the seeds (dev only).
ACROSS_PATH: Path = _HERE / "datasets" / "across_qa.jsonl"
ACROSS_CORPUS: Path = _HERE / "corpora" / "across"
SEEDS_ACROSS_PATH: Path = _HERE / "datasets" / "seeds_across_qa.jsonl"

SPLITS: frozenset[str] = frozenset({"dev", "test"})
TYPES: frozenset[str] = frozenset(
    {
        "factoid",
        "quote_attribution",
        "numeric",
        "multi_doc",
        "temporal",
        "comparison",
        "unanswerable",
    }
)
DIFFICULTIES: frozenset[str] = frozenset({"easy", "medium", "hard"})
FIELDS: tuple[str, ...] = (
    "id",
    "split",
    "question",
    "answer",
    "must_include",
    "sources",
    "evidence",
    "type",
    "difficulty",
)

# A must_include entry is one required fact, or a group of accepted alternatives.
MustInclude = str | tuple[str, ...]


@dataclass(frozen=True)
class QAItem:
    """One gold question; tuples instead of lists keep it hashable and immutable."""

    id: str
    split: str
    question: str
    answer: str
    must_include: tuple[MustInclude, ...]
    sources: tuple[str, ...]
    evidence: tuple[str, ...]
    type: str
    difficulty: str

    @property
    def answerable(self) -> bool:
        """Unanswerable items expect an abstention rather than a fact."""
        return self.type != "unanswerable"


def _item_from_dict(row: dict[str, Any]) -> QAItem:
    must = tuple(m if isinstance(m, str) else tuple(m) for m in row["must_include"])
    return QAItem(
        id=row["id"],
        split=row["split"],
        question=row["question"],
        answer=row["answer"],
        must_include=must,
        sources=tuple(row["sources"]),
        evidence=tuple(row["evidence"]),
        type=row["type"],
        difficulty=row["difficulty"],
    )


def load_dataset(path: Path = DATASET_PATH, split: str | None = None) -> list[QAItem]:
    """Load items, optionally one split; run `validate_dataset` for full checks."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {sorted(SPLITS)}")
    items: list[QAItem] = []
    with Path(path).open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = _item_from_dict(json.loads(line))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{lineno}: malformed item: {exc}") from exc
            if split is None or item.split == split:
                items.append(item)
    return items


def _is_lower_str(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and value == value.lower()


def _check_must_include(value: object, where: str) -> list[str]:
    if not isinstance(value, list):
        return [f"{where}: must_include must be a list"]
    problems: list[str] = []
    for i, entry in enumerate(value):
        if isinstance(entry, list):
            if not entry or not all(_is_lower_str(alt) for alt in entry):
                problems.append(
                    f"{where}: must_include[{i}] must be a non-empty list of non-empty lowercase strings, got {entry!r}"
                )
        elif not _is_lower_str(entry):
            problems.append(
                f"{where}: must_include[{i}] must be a non-empty lowercase string or list of them, got {entry!r}"
            )
    return problems


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _check_row(row: dict[str, Any], where: str, corpus_dir: Path, cache: dict[str, str | None]) -> list[str]:
    """Check one parsed row; `cache` avoids re-reading source files per item."""
    problems: list[str] = []
    keys = set(row)
    if missing := sorted(set(FIELDS) - keys):
        problems.append(f"{where}: missing fields {missing}")
    if extra := sorted(keys - set(FIELDS)):
        problems.append(f"{where}: unexpected fields {extra}")

    for name in ("id", "question", "answer"):
        if name in row and not (isinstance(row[name], str) and row[name].strip()):
            problems.append(f"{where}: {name} must be a non-empty string")
    for name, allowed in (
        ("split", SPLITS),
        ("type", TYPES),
        ("difficulty", DIFFICULTIES),
    ):
        if name in row and row[name] not in allowed:
            problems.append(f"{where}: {name} {row[name]!r} not in {sorted(allowed)}")
    if "must_include" in row:
        problems += _check_must_include(row["must_include"], where)
    for name in ("sources", "evidence"):
        if name in row and not _is_str_list(row[name]):
            problems.append(f"{where}: {name} must be a list of non-empty strings")
    if problems:
        return problems  # later checks assume a well-formed row

    lists = ("must_include", "sources", "evidence")
    if row["type"] == "unanswerable":
        problems += [f"{where}: unanswerable item must have empty {name}" for name in lists if row[name]]
        return problems
    problems += [f"{where}: answerable item needs non-empty {name}" for name in lists if not row[name]]

    texts: list[str] = []
    for source in row["sources"]:
        # Bare file names only: a path could silently point outside the corpus.
        if Path(source).name != source:
            problems.append(f"{where}: source {source!r} must be a bare file name")
            continue
        if source not in cache:
            file = corpus_dir / source
            cache[source] = file.read_text(encoding="utf-8") if file.is_file() else None
        text = cache[source]
        if text is None:
            problems.append(f"{where}: source {source!r} not found in {corpus_dir}")
        else:
            texts.append(text)
    if texts:
        for ev in row["evidence"]:
            if not any(ev in text for text in texts):
                problems.append(f"{where}: evidence not found verbatim in its sources: {ev[:70]!r}")
    return problems


def validate_dataset(path: Path, corpus_dir: Path) -> list[str]:
    """Return human-readable problems with the dataset file (empty if valid)."""
    problems: list[str] = []
    seen_ids: dict[str, int] = {}
    cache: dict[str, str | None] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        return [f"{path}: cannot read dataset: {exc}"]
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"line {lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: invalid JSON: {exc}")
            continue
        if not isinstance(row, dict):
            problems.append(f"{where}: expected a JSON object")
            continue
        item_id = row.get("id")
        if isinstance(item_id, str):
            where = f"line {lineno} ({item_id})"
            if item_id in seen_ids:
                problems.append(f"{where}: duplicate id {item_id!r} (first on line {seen_ids[item_id]})")
            else:
                seen_ids[item_id] = lineno
        problems += _check_row(row, where, Path(corpus_dir), cache)
    if not seen_ids and not problems:
        problems.append(f"{path}: dataset is empty")
    return problems
