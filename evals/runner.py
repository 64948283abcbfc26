"""`rag eval`: answer every gold question through the same `Assistant` users get, score it, report it.

Also `python -m evals.runner [ARGS]`, the same as `rag eval [ARGS]`. Works from any working
directory: the bundled questions and seeds are found next to this package, and the seeds'
index is built first when the default index is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from evals.dataset import DATASET_PATH, SEEDS_DIR, QAItem, load_dataset, validate_dataset
from evals.metrics import Similarity
from evals.options import EvalOptions, add_arguments, options_from_args
from evals.scoring import Row, embedding_similarity, result_row, score_answer, system_metrics
from rag import Answer, Assistant, RagError, Settings, load_settings
from rag.errors import BadInputError, NothingIndexedError, StoreError
from rag.filters import ArticleFilter
from rag.llm_backend import resolve_mode

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

SPLIT_NOTES = {
    "dev": "used for tuning (the abstention threshold was calibrated on it by evals/calibrate.py)",
    "test": "held out: never used for tuning; the number to trust",
}


class AnsweringSystem(Protocol):
    """What the runner needs from a pipeline: answers, and chunk texts to judge retrieval."""

    name: str

    def ask(self, question: str) -> Answer: ...

    def chunk_texts(self) -> Mapping[str, str]: ...


class AssistantSystem:
    """Our pipeline in one answering mode, through the public `Assistant.ask`."""

    def __init__(self, assistant: Assistant, mode: str, filters: ArticleFilter | None = None) -> None:
        self.assistant = assistant
        self.name = mode
        self.filters = filters

    def ask(self, question: str) -> Answer:
        return self.assistant.ask(question, mode=self.name, filters=self.filters)

    def chunk_texts(self) -> dict[str, str]:
        from rag.store import ChunkStore

        return {n.node_id: n.get_content() for n in ChunkStore(self.assistant.settings).committed_nodes()}


@dataclass
class EvalRun:
    """What one run produced: where it wrote, the metrics, and every scored row per system."""

    out_dir: Path
    metrics: dict[str, Any]
    rows: dict[str, list[Row]] = field(default_factory=dict)


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of `rag eval`: run, write the report, print the summary, apply the gate if asked."""
    from evals.gate import gate_failures, load_thresholds
    from evals.report import summary_table, write_report

    options = options_from_args(args)
    run = run_eval(options, settings)
    write_report(run.out_dir, run.metrics, run.rows)
    print(summary_table(run.metrics))
    print(f"\nResults, metrics and report in {run.out_dir}")
    if not options.gate:
        return 0
    failures = gate_failures(run.metrics["systems"][run.metrics["run"]["mode"]]["overall"], load_thresholds())
    for failure in failures:
        print(f"GATE FAILED: {failure}", file=sys.stderr)
    print("Gate passed." if not failures else "Gate failed: see evals/thresholds.json.")
    return 1 if failures else 0


def run_eval(
    options: EvalOptions,
    settings: Settings,
    assistant: Assistant | None = None,
    embedder: BaseEmbedding | None = None,
) -> EvalRun:
    """Answer, score and save results.jsonl and metrics.json; `assistant`/`embedder` let tests reuse loaded ones."""
    from rag.embedding import load_embedder

    started = datetime.now()
    _check_gate_options(options)
    items = select_items(options)
    mode = resolve_mode(settings, options.mode)
    embedder = embedder or load_embedder(settings)
    with prepared_settings(settings, options, embedder) as ready:
        _check_index_covers(ready, items)
        ours = assistant or Assistant(ready)
        systems: list[AnsweringSystem] = [AssistantSystem(ours, mode, options.filters)]
        if options.baseline:
            from evals.baseline import BaselinePipeline

            systems.append(BaselinePipeline(options.corpus or SEEDS_DIR, embedder))
        try:
            rows = evaluate(items, systems, embedding_similarity(embedder), options.progress)
        finally:
            if assistant is None:
                ours.close()  # stops a local model server this run started
    metrics = {
        "run": _run_info(options, ready, mode, len(items), started),
        "splits": SPLIT_NOTES,
        "systems": {name: system_metrics(system_rows) for name, system_rows in rows.items()},
    }
    out_dir = options.out or default_out_dir()
    write_results(out_dir, rows, metrics)
    return EvalRun(out_dir, metrics, rows)


def select_items(options: EvalOptions) -> list[QAItem]:
    """Load and validate the questions; a broken dataset is a user error with the first problems listed."""
    path = options.dataset or DATASET_PATH
    corpus = options.corpus or (SEEDS_DIR if options.dataset is None else None)
    if not path.is_file():
        raise BadInputError(f"No dataset at {path}: give a JSONL file of questions (see README, 'Evaluation').")
    if corpus is not None and (problems := validate_dataset(path, corpus)):
        listed = "\n  ".join(problems[:5])
        raise BadInputError(f"The dataset {path} does not match the articles in {corpus}:\n  {listed}")
    try:
        items = load_dataset(path, split=None if options.split == "all" else options.split)
    except ValueError as exc:
        raise BadInputError(str(exc)) from exc
    if options.limit is not None and options.limit < 1:
        raise BadInputError("--limit must be at least 1.")
    items = items[: options.limit]
    if not items:
        raise BadInputError(f"{path} has no questions in split {options.split!r}.")
    return items


