"""Where the UI listens and who may use it, read once from the command line and `RAG_UI_*` env vars.

These live here, not in `rag.config.Settings`, because only the app needs them: the
library, the CLI and the evals never serve anything.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError
from rag.serving import DEFAULT_HOST, is_loopback, listen_address

DEFAULT_PORT = 7860
# Where `rag eval` writes in a checkout; the tab also passes it as --out, so the two always agree.
EVAL_RUNS_DIR = Path(__file__).resolve().parents[1] / "evals" / "runs"


@dataclass(frozen=True)
class UiSettings:
    """Host, port and credentials; `auth` is empty when no login is configured."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    auth: tuple[tuple[str, str], ...] = ()
    eval_runs_dir: Path = EVAL_RUNS_DIR


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "UiSettings", "is_loopback", "load_ui_settings"]


def parse_credentials(text: str, origin: str) -> tuple[tuple[str, str], ...]:
    """`user:password` pairs, one per line; blank lines and `#` comments are ignored."""
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user.strip() or not password:
            raise ConfigError(f"{origin} must hold `user:password` (both non-empty), got {line[:40]!r}.")
        pairs.append((user.strip(), password))
    return tuple(pairs)


def read_auth(auth_file: Path | None, env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Credentials from `--auth-file`, else `RAG_UI_AUTH_FILE`, else `RAG_UI_AUTH=user:password`."""
    file = auth_file or (Path(env["RAG_UI_AUTH_FILE"]) if env.get("RAG_UI_AUTH_FILE") else None)
    if file is not None:
        try:
            text = file.expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Cannot read the auth file {file}: {exc}") from exc
        pairs = parse_credentials(text, f"The auth file {file}")
        if not pairs:
            raise ConfigError(f"The auth file {file} has no `user:password` line.")
        return pairs
    if env.get("RAG_UI_AUTH"):
        return parse_credentials(env["RAG_UI_AUTH"], "RAG_UI_AUTH")
    return ()


def load_ui_settings(
    host: str | None = None,
    port: int | None = None,
    auth_file: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> UiSettings:
    """Build and check: binding beyond this machine without a login is refused, with the reason."""
    env = os.environ if env is None else env
    host, port = listen_address(host, port, env, "RAG_UI", DEFAULT_PORT)
    auth = read_auth(auth_file, env)
    if not auth and not is_loopback(host):
        raise ConfigError(
            f"Refusing to serve on {host}: anyone who can reach this address could use the app and change "
            "the library. Set RAG_UI_AUTH=user:password (or RAG_UI_AUTH_FILE / --auth-file with user:password "
            f"lines), or bind to {DEFAULT_HOST}."
        )
    return UiSettings(host=host, port=port, auth=auth)
