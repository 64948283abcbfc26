"""Settings: defaults, RAG_* env vars, a TOML file, explicit overrides, and helpful errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import Settings, load_settings
from rag.errors import ConfigError, RagError


def _toml(tmp_path: Path, body: str, name: str = "rag.toml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_defaults_apply_without_env_or_file() -> None:
    settings = load_settings(env={})

    assert settings == Settings()
    assert settings.index_dir == Path("index")
    assert settings.chroma_url == ""
    assert settings.collection == "articles"
    assert (settings.chunk_size, settings.chunk_overlap) == (160, 30)
    assert (settings.dense_k, settings.top_k) == (12, 6)
    assert settings.llm == "auto"
    assert settings.max_answer_sentences == 4
    assert settings.abstain_threshold == 0.30
    assert settings.max_question_chars == 2000


def test_env_vars_are_coerced_to_field_types(tmp_path: Path) -> None:
    env = {
        "RAG_TOP_K": "3",
        "RAG_INDEX_DIR": str(tmp_path / "idx"),
        "RAG_LLM": "extractive",
        "RAG_ABSTAIN_THRESHOLD": "0.3",
    }

    settings = load_settings(env=env)

    assert settings.top_k == 3 and type(settings.top_k) is int
    assert settings.index_dir == tmp_path / "idx" and isinstance(settings.index_dir, Path)
    assert settings.llm == "extractive"
    assert settings.abstain_threshold == 0.3 and type(settings.abstain_threshold) is float


def test_empty_env_var_is_ignored() -> None:
    assert load_settings(env={"RAG_TOP_K": ""}).top_k == 6


def test_unrelated_env_vars_are_ignored() -> None:
    assert load_settings(env={"TOP_K": "1", "RAG_NOT_A_SETTING": "x"}) == Settings()


def test_toml_file_with_top_level_keys(tmp_path: Path) -> None:
    path = _toml(tmp_path, 'top_k = 5\ndense_k = 7\nindex_dir = "my-index"\n')

    settings = load_settings(path, env={})

    assert (settings.top_k, settings.dense_k) == (5, 7)
    assert settings.index_dir == Path("my-index")


def test_toml_file_with_keys_under_rag_table(tmp_path: Path) -> None:
    path = _toml(tmp_path, "[rag]\ntop_k = 5\nchunk_size = 200\nchunk_overlap = 40\n")

    settings = load_settings(path, env={})

    assert (settings.top_k, settings.chunk_size, settings.chunk_overlap) == (5, 200, 40)


def test_rag_config_env_var_names_the_toml_file(tmp_path: Path) -> None:
    path = _toml(tmp_path, "top_k = 2\n")

    assert load_settings(env={"RAG_CONFIG": str(path)}).top_k == 2


def test_precedence_is_overrides_then_env_then_toml_then_defaults(tmp_path: Path) -> None:
    path = _toml(tmp_path, "[rag]\ntop_k = 2\ndense_k = 7\nchunk_size = 100\n")
    env = {"RAG_TOP_K": "3", "RAG_DENSE_K": "8"}

    settings = load_settings(path, env=env, top_k=4)

    assert settings.top_k == 4  # override beats env and TOML
    assert settings.dense_k == 8  # env beats TOML
    assert settings.chunk_size == 100  # TOML beats default
    assert settings.chunk_overlap == 30  # default


def test_none_override_does_not_hide_env_value() -> None:
    assert load_settings(env={"RAG_TOP_K": "3"}, top_k=None).top_k == 3


def test_replace_coerces_and_revalidates() -> None:
    settings = Settings().replace(top_k="4")

    assert settings.top_k == 4
    with pytest.raises(ConfigError, match="RAG_CHUNK_OVERLAP must be smaller than RAG_CHUNK_SIZE"):
        settings.replace(chunk_overlap=500)


def test_unknown_toml_key_is_rejected_naming_key_file_and_known_keys(tmp_path: Path) -> None:
    path = _toml(tmp_path, "[rag]\ntopk = 5\n")

    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})

    message = str(caught.value)
    assert "'topk'" in message
    assert str(path) in message
    assert "top_k" in message  # lists the known keys so the typo is easy to fix


def test_non_numeric_top_k_in_env_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"top_k expects int, got 'abc'"):
        load_settings(env={"RAG_TOP_K": "abc"})


def test_non_numeric_top_k_in_toml_is_rejected(tmp_path: Path) -> None:
    path = _toml(tmp_path, 'top_k = "abc"\n')

    with pytest.raises(ConfigError, match=r"top_k expects int, got 'abc'"):
        load_settings(path, env={})


def test_unknown_llm_mode_is_rejected_listing_the_known_modes() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env={"RAG_LLM": "gpt-4"})

    assert "RAG_LLM='gpt-4'" in str(caught.value)
    assert "extractive" in str(caught.value)


@pytest.mark.parametrize(
    ("env", "overrides"),
    [
        ({}, {"chunk_overlap": 160}),  # equal to the default chunk size
        ({"RAG_CHUNK_SIZE": "50", "RAG_CHUNK_OVERLAP": "80"}, {}),
    ],
    ids=["overlap-equals-size", "overlap-exceeds-size"],
)
def test_overlap_not_smaller_than_chunk_size_is_rejected(env: dict[str, str], overrides: dict[str, int]) -> None:
    with pytest.raises(ConfigError, match="RAG_CHUNK_OVERLAP must be smaller than RAG_CHUNK_SIZE"):
        load_settings(env=env, **overrides)


def test_zero_top_k_is_rejected() -> None:
    with pytest.raises(ConfigError, match="RAG_TOP_K must be at least 1"):
        load_settings(env={"RAG_TOP_K": "0"})


def test_missing_toml_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", env={})


def test_malformed_toml_is_reported(tmp_path: Path) -> None:
    path = _toml(tmp_path, "top_k = = 5\n")

    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_settings(path, env={})


def test_config_errors_are_user_facing_rag_errors() -> None:
    with pytest.raises(RagError) as caught:
        load_settings(env={"RAG_LLM": "nope"})

    assert caught.value.exit_code == 1


def test_tilde_in_index_dir_is_expanded() -> None:
    assert load_settings(env={"RAG_INDEX_DIR": "~/rag-index"}).index_dir == Path.home() / "rag-index"


def test_fractional_top_k_in_toml_is_rejected(tmp_path: Path) -> None:
    path = _toml(tmp_path, "top_k = 2.5\n")

    with pytest.raises(ConfigError, match="top_k"):
        load_settings(path, env={})


def test_top_level_key_next_to_rag_table_is_not_silently_ignored(tmp_path: Path) -> None:
    path = _toml(tmp_path, "top_k = 5\n[rag]\ndense_k = 7\n")

    try:
        settings = load_settings(path, env={})
    except ConfigError:
        return  # rejecting the mixed file is acceptable too
    assert (settings.top_k, settings.dense_k) == (5, 7)


def test_a_yes_no_setting_reads_true_and_false_words_and_rejects_others() -> None:
    assert load_settings(env={"RAG_LLM_JUDGE": "false"}).llm_judge is False
    assert load_settings(env={"RAG_LLM_JUDGE": "ON"}).llm_judge is True
    with pytest.raises(ConfigError, match="llm_judge expects true or false"):
        load_settings(env={"RAG_LLM_JUDGE": "maybe"})
