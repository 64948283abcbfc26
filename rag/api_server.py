"""Run `rag serve`: load the assistant once, bind the address (a clear error if taken), serve with uvicorn."""

from __future__ import annotations

import socket
import sys
import time
from contextlib import closing

from rag.assistant import Assistant
from rag.config import Settings
from rag.errors import ConfigError
from rag.openai_api import create_api, model_id
from rag.serving import ApiSettings, usable_modes


def bind(host: str, port: int) -> socket.socket:
    """Bind before starting uvicorn: it would only log a taken port and exit, with no message of ours."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"Cannot listen on {host}:{port} ({exc.strerror or exc}). Is another server using that port? "
            "Pick another with --port."
        ) from exc
    # Listening now, so a client that connects as soon as "Ready" is printed waits in the backlog
    # until uvicorn's loop accepts, instead of being refused on a busy machine.
    sock.listen(128)
    return sock


def serve(settings: Settings, api: ApiSettings) -> int:
    """Load, serve until Ctrl-C, then stop what the assistant started (a local model server)."""
    import uvicorn

    started = time.perf_counter()
    print("Loading models and the index...", file=sys.stderr, flush=True)
    with closing(Assistant(settings)) as assistant:
        assistant.load()
        sock = bind(api.host, api.port)
        app = create_api(assistant, api.api_key)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        host = f"[{api.host}]" if ":" in api.host else api.host
        key = "; callers must send Authorization: Bearer <key>" if api.api_key else ""
        models = ", ".join(model_id(mode) for mode in usable_modes(settings))
        print(
            f"Ready in {time.perf_counter() - started:.1f} s: http://{host}:{sock.getsockname()[1]}/v1 "
            f"(models: {models}){key}  (Ctrl-C to stop)",
            file=sys.stderr,
            flush=True,
        )
        server.run(sockets=[sock])
    return 0
