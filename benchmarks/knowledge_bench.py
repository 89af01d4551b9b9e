"""Knowledge pipeline: index N chunks, then retrievals; chunks/s, latency, peak RSS.

Two modes, each in a fresh process:

- ``minilm`` (ascope_nb): the embedded all-MiniLM-L6-v2 (numpy) + Qdrant in memory, the
  default offline pipeline end to end;
- ``hash`` (ascope_nb and, with ``--agentscope``, AgentScope 1.0.21 in
  ``benchmarks/.venv-agentscope``): the same deterministic numpy hash embedding in both, so
  the ratio measures the pipelines (``SimpleKnowledge`` + ``QdrantStore``), not the model.

Example:
    $ python benchmarks/knowledge_bench.py --chunks 10000
    $ python benchmarks/knowledge_bench.py --chunks 2000 --agentscope
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIDE = r"""
import asyncio, hashlib, json, resource, sys, time
import numpy as np
pkg, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
emb = __import__(pkg + ".embedding", fromlist=["x"])
rag = __import__(pkg + ".rag", fromlist=["x"])

class HashEmbedding(emb.EmbeddingModelBase):
    supported_modalities = ["text"]
    def __init__(self):
        super().__init__("hash", 384)
    async def __call__(self, text, **kwargs):
        out = []
        for t in text:
            t = t["text"] if isinstance(t, dict) else t
            seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(384)
            out.append((v / np.linalg.norm(v)).tolist())
        return emb.EmbeddingResponse(embeddings=out)

WORDS = ("agent tool memory model store event run chunk vector query answer notebook "
         "widget export trace step reply hint steer approve").split()
texts = [" ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(40)) + f" #{i}" for i in range(n)]

async def main():
    model = HashEmbedding() if mode == "hash" else emb.LocalTextEmbedding(batch_size=64)
    kb = rag.SimpleKnowledge(
        embedding_store=rag.QdrantStore(location=":memory:", collection_name="b", dimensions=384),
        embedding_model=model)
    docs = [rag.Document(metadata=rag.DocMetadata(content={"type": "text", "text": t},
            doc_id=f"d{i}", chunk_id=0, total_chunks=1)) for i, t in enumerate(texts)]
    started = time.perf_counter()
    for i in range(0, n, 500):
        await kb.add_documents(docs[i:i + 500])
    index_s = time.perf_counter() - started
    await kb.retrieve(texts[0], limit=5)  # warm
    times = []
    for k in range(21):
        started = time.perf_counter()
        found = await kb.retrieve(texts[(n // 2 + k) % n], limit=5)
        times.append((time.perf_counter() - started) * 1000)
    query_ms = sorted(times)[10]  # median of 21
    found = await kb.retrieve(texts[n // 2], limit=5)
    assert found and found[0].metadata.content["text"] == texts[n // 2]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"index_s": index_s, "chunks_per_s": n / index_s, "query_ms": query_ms,
                      "peak_rss_mb": rss}))

asyncio.run(main())
"""


def run_side(python: str, pkg: str, mode: str, n: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    # cwd: ``python -c`` puts the working directory first on sys.path, before PYTHONPATH, so
    # a run from another checkout would otherwise import that checkout's ascope_nb
    out = subprocess.run(
        [python, "-c", SIDE, pkg, mode, str(n)],
        capture_output=True,
        text=True,
        env=env,
        cwd=HERE.parent,
    )
    if out.returncode != 0:
        raise SystemExit(f"{pkg} {mode} failed:\n{out.stderr[-2000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--agentscope", action="store_true", help="also AgentScope 1.0.21 (hash)")
    parser.add_argument("--venv", type=Path, default=HERE / ".venv-agentscope")
    parser.add_argument("--no-minilm", action="store_true", help="skip the embedded-model row")
    args = parser.parse_args(argv)
    rows = [("ascope_nb", "hash", sys.executable)]
    if not args.no_minilm:
        rows.insert(0, ("ascope_nb", "minilm", sys.executable))
    if args.agentscope:
        from core_bench import agentscope_python  # installs AgentScope into the venv once

        python = str(agentscope_python(args.venv))
        subprocess.run([python, "-m", "pip", "install", "-q", "qdrant-client"], check=True)
        rows.append(("agentscope", "hash", python))
    results = {}
    print(f"{args.chunks} chunks; query = median of 21 retrievals (limit 5); Qdrant in memory")
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(
        f"{'framework':<11} {'embedding':<9} {'chunks/s':>10} {'index s':>9} {'query ms':>9} {'RSS MB':>8}"
    )
    for pkg, mode, python in rows:
        r = run_side(python, pkg, mode, args.chunks)
        results[(pkg, mode)] = r
        print(
            f"{pkg:<11} {mode:<9} {r['chunks_per_s']:>10.0f} {r['index_s']:>9.2f} "
            f"{r['query_ms']:>9.1f} {r['peak_rss_mb']:>8.0f}"
        )
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if ("agentscope", "hash") in results:
        ours, theirs = results[("ascope_nb", "hash")], results[("agentscope", "hash")]
        print(
            f"ratio ascope_nb/AgentScope (hash): indexing speed "
            f"{ours['chunks_per_s'] / theirs['chunks_per_s']:.2f}x, query latency "
            f"{ours['query_ms'] / theirs['query_ms']:.2f}x"
        )


if __name__ == "__main__":
    main()
