"""Where the app may listen: loopback freely, anything else only behind a login."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.errors import ConfigError
from ui.settings import is_loopback, load_ui_settings

NO_AUTH: dict[str, str] = {}


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_addresses_need_no_login(host: str) -> None:
    assert is_loopback(host)
    assert load_ui_settings(host=host, env=NO_AUTH).auth == ()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org", "10.0.0.1"])
def test_any_other_address_without_a_login_is_refused_with_the_reason(host: str) -> None:
    with pytest.raises(ConfigError, match=r"Refusing to serve on .*RAG_UI_AUTH=user:password"):
        load_ui_settings(host=host, env=NO_AUTH)


def test_rag_ui_auth_allows_a_public_address() -> None:
    ui = load_ui_settings(host="0.0.0.0", port=8080, env={"RAG_UI_AUTH": "ana:s3cret:with:colons"})
    assert (ui.host, ui.port, ui.auth) == ("0.0.0.0", 8080, (("ana", "s3cret:with:colons"),))


def test_an_auth_file_holds_several_logins_and_wins_over_the_env(tmp_path: Path) -> None:
    file = tmp_path / "auth"
    file.write_text("# team\nana:one\n\nbob:two\n", encoding="utf-8")
    env = {"RAG_UI_AUTH": "env:ignored", "RAG_UI_AUTH_FILE": str(file)}
    assert load_ui_settings(host="0.0.0.0", env=env).auth == (("ana", "one"), ("bob", "two"))


@pytest.mark.parametrize("value", ["nopassword", "user:", ":password"])
def test_malformed_credentials_are_rejected(value: str) -> None:
    with pytest.raises(ConfigError, match="user:password"):
        load_ui_settings(env={"RAG_UI_AUTH": value})


def test_missing_auth_file_and_bad_port_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot read the auth file"):
        load_ui_settings(auth_file=tmp_path / "missing", env=NO_AUTH)
    with pytest.raises(ConfigError, match="out of range"):
        load_ui_settings(port=70000, env=NO_AUTH)
    with pytest.raises(ConfigError, match="RAG_UI_PORT"):
        load_ui_settings(env={"RAG_UI_PORT": "http"})


def rag_ui(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_UI_")}
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", "ui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )


def test_rag_ui_has_help_naming_host_port_and_auth() -> None:
    result = rag_ui("--help")
    assert result.returncode == 0
    assert "--host" in result.stdout and "--port" in result.stdout and "RAG_UI_AUTH" in result.stdout


def test_rag_ui_on_all_interfaces_without_auth_exits_nonzero_before_loading(tmp_path: Path) -> None:
    result = rag_ui("--host", "0.0.0.0", "--index-dir", str(tmp_path / "none"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Refusing to serve on 0.0.0.0" in result.stderr and "RAG_UI_AUTH" in result.stderr
