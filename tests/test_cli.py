"""The `rag` command as a user runs it: real subprocesses, real index, exit codes and messages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag import Settings
from tests.conftest import SEEDS

RAG = [sys.executable, "-m", "rag.cli"]


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*RAG, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env={**os.environ, **env}
    )


def assert_clean_error(result: subprocess.CompletedProcess[str], code: int, words: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert words in result.stderr


@pytest.mark.parametrize(
    "command", [[], ["index"], ["ask"], ["chat"], ["list"], ["remove"], ["eval"], ["ui"], ["serve"], ["mcp"]]
)
def test_every_command_has_help(tmp_path: Path, command: list[str]) -> None:
    result = run([*command, "--help"], tmp_path)
    assert result.returncode == 0
    assert "usage: rag" in result.stdout


def test_empty_question_exits_2(tmp_path: Path) -> None:
    assert_clean_error(run(["ask", "   "], tmp_path), 2, "empty")


def test_overlong_question_exits_2(tmp_path: Path) -> None:
    assert_clean_error(run(["ask", "x" * 2001], tmp_path), 2, "limit")


def test_a_question_with_invalid_utf8_bytes_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [*RAG, "ask", b"Who met in Doha \xff?"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert_clean_error(result, 2, "not valid UTF-8")


def test_a_symlink_loop_is_skipped_with_a_clear_warning(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    assert_clean_error(run(["index", "a", "--quiet"], tmp_path), 1, "a: a symbolic link loop")


def test_asking_without_an_index_says_to_run_rag_index(tmp_path: Path) -> None:
    assert_clean_error(run(["ask", "What about Doha?"], tmp_path), 1, "rag index")


def test_bad_files_are_warned_by_name_and_the_rest_indexed(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEEDS / "001_add3ec1abea9c301.txt", docs)
    (docs / "scan.pdf").write_bytes(b"%PDF-1.4")
    (docs / "latin.txt").write_bytes("Caf\xe9 talks".encode("latin-1"))
    (docs / "blob.md").write_bytes(b"\x00\x01\x02")
    result = run(["index", str(docs), str(tmp_path / "missing"), "--quiet"], tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("scan.pdf", "latin.txt", "blob.md", "missing"):
        assert name in result.stderr
    assert "1 added" in result.stdout
    assert "Traceback" not in result.stderr


def test_indexing_nothing_usable_exits_nonzero(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert_clean_error(run(["index", str(tmp_path / "empty"), "--quiet"], tmp_path), 1, "empty")


def test_a_broken_sidecar_says_the_copy_indexed_earlier_is_kept(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "port.txt").write_text("The harbour board met on Monday and agreed a new plan for the port.\n")
    (docs / "port.txt.meta.json").write_text('{"title": "Port plan", "date": "2031-01-02"}')
    assert run(["index", str(docs), "--quiet"], tmp_path).returncode == 0
    (docs / "port.txt.meta.json").write_text('{"title": broken')

    result = run(["index", str(docs), "--quiet"], tmp_path)

    assert_clean_error(result, 1, "port.txt.meta.json is not readable JSON")
    assert "the copy indexed earlier is kept" in result.stderr
    assert "1 chunk in the index" in result.stdout
    assert "port.txt" in run(["list"], tmp_path).stdout


def test_json_file_mode_prints_one_object_per_question(tmp_path: Path, seed_settings: Settings) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text("Who led the Doha meeting?\n\nWho is the president of France?\n", encoding="utf-8")
    result = run(["ask", "--json", "--file", str(questions), "--index-dir", str(seed_settings.index_dir)], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [obj["question"] for obj in lines] == ["Who led the Doha meeting?", "Who is the president of France?"]
    assert [obj["abstained"] for obj in lines] == [False, True]


def test_human_output_lists_sources_with_quotes(tmp_path: Path, seed_settings: Settings) -> None:
    result = run(
        ["ask", "What did Miller say about the 90% figure?", "--index-dir", str(seed_settings.index_dir)], tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "Sources:" in result.stdout
    assert "000_bad4616c5d09da39.txt" in result.stdout
    assert "[1]" in result.stdout


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="unshare -n needs root")
def test_index_and_ask_work_with_no_network(tmp_path: Path) -> None:
    """Inside a network namespace with only loopback, any outside connection fails loudly."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "tmp").mkdir()
    script = (
        "ip link set lo up && "
        f"{sys.executable} -m rag.cli index --quiet && "
        f"{sys.executable} -m rag.cli ask --json 'How many Palestinian prisoners were to be freed "
        "according to the Doha talks?'"
    )
    # A clean TMPDIR so a tiktoken download cached by an earlier online run cannot hide a fetch.
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    result = subprocess.run(
        ["unshare", "-n", "sh", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.splitlines()[-1])
    assert "800" in answer["answer"]
    assert answer["citations"][0]["source"] == "000_bad4616c5d09da39.txt"


def test_markdown_format_prints_the_answer_with_footnotes_carrying_title_date_and_offsets(
    tmp_path: Path, seed_settings: Settings
) -> None:
    question = "What did Miller say about the 90% figure?"
    result = run(["ask", "--format", "markdown", question, "--index-dir", str(seed_settings.index_dir)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"**Q:** {question}\n") and "[^1]" in result.stdout
    footnote = next(line for line in result.stdout.splitlines() if line.startswith("[^1]: “"))
    assert "The Jerusalem Post (inferred), 2024-09-16. `000_bad4616c5d09da39.txt`, characters " in footnote


def test_ask_since_a_date_cites_only_articles_dated_on_or_after_it(tmp_path: Path, seed_settings: Settings) -> None:
    where = ["--index-dir", str(seed_settings.index_dir)]
    question = "What did US officials say about the talks?"
    asked = run(["ask", "--json", "--since", "2024-09-01", question, *where], tmp_path)
    assert asked.returncode == 0, asked.stderr
    cited = json.loads(asked.stdout)["citations"]
    assert cited and all(c["date"] >= "2024-09-01" for c in cited)
    nothing = run(["ask", "--until", "2023-12-31", "Who mediates?", *where], tmp_path)
    assert nothing.returncode == 2 and "No indexed article is published on or before 2023-12-31" in nothing.stderr


def test_list_shows_a_date_and_an_outlet_for_every_seed_marking_inferred_ones(
    tmp_path: Path, seed_settings: Settings
) -> None:
    listed = run(["list", "--index-dir", str(seed_settings.index_dir)], tmp_path)
    rows = [line.split("\t") for line in listed.stdout.splitlines()[1:-1]]
    assert len(rows) == 5 and all(row[1] != "-" and row[2] != "-" for row in rows)
    assert rows[1][:3] == ["001_add3ec1abea9c301.txt", "2024-08-20 (inferred)", "The New York Times (inferred)"]
    assert rows[0][1] == "2024-09-16"  # stated by the file
