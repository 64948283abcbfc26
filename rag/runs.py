"""Writer leases and the index generation, kept in a small `<collection>_meta` Chroma collection.

Why leases: a crashed run leaves uncommitted chunks that the next run's repair deletes, but
a *running* writer's chunks look exactly the same until it commits. Every writer therefore
tags its chunks with its run id and keeps a lease record here, renewed by a heartbeat; repair
spares the chunks of any run whose lease is live. On one machine a run whose process is gone
is dead at once (so `kill -9` then `rag index` repairs immediately); a run on another machine
(Chroma server mode) is dead when its heartbeat is older than `LEASE_SECONDS`, which assumes
the machines' clocks agree to within that margin.

Why a generation: a long-lived reader (the UI) must notice that another process changed the
index. Every commit writes a new random token; a reader compares tokens (one get by id), so
two writers committing at once can never make a change look like no change.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

HEARTBEAT_SECONDS = 10.0
LEASE_SECONDS = 120.0
_GENERATION_ID = "generation"
_RUN_PREFIX = "run:"
_NO_VECTOR = [1.0]  # records carry no meaningful vector; Chroma would fetch a model to compute one


def new_run_id() -> str:
    return uuid.uuid4().hex[:16]


def _host() -> str:
    return socket.gethostname()


def renew_lease(meta: Collection, run_id: str) -> None:
    """Start or renew this process's lease for `run_id`."""
    meta.upsert(
        ids=[_RUN_PREFIX + run_id],
        embeddings=[_NO_VECTOR],
        metadatas=[{"kind": "run", "host": _host(), "pid": os.getpid(), "heartbeat": time.time()}],
    )


def end_lease(meta: Collection, run_id: str) -> None:
    meta.delete(ids=[_RUN_PREFIX + run_id])


def live_runs(meta: Collection, now: float | None = None) -> set[str]:
    """Run ids whose writer may still be writing; the leases of dead runs are deleted."""
    now = time.time() if now is None else now
    got = meta.get(where={"kind": "run"}, include=["metadatas"])
    live, dead = set(), []
    for record_id, lease in zip(got["ids"], got["metadatas"] or [], strict=True):
        if _is_live(lease, now):
            live.add(record_id.removeprefix(_RUN_PREFIX))
        else:
            dead.append(record_id)
    if dead:
        meta.delete(ids=dead)
    return live


def _is_live(lease: dict, now: float) -> bool:
    if now - float(lease.get("heartbeat", 0.0)) > LEASE_SECONDS:
        return False
    if lease.get("host") != _host():
        return True
    try:
        os.kill(int(lease.get("pid", 0)), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True  # another user's process, or a record we cannot read: be safe, spare it
    return True


def bump_generation(meta: Collection) -> None:
    """Record that the committed articles changed (after every commit, removal and reset)."""
    current = read_generation(meta)
    count = int(current.split("-")[0]) + 1 if current else 1
    meta.upsert(
        ids=[_GENERATION_ID],
        embeddings=[_NO_VECTOR],
        metadatas=[{"kind": "generation", "generation": f"{count}-{uuid.uuid4().hex[:12]}"}],
    )


def read_generation(meta: Collection) -> str:
    """`<count>-<token>`: compare for equality; the count is for people reading logs."""
    got = meta.get(ids=[_GENERATION_ID], include=["metadatas"])
    metas = got["metadatas"] or []
    return str(metas[0]["generation"]) if metas else ""