@contextmanager
def prepared_settings(settings: Settings, options: EvalOptions, embedder: BaseEmbedding) -> Iterator[Settings]:
    """Settings pointing at a ready index: a temporary one of --corpus, else the default one (built if missing)."""
    from rag.indexing import index_paths

    if options.corpus is not None:
        with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
            temporary = settings.replace(index_dir=Path(tmp), chroma_url="")
            report = index_paths([options.corpus], temporary, progress=options.progress, embedder=embedder)
            if not report.indexed_anything:
                raise NothingIndexedError(f"Nothing in {options.corpus} could be indexed: give .txt, .md or .html.")
            yield temporary
        return
    missing = not settings.chroma_url and not (Path(settings.index_dir) / "chroma.sqlite3").is_file()
    if missing and options.dataset is None:
        print(f"No index at {Path(settings.index_dir).resolve()}: indexing the seeds first.", file=sys.stderr)
        index_paths([SEEDS_DIR], settings, progress=options.progress, embedder=embedder)
    elif options.dataset is None and (stale := _stale_seeds(settings)):
        # The bundled questions are about the seeds as they are now: an index of an older text or
        # older metadata (a sidecar edited since) would score something else.
        print(f"The index is older than {SEEDS_DIR} ({', '.join(stale[:3])}): updating it first.", file=sys.stderr)
        index_paths([SEEDS_DIR], settings, progress=options.progress, embedder=embedder)
    yield settings


def _stale_seeds(settings: Settings) -> list[str]:
    """Seed articles whose text or metadata differ from what the index holds (or that it lacks)."""
    from rag.corpus import Article, find_files, load_article
    from rag.store import ChunkStore

    records = ChunkStore(settings).documents(with_text=False)
    stale = []
    for path in find_files([SEEDS_DIR])[0]:
        article = load_article(path)
        if not isinstance(article, Article):
            continue
        record = records.get(article.source)
        if record is None or record.doc_hash != article.doc_hash or not record.same_metadata(article):
            stale.append(article.source)
    return stale


def evaluate(
    items: Sequence[QAItem],
    systems: Sequence[AnsweringSystem],
    similarity: Similarity | None = None,
    progress: bool = True,
) -> dict[str, list[Row]]:
    """Every question through every system, scored as it comes back."""
    from tqdm import tqdm

    rows: dict[str, list[Row]] = {}
    for system in systems:
        chunk_texts = system.chunk_texts()
        rows[system.name] = []
        for item in tqdm(items, desc=f"Evaluating {system.name}", unit="q", disable=not progress):
            answer = system.ask(item.question).to_dict()
            scores = score_answer(item, answer, chunk_texts, similarity)
            rows[system.name].append(result_row(system.name, item, answer, scores))
    return rows


def write_results(out_dir: Path, rows: Mapping[str, list[Row]], metrics: Mapping[str, Any]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "results.jsonl").open("w", encoding="utf-8") as fh:
        for system_rows in rows.values():
            for row in system_rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def default_out_dir() -> Path:
    """evals/runs/<timestamp>/ in a checkout (git-ignored), else ./eval-runs/<timestamp>/."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    runs = Path(__file__).resolve().parent / "runs" if SEEDS_DIR.is_dir() else Path("eval-runs")
    return runs / stamp


def _check_gate_options(options: EvalOptions) -> None:
    """The thresholds were measured on the full bundled set; a gate on anything else would mean nothing."""
    if options.gate and (options.dataset or options.corpus or options.limit or options.split != "all"):
        raise BadInputError("--gate checks the full bundled dataset: drop --dataset, --corpus, --split and --limit.")


def _check_index_covers(settings: Settings, items: Sequence[QAItem]) -> None:
    from rag.store import ChunkStore

    have = set(ChunkStore(settings).documents())
    missing = sorted({source for item in items for source in item.sources} - have)
    if missing:
        raise StoreError(
            f"The index at {settings.chroma_url or Path(settings.index_dir).resolve()} lacks "
            f"{', '.join(missing[:5])}, which the questions cite: index them (`rag index`) or pass --corpus FOLDER."
        )


def _run_info(options: EvalOptions, settings: Settings, mode: str, n_items: int, started: datetime) -> dict[str, Any]:
    return {
        "started": started.isoformat(timespec="seconds"),
        "dataset": str(options.dataset or DATASET_PATH),
        "corpus": str(options.corpus) if options.corpus else None,
        "mode": mode,
        "split": options.split,
        "questions": n_items,
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(settings).items()},
    }


def main(argv: Sequence[str] | None = None, gate: bool = False, prog: str = "python -m evals.runner") -> int:
    """`python -m evals.runner ARGS`: the same flags and output as `rag eval ARGS`."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, help="TOML settings file (default: $RAG_CONFIG)")
    parser.add_argument("--index-dir", type=Path, help="where the Chroma store lives (default: ./index)")
    parser.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000")
    add_arguments(parser)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    args.gate = args.gate or gate
    try:
        settings = load_settings(
            toml_path=args.config,
            index_dir=args.index_dir,
            chroma_url=args.chroma_url,
            llm=args.mode,
            llm_model=args.model,
        )
        return run_cli(args, settings)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
