"""Run the bundled GGUF model behind llama.cpp's OpenAI-compatible HTTP server on 127.0.0.1.

The server lives in a child process (`python -m rag.llm_server`), not in the app's own
process, for two reasons: a crash inside llama.cpp cannot take the app down with it
(the app falls back to the extractive answer), and the local backend then talks to the
model over exactly the same HTTP client path as a hosted endpoint. Only `xllamacpp` is
imported in the child, so it starts in well under a second before the model loads.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import ModelMissingError, RagError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop_with_parent(stop: threading.Event) -> None:
    """Set `stop` once the app that started this server is gone (this process is re-parented).

    Not PR_SET_PDEATHSIG: that fires when the *thread* that started the child ends, and the
    app starts the server from whichever thread asks first (a UI's worker threads come and go).
    """
    parent = os.getppid()
    while not stop.wait(1.0):
        if os.getppid() != parent:
            stop.set()


@dataclass
class LocalServer:
    """A started model server: its base URL (OpenAI style, ending in /v1) and its process."""

    model_path: Path
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    started_seconds: float = 0.0
    _stopped: bool = field(default=False, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def peak_rss_mib(self) -> float:
        """The server's peak resident memory so far (VmHWM), for benchmarks."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0


def start_server(
    model_path: Path,
    *,
    threads: int = 2,
    n_ctx: int = 4096,
    port: int | None = None,
    log_path: Path | None = None,
    ready_timeout: float = 180.0,
) -> LocalServer:
    """Start the server and wait until it answers `/v1/models`; a clear error if it never does."""
    port = port or free_port()
    log_path = log_path or Path(os.environ.get("TMPDIR", "/tmp")) / f"newsrag-llm-{port}.log"
    cmd = [
        sys.executable,
        "-m",
        "rag.llm_server",
        "--model",
        str(model_path),
        "--port",
        str(port),
        "--threads",
        str(threads),
        "--ctx",
        str(n_ctx),
    ]
    started = time.perf_counter()
    log = log_path.open("wb")
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    server = LocalServer(model_path=model_path, port=port, process=process, log_path=log_path)
    atexit.register(server.stop)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-1500:]
            raise RagError(f"The local model server exited with code {process.returncode} while loading:\n{tail}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/models", timeout=2) as response:
                if response.status == 200:
                    server.started_seconds = time.perf_counter() - started
                    return server
        except (urllib.error.URLError, OSError, TimeoutError):
            pass
        time.sleep(0.2)
    server.stop()
    raise RagError(f"The local model server did not become ready within {ready_timeout:.0f} s; see {log_path}.")


def serve(model: Path, port: int, threads: int, n_ctx: int) -> None:
    """Child-process entry: load the model, serve until SIGTERM."""
    try:
        import xllamacpp as xlc
    except ImportError as exc:
        raise ModelMissingError('xllamacpp is not installed; install it with: pip install -e ".[local-llm]"') from exc
    params = xlc.CommonParams()
    params.model.path = str(model)
    params.n_ctx = n_ctx
    params.n_parallel = 1  # one slot: the whole context for one answer, prompt cache reused across calls
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.offline = True
    params.ui = False
    params.warmup = True
    server = xlc.Server(params)
    print(json.dumps({"ready": True, "address": str(server.listening_address)}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=_stop_with_parent, args=(stop,), daemon=True).start()
    stop.wait()
    # Leaving without llama.cpp's teardown: the process is going away, and the OS frees the model.
    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a GGUF model on 127.0.0.1 (OpenAI-compatible API).")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ctx", type=int, default=4096)
    args = parser.parse_args(argv)
    serve(args.model, args.port, args.threads, args.ctx)


if __name__ == "__main__":
    main()
