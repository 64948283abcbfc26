"""The eval runner end to end on the session's seed index: files, report, baseline, CI gate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from evals.dataset import (
    ACROSS_CORPUS,
    ACROSS_PATH,
    FICTIONAL_CORPUS,
    FICTIONAL_PATH,
    SERIAL_CORPUS,
    SERIAL_PATH,
    SNIPPETS_CORPUS,
    SNIPPETS_PATH,
    QAItem,
    load_dataset,
)
from evals.gate import gate_failures, load_thresholds
from evals.report import write_report
from evals.runner import EvalOptions, EvalRun, prepared_settings, run_eval, select_items
from evals.scoring import score_answer, summarise
from rag import Assistant, Settings, load_settings
from rag.errors import BadInputError
from rag.indexing import index_paths
from rag.store import ChunkStore
from tests.conftest import SEEDS

EVIDENCE = "Qatar and Egypt have been the main mediators for a deal, with the support of the US."


@pytest.fixture(scope="module")
def full_run(
    tmp_path_factory: pytest.TempPathFactory, seed_settings: Settings, assistant: Assistant, embedder: Any
) -> EvalRun:
    """All bundled seed questions through the extractive pipeline, once for this module (~30 s)."""
    out = tmp_path_factory.mktemp("eval-run")
    run = run_eval(EvalOptions(out=out, progress=False), seed_settings, assistant=assistant, embedder=embedder)
    write_report(run.out_dir, run.metrics, run.rows)
    return run


def test_extractive_run_on_all_questions_passes_the_ci_gate(full_run: EvalRun) -> None:
    overall = full_run.metrics["systems"]["extractive"]["overall"]
    assert overall["questions"] == len(load_dataset())
    assert gate_failures(overall, load_thresholds()) == []


@pytest.mark.parametrize(
    ("section", "dataset", "corpus"),
    [
        ("fictional", FICTIONAL_PATH, FICTIONAL_CORPUS),
        ("snippets", SNIPPETS_PATH, SNIPPETS_CORPUS),
        ("serial", SERIAL_PATH, SERIAL_CORPUS),
        ("across", ACROSS_PATH, ACROSS_CORPUS),
    ],
)
def test_extractive_run_on_an_invented_corpus_passes_its_own_gate(
    section: str, dataset: Path, corpus: Path, tmp_path: Path, embedder: Any
) -> None:
    settings = load_settings(env={}, index_dir=tmp_path / "unused", llm="extractive")
    options = EvalOptions(dataset=dataset, corpus=corpus, out=tmp_path / "run", progress=False)
    overall = run_eval(options, settings, embedder=embedder).metrics["systems"]["extractive"]["overall"]

    assert overall["questions"] == len(load_dataset(dataset))
    assert gate_failures(overall, load_thresholds(section=section)) == []


def test_results_file_has_every_question_with_answer_citations_and_scores(full_run: EvalRun) -> None:
    rows = [json.loads(line) for line in (full_run.out_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(load_dataset()) and {r["system"] for r in rows} == {"extractive"}
    answered = next(r for r in rows if not r["abstained"])
    assert set(answered["citations"][0]) >= {"source", "text", "quote"}
    assert answered["retrieved"] and all(isinstance(chunk_id, str) for chunk_id in answered["retrieved"])
    assert set(answered["timings"]) >= {"retrieve", "answer", "total"}
    assert {"correct", "token_f1", "citation_recall", "citation_precision", "evidence_hit", "hit@1"} <= set(
        answered["scores"]
    )


def test_metrics_are_reported_per_split_and_per_type(full_run: EvalRun) -> None:
    metrics = json.loads((full_run.out_dir / "metrics.json").read_text(encoding="utf-8"))
    extractive = metrics["systems"]["extractive"]
    assert set(extractive["by_split"]) == {"dev", "test"} and "held out" in metrics["splits"]["test"]
    assert "unanswerable" in extractive["by_type"] and "quote_attribution" in extractive["by_type"]
    assert extractive["overall"]["latency"]["total"]["p95"] >= extractive["overall"]["latency"]["total"]["p50"]


def test_html_report_is_self_contained_and_lists_failures(full_run: EvalRun) -> None:
    page = (full_run.out_dir / "report.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 3
    assert all((full_run.out_dir / name).is_file() for name in ("accuracy_by_type.png", "latency.png"))
    report = (full_run.out_dir / "report.md").read_text(encoding="utf-8")
    failed = sum(not r["scores"]["correct"] for r in full_run.rows["extractive"])
    assert f"Failed questions: extractive ({failed} of {len(load_dataset())})" in report


def test_baseline_answers_the_same_questions_side_by_side(
    tmp_path: Path, seed_settings: Settings, assistant: Assistant, embedder: Any
) -> None:
    options = EvalOptions(out=tmp_path, limit=3, baseline=True, progress=False)
    run = run_eval(options, seed_settings, assistant=assistant, embedder=embedder)
    assert set(run.metrics["systems"]) == {"extractive", "baseline"}
    baseline = run.rows["baseline"]
    assert [r["id"] for r in baseline] == [r["id"] for r in run.rows["extractive"]]
    first = baseline[0]
    assert first["answer"] == f"{first['citations'][0]['text']} [1]" and len(first["retrieved"]) == 2
    assert first["scores"]["citation_precision"] == 1.0


def test_missing_default_index_is_built_from_the_seeds(tmp_path: Path, embedder: Any) -> None:
    settings = load_settings(env={}, index_dir=tmp_path / "index", llm="extractive")
    with prepared_settings(settings, EvalOptions(progress=False), embedder) as ready:
        assert len(ChunkStore(ready).documents()) == len(list(SEEDS.glob("*.txt")))


def test_a_default_index_older_than_the_seeds_is_updated_before_the_run(
    corpus_copy: Path, tmp_path: Path, embedder: Any
) -> None:
    """An index of an older copy of the seeds (one sidecar without its outlet) is brought up to date."""
    sidecar = corpus_copy / "001_add3ec1abea9c301.txt.meta.json"
    sidecar.write_text(json.dumps({"title": "An older title"}), encoding="utf-8")
    settings = load_settings(env={}, index_dir=tmp_path / "index", llm="extractive")
    index_paths([corpus_copy], settings, progress=False, embedder=embedder)
    assert ChunkStore(settings).documents()["001_add3ec1abea9c301.txt"].title == "An older title"

    with prepared_settings(settings, EvalOptions(progress=False), embedder) as ready:
        record = ChunkStore(ready).documents()["001_add3ec1abea9c301.txt"]
    assert record.title.startswith("Blinken presses for a Gaza cease-fire")


def test_corpus_gets_a_temporary_index(corpus_copy: Path, seed_settings: Settings, embedder: Any) -> None:
    (corpus_copy / "000_bad4616c5d09da39.txt").unlink()
    with prepared_settings(seed_settings, EvalOptions(corpus=corpus_copy, progress=False), embedder) as ready:
        assert ready.index_dir != seed_settings.index_dir
        assert "000_bad4616c5d09da39.txt" not in ChunkStore(ready).documents()
    assert not Path(ready.index_dir).exists()


def test_gate_refuses_a_partial_run(seed_settings: Settings) -> None:
    with pytest.raises(BadInputError, match="--gate"):
        run_eval(EvalOptions(gate=True, limit=5), seed_settings)


def test_dataset_that_does_not_match_the_corpus_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "other.txt").write_text("Nothing about the hostage talks.", encoding="utf-8")
    with pytest.raises(BadInputError, match="does not match"):
        select_items(EvalOptions(corpus=tmp_path))
    assert len(select_items(EvalOptions(split="dev"))) == len(load_dataset(split="dev"))


def test_eval_command_is_wired_into_the_cli(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", "eval", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    assert result.returncode == 0 and "--baseline" in result.stdout and "--gate" in result.stdout


# --- per-question scoring and aggregation, by hand ---


def make_item(kind: str = "factoid", split: str = "dev") -> QAItem:
    answerable = kind != "unanswerable"
    return QAItem(
        id="x",
        split=split,
        question="Who mediates?",
        answer="Qatar and Egypt.",
        must_include=("qatar", "egypt") if answerable else (),
        sources=("a.txt",) if answerable else (),
        evidence=(EVIDENCE,) if answerable else (),
        type=kind,
        difficulty="easy",
    )


def test_retrieval_scores_look_up_chunk_texts_by_id() -> None:
    answer = {
        "answer": f"{EVIDENCE} [1]",
        "abstained": False,
        "citations": [{"n": 1, "title": "", "date": "", "text": EVIDENCE}],
        "retrieved": [{"chunk_id": "a"}, {"chunk_id": "b"}],
        "timings": {"total": 0.1},
    }
    scores = score_answer(make_item(), answer, {"a": "Talks resumed.", "b": f"Yes. {EVIDENCE}"})
    assert scores["first_hit_rank"] == 2
    assert (scores["hit@1"], scores["hit@2"], scores["reciprocal_rank"]) == (0.0, 1.0, 0.5)
    assert scores["correct"] and scores["evidence_hit"] == 1.0 and scores["citation_precision"] == 1.0


def test_abstention_on_unanswerable_question_has_no_retrieval_or_citation_scores() -> None:
    answer = {"answer": "The sources don't say.", "abstained": True, "citations": [], "retrieved": [], "timings": {}}
    scores = score_answer(make_item("unanswerable"), answer, {})
    assert scores["correct"] is True
    assert scores["hit@1"] is None and scores["citation_recall"] is None and scores["evidence_hit"] is None


def row(kind: str, correct: bool, abstained: bool, recall: float | None) -> dict[str, Any]:
    scores = {"correct": correct, "token_f1": None, "citation_recall": recall, "citation_precision": recall,
              "evidence_hit": None, "hit@1": None, "hit@2": None, "hit@6": None, "reciprocal_rank": None,
              "answer_words": None}  # fmt: skip
    return {"type": kind, "abstained": abstained, "timings": {"total": 0.2}, "scores": scores}


def test_summary_counts_accuracy_on_answerable_questions_only() -> None:
    rows = [
        row("factoid", True, False, 1.0),
        row("factoid", False, True, None),
        row("numeric", False, False, 0.5),
        row("unanswerable", True, True, None),
    ]
    summary = summarise(rows)
    assert summary["answer_accuracy"] == pytest.approx(1 / 3)
    assert summary["correct_overall"] == pytest.approx(2 / 4)
    assert summary["abstention_recall"] == 1.0 and summary["false_abstention_rate"] == pytest.approx(1 / 3)
    assert summary["citation_recall"] == pytest.approx(0.75)


def test_gate_reports_each_metric_outside_its_bound() -> None:
    thresholds = {"min": {"answer_accuracy": 0.6, "citation_precision": 0.9}, "max": {"false_abstention_rate": 0.1}}
    good = {"answer_accuracy": 0.6, "citation_precision": 0.95, "false_abstention_rate": 0.1}
    assert gate_failures(good, thresholds) == []
    bad = {"answer_accuracy": 0.59, "citation_precision": None, "false_abstention_rate": 0.2}
    failures = gate_failures(bad, thresholds)
    assert len(failures) == 3
    assert "below the minimum 0.60" in failures[0] and "could not be computed" in failures[1]
    assert "above the maximum 0.10" in failures[2]


def test_bundled_thresholds_have_floors_for_the_gated_metrics() -> None:
    thresholds = load_thresholds()
    assert set(thresholds["min"]) == {
        "answer_accuracy",
        "correct_overall",
        "abstention_recall",
        "abstention_precision",
        "citation_precision",
    }
    assert set(thresholds["max"]) == {"false_abstention_rate"}
