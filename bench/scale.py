"""Indexing and answering at 1k, 10k and 100k chunks, embedded Chroma and a `chroma run` server (prints numbers).

Run: `.venv/bin/python bench/scale.py --sizes 1k,10k --modes embedded,server` (100k: about an
hour per mode on two cores). The corpora are GENERATED from templates: each article is a
templated lead ("The council of <invented town> approved a budget of <n> million euros for
<thing> ...") followed by two or three paragraphs drawn at random from the seed articles, so
the text is real news prose but the corpus is not a real news collection. They are written
under --work (default /tmp/newsrag_scale), never into the repository. The 50 questions ask
for the budget of invented towns, so the table also counts the answers that hold the number.

Per size and mode, each phase in its own process (so its peak RSS is its own):
index (a fresh store) next to raw embedding of the same chunks (sentence-transformers alone,
one `encode`), re-index of the unchanged corpus, then load (`Assistant.load` with the
embedding model already loaded; the model's own load is shown apart) and 50 questions,
warm: retrieval and answer p50/p95.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
CHUNKS_PER_ARTICLE = 2.2  # measured on this generator: 1,000 chunks take about 455 articles
_SYLLABLES = [
    "bar",
    "ket",
    "lin",
    "dor",
    "mos",
    "val",
    "ren",
    "tas",
    "pol",
    "gar",
    "fen",
    "hul",
    "wick",
    "nor",
    "sel",
    "dun",
    "ath",
    "bri",
    "cor",
    "mel",
]
_THINGS = ["schools", "roads", "the harbour", "bridges", "parks", "housing", "the hospital", "libraries", "buses"]
_FIRST = ["Anna", "Marek", "Lena", "Tomas", "Ines", "Pavel", "Sara", "Jonas", "Rita", "Oskar"]
_LAST = ["Varga", "Holm", "Brandt", "Novak", "Keller", "Sousa", "Lind", "Moreau", "Costa", "Weber"]


def town(i: int) -> str:
    """A distinct invented town name for every i below 8,000 x 4."""
    a, b, c = i % 20, (i // 20) % 20, (i // 400) % 20
    return (_SYLLABLES[a] + _SYLLABLES[b] + _SYLLABLES[c]).capitalize() + ["", "by", "ton", "ford"][i // 8000 % 4]


def generate(folder: Path, chunks: int, seed: int = 7) -> list[tuple[str, str]]:
    """Write about `chunks` chunks of templated articles; returns (question, expected number) pairs."""
    paragraphs = [
        p.strip()
        for f in sorted((REPO / "seeds").glob("*.txt"))
        for p in f.read_text(encoding="utf-8").split("\n\n")
        if len(p.split()) > 25
    ]
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    questions = []
    n_articles = round(chunks / CHUNKS_PER_ARTICLE)
    for i in range(n_articles):
        name, thing = town(i), _THINGS[i % len(_THINGS)]
        amount = rng.randint(2, 900)
        mayor = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        lead = (
            f"The council of {name} approved a budget of {amount} million euros for {thing} on Tuesday, "
            f"mayor {mayor} said. The vote was {rng.randint(10, 30)} to {rng.randint(1, 9)}."
        )
        # A closing sentence naming the town makes every paragraph, so every chunk, unique: the
        # pipeline embeds a repeated text once, and the ratio must not gain from repeats.
        body = "\n\n".join(f"{p} ({name} report, part {k}.)" for k, p in enumerate(rng.sample(paragraphs, 2)))
        text = f"date {day}\n{name} council approves {amount} million for {thing}\n\n{lead}\n\n{body}\n"
        (folder / f"a{i:06d}.txt").write_text(text, encoding="utf-8")
        questions.append((f"How much did the council of {name} approve for {thing}?", str(amount)))
    return questions


def _settings(index_dir: Path, url: str) -> object:
    from rag import load_settings

    return load_settings(env={}, index_dir=index_dir, chroma_url=url, llm="extractive")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_index(corpus: Path, index_dir: Path, url: str) -> dict:
    from rag.indexing import index_paths

    t0 = time.perf_counter()
    report = index_paths([corpus], _settings(index_dir, url), progress=False)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "chunks": report.chunks_written,
        "articles": len(report.added),
        "parts": report.seconds,
        "rss": _rss_mib(),
    }


def phase_raw(corpus: Path, sample: int) -> dict:
    """sentence-transformers alone on the same chunks (all, or the first `sample`), one `encode` call."""
    from rag.chunking import chunk_article
    from rag.config import Settings
    from rag.corpus import Article, load_article
    from rag.embedding import load_embedder

    settings = Settings()
    texts: list[str] = []
    for path in sorted(corpus.iterdir()):
        article = load_article(path, settings.max_article_mb)
        assert isinstance(article, Article)
        texts += [c.text for c in chunk_article(article, settings.chunk_size, settings.chunk_overlap)]
        if sample and len(texts) >= sample:
            break
    texts = texts[:sample] if sample else texts
    model = load_embedder(settings)._model  # the SentenceTransformer inside llama-index's wrapper
    t0 = time.perf_counter()
    model.encode(texts, batch_size=settings.embed_batch_size, normalize_embeddings=True, show_progress_bar=False)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "chunks": len(texts), "unique": len(set(texts)), "rss": _rss_mib()}


def phase_query(index_dir: Path, url: str, questions: list[tuple[str, str]]) -> dict:
    from rag import Assistant

    assistant = Assistant(_settings(index_dir, url))  # type: ignore[arg-type]
    t0 = time.perf_counter()
    assistant.embedder  # noqa: B018 - the model's own load, timed apart from the index's
    model_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    assistant.load()
    load_s = time.perf_counter() - t1
    rebuilt = bool(assistant._retriever and assistant._retriever.lexical_built)
    t2 = time.perf_counter()
    assistant.ask(questions[0][0])
    first_s = time.perf_counter() - t2
    retrieve, total, right = [], [], 0
    for question, number in questions:
        answer = assistant.ask(question)
        retrieve.append(answer.timings["retrieve"])
        total.append(answer.timings["total"])
        right += number in answer.answer
    return {
        "model_s": model_s,
        "load_s": load_s,
        "lexical_rebuilt": rebuilt,
        "first_question_s": first_s,
        "retrieve": retrieve,
        "total": total,
        "right": right,
        "rss": _rss_mib(),
    }


def _child(name: str, *args: str) -> dict:
    """Run one phase in a fresh process; it prints one JSON line last."""
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
    out = subprocess.run([sys.executable, __file__, "--phase", name, *args], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _start_server(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    chroma = Path(sys.executable).parent / "chroma"
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return server, f"http://127.0.0.1:{port}"
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("chroma run did not start within 30 s")


def _peak_rss_of(pid: int) -> float:
    """VmHWM of a running process (the Chroma server), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_one(size: str, mode: str, work: Path, n_questions: int, raw_sample: int) -> dict:
    corpus = work / f"corpus_{size}"
    questions_file = work / f"questions_{size}.json"
    if not questions_file.exists():
        shutil.rmtree(corpus, ignore_errors=True)
        questions_file.write_text(json.dumps(generate(corpus, SIZES[size])), encoding="utf-8")
    pairs = json.loads(questions_file.read_text(encoding="utf-8"))
    questions = random.Random(3).sample(pairs, min(n_questions, len(pairs)))
    index_dir = work / f"index_{size}_{mode}"
    shutil.rmtree(index_dir, ignore_errors=True)
    server, url = (None, "")
    if mode == "server":
        server, url = _start_server(work / f"server_{size}")
    try:
        index = _child("index", str(corpus), str(index_dir), url)
        raw = _child("raw", str(corpus), str(raw_sample))
        reindex = _child("index", str(corpus), str(index_dir), url)
        qfile = work / "questions_now.json"
        qfile.write_text(json.dumps(questions), encoding="utf-8")
        query = _child("query", str(index_dir), url, str(qfile))
        server_rss = _peak_rss_of(server.pid) if server else 0.0
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
            shutil.rmtree(work / f"server_{size}", ignore_errors=True)
    index_rate = index["chunks"] / index["seconds"]
    raw_rate = raw["chunks"] / raw["seconds"]
    return {
        "size": size,
        "mode": mode,
        "chunks": index["chunks"],
        "articles": index["articles"],
        "index_s": round(index["seconds"], 1),
        "index_parts_s": index["parts"],
        "index_chunks_per_s": round(index_rate, 1),
        "raw_chunks_per_s": round(raw_rate, 1),
        "raw_chunks": raw["chunks"],
        "raw_unique_chunks": raw["unique"],
        "ratio": round(index_rate / raw_rate, 2),
        "reindex_s": round(reindex["seconds"], 2),
        "reindex_written": reindex["chunks"],
        "model_load_s": round(query["model_s"], 2),
        "load_s": round(query["load_s"], 2),
        "lexical_rebuilt_at_load": query["lexical_rebuilt"],
        "first_question_s": round(query["first_question_s"], 3),
        "retrieve_p50_ms": round(1000 * statistics.median(query["retrieve"]), 1),
        "retrieve_p95_ms": round(1000 * _pct(query["retrieve"], 0.95), 1),
        "answer_p50_ms": round(1000 * statistics.median(query["total"]), 1),
        "answer_p95_ms": round(1000 * _pct(query["total"], 0.95), 1),
        "right": f"{query['right']}/{len(questions)}",
        "rss_index_mib": round(index["rss"]),
        "rss_query_mib": round(query["rss"]),
        "rss_server_mib": round(server_rss),
    }


