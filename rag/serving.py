"""What every server over the Assistant shares: who may connect, and which answering modes it offers.

The rule is the web app's: serving beyond this machine needs a credential, and a server
started in extractive mode offers nothing else. `rag serve` (the OpenAI-compatible API) reads
its address and key here, from flags and `RAG_API_*` env vars; the web app (`ui.settings`)
uses the same loopback test.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rag.config import Settings
from rag.errors import ConfigError
from rag.llm_backend import local_model_available, resolve_mode

DEFAULT_HOST = "127.0.0.1"
DEFAULT_API_PORT = 8080
LOOPBACK_NAMES = ("localhost", "localhost.localdomain")


def is_loopback(host: str) -> bool:
    """True when only this machine can connect (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name that may resolve anywhere: treat as exposed


def listen_address(
    host: str | None, port: int | None, env: Mapping[str, str], prefix: str, default_port: int
) -> tuple[str, int]:
    """Flag > `{prefix}_HOST` / `{prefix}_PORT` > default, with the port checked (the UI and the API)."""
    host = host or env.get(f"{prefix}_HOST") or DEFAULT_HOST
    try:
        number = int(port or env.get(f"{prefix}_PORT") or default_port)
    except ValueError as exc:
        raise ConfigError(f"{prefix}_PORT must be a port number, got {env.get(f'{prefix}_PORT')!r}.") from exc
    if not 0 < number < 65536:
        raise ConfigError(f"Port {number} is out of range (1-65535).")
    return host, number


def usable_modes(settings: Settings) -> list[str]:
    """The answering modes that can run here: extractive always, an LLM only when it can answer.

    A server started in extractive mode (`--mode extractive`, RAG_LLM=extractive) offers nothing
    else: whoever started it chose not to run a model, and no caller may start one.
    """
    modes = ["extractive"]
    if settings.llm == "extractive":
        return modes
    if local_model_available(settings):
        modes.append("local")
    if settings.llm_base_url and settings.llm_model:
        modes.append("hosted")
    return modes


def default_mode(settings: Settings) -> str:
    """The configured mode (`auto` resolved) when it can answer here, else extractive."""
    wanted = resolve_mode(settings)
    return wanted if wanted in usable_modes(settings) else "extractive"


@dataclass(frozen=True)
class ApiSettings:
    """Where `rag serve` listens and the key callers must send (`Authorization: Bearer KEY`); "" for none."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_API_PORT
    api_key: str = field(default="", repr=False)


def load_api_settings(
    host: str | None = None,
    port: int | None = None,
    api_key_file: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> ApiSettings:
    """Flags > `RAG_API_HOST` / `RAG_API_PORT` / `RAG_API_KEY_FILE` / `RAG_API_KEY` > defaults; refuses an
    address beyond this machine without a key, saying why."""
    env = os.environ if env is None else env
    host, port = listen_address(host, port, env, "RAG_API", DEFAULT_API_PORT)
    key = _read_key(api_key_file or (Path(env["RAG_API_KEY_FILE"]) if env.get("RAG_API_KEY_FILE") else None), env)
    if not key and not is_loopback(host):
        raise ConfigError(
            f"Refusing to serve on {host}: anyone who can reach this address could use the API. Set "
            "RAG_API_KEY=<a long random key> (or RAG_API_KEY_FILE / --api-key-file holding it); callers then send "
            f"`Authorization: Bearer <key>`. Or bind to {DEFAULT_HOST}."
        )
    return ApiSettings(host=host, port=port, api_key=key)


def _read_key(key_file: Path | None, env: Mapping[str, str]) -> str:
    if key_file is None:
        return env.get("RAG_API_KEY", "").strip()
    try:
        key = key_file.expanduser().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the API key file {key_file}: {exc}") from exc
    if not key or "\n" in key:
        raise ConfigError(f"The API key file {key_file} must hold the key alone, on one line.")
    return key
