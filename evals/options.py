"""The flags of an evaluation run, owned here so `rag eval` and `python -m evals.runner` parse the same ones.

Kept free of heavy imports: `rag`'s CLI adds these flags to its parser on every start.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from rag.config import LLM_SETTINGS, MODE_HELP, MODEL_HELP
from rag.filters import ArticleFilter, add_filter_arguments, filter_from_args


@dataclass(frozen=True)
class EvalOptions:
    """The `rag eval` flags; None means the bundled default."""

    dataset: Path | None = None
    corpus: Path | None = None
    mode: str | None = None
    split: str = "all"
    limit: int | None = None
    out: Path | None = None
    baseline: bool = False
    gate: bool = False
    progress: bool = True
    filters: ArticleFilter = field(default_factory=ArticleFilter)  # answer only from these articles (rag.filters)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The evaluation flags (the settings flags --config/--index-dir/--chroma-url are added by the caller)."""
    parser.add_argument("--dataset", type=Path, help="questions JSONL (default: the bundled seeds questions)")
    parser.add_argument("--corpus", type=Path, help="index this folder into a temporary index and evaluate on it")
    parser.add_argument("--mode", choices=LLM_SETTINGS, help=MODE_HELP)
    parser.add_argument("--model", help=MODEL_HELP)
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all", help="dev tunes, test is held out")
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--out", type=Path, help="output folder (default: evals/runs/<timestamp>/)")
    parser.add_argument("--baseline", action="store_true", help="also run llama-index's plain pipeline, side by side")
    parser.add_argument("--gate", action="store_true", help="exit 1 if scores fall below evals/thresholds.json")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_filter_arguments(parser)


def options_from_args(args: argparse.Namespace) -> EvalOptions:
    return EvalOptions(
        dataset=args.dataset,
        corpus=args.corpus,
        mode=args.mode,
        split=args.split,
        limit=args.limit,
        out=args.out,
        baseline=args.baseline,
        gate=args.gate,
        progress=not args.quiet,
        filters=filter_from_args(args),
    )