def table(rows: list[dict]) -> str:
    head = (
        "| size | mode | chunks | index chunks/s | raw embed chunks/s | ratio | re-index unchanged (s) | "
        "load (s) | retrieve p50/p95 (ms) | answer p50/p95 (ms) | first question (s) | peak RSS index/query"
        "/server (MiB) | right |"
    )
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        sampled = "" if r["raw_chunks"] == r["chunks"] else f" ({r['raw_chunks']:,} sampled)"
        lines.append(
            f"| {r['size']} | {r['mode']} | {r['chunks']:,} | {r['index_chunks_per_s']} | {r['raw_chunks_per_s']}"
            f"{sampled} | {r['ratio']} | "
            f"{r['reindex_s']} | {r['load_s']} | {r['retrieve_p50_ms']} / {r['retrieve_p95_ms']} | "
            f"{r['answer_p50_ms']} / {r['answer_p95_ms']} | {r['first_question_s']} | "
            f"{r['rss_index_mib']} / {r['rss_query_mib']} / {r['rss_server_mib'] or '–'} | {r['right']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1k,10k")
    parser.add_argument("--modes", default="embedded,server")
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--raw-sample", type=int, default=0, help="embed only this many chunks for the raw rate")
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsrag_scale"))
    parser.add_argument("--json", type=Path, help="append each row as a JSON line here")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.phase:
        from rag.offline import go_offline

        go_offline()
        if args.phase == "index":
            result = phase_index(Path(rest[0]), Path(rest[1]), rest[2])
        elif args.phase == "raw":
            result = phase_raw(Path(rest[0]), int(rest[1]))
        else:
            result = phase_query(Path(rest[0]), rest[1], json.loads(Path(rest[2]).read_text(encoding="utf-8")))
        print(json.dumps(result))
        return
    rows = []
    for size in args.sizes.split(","):
        for mode in args.modes.split(","):
            row = run_one(size, mode, args.work, args.questions, args.raw_sample)
            rows.append(row)
            print(json.dumps(row), flush=True)
            if args.json:
                with args.json.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(row) + "\n")
    print(table(rows))


if __name__ == "__main__":
    main()
