"""The dense side: which FAISS index a corpus gets, how it is searched, and the exact re-rank."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import faiss
import numpy as np

if TYPE_CHECKING:
    from retrieval.index.core import SearchIndex
    from retrieval.index.segment import FileRows

# Dense index by corpus size, chosen from `make bench` (README, "Benchmarks"; 2 cores, one search
# thread per question):
# - up to EXACT_SEARCH_MAX paragraphs, exact search: ~0.13 ms per 1,000 paragraphs, recall 1.
# - above it, IVF over 8-bit scalar-quantised vectors; its IVF_RERANK best are re-scored exactly from
#   the stored float vectors. Recall against exact search follows the number of lists probed: at 1M
#   (4,096 lists) 128 gave 0.953 at 6.0 ms, 192 gave 0.969 at 7.8 ms, 256 gave 0.982 at 9.9 ms; at
#   100k (1,024 lists) 128 gave 0.962 and 192 0.976 at 3.0 ms. Hence IVF_MIN_PROBES, and the same
#   share (3/64) of the lists on larger corpora.
# HNSW (M 32) was as fast at 100k, but reached only 0.90 recall at 1M with efSearch 512 on the same
# vectors and took 8 minutes to build there (IVF: ~3.3 minutes).
EXACT_SEARCH_MAX = 20_000
IVF_MIN_PROBES = 192
IVF_PROBE_SHARE = 3 / 64
IVF_RERANK = 100
IVF_TRAIN_PER_LIST = 64
# Kept so that indexes built by earlier versions still load with their tuned search depth.
HNSW_EF_SEARCH = 256


def ivf_lists(paragraphs: int) -> int:
    """Inverted lists for an IVF index: the power of two nearest 4·sqrt(n), at least 256."""
    target = 4 * max(paragraphs, 1) ** 0.5
    return max(256, 2 ** round(np.log2(target)))


def ivf_probes(lists: int) -> int:
    """Lists searched per query (see IVF_MIN_PROBES)."""
    return min(lists, max(int(lists * IVF_PROBE_SHARE), IVF_MIN_PROBES))


def build_faiss(vectors: np.ndarray) -> tuple[faiss.Index, str]:
    """Exact inner-product search for small corpora, IVF + 8-bit vectors above EXACT_SEARCH_MAX."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) > EXACT_SEARCH_MAX:
        return build_ivf(vectors), "ivf-sq8"
    flat = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        flat.add(vectors)
    return flat, "flat"


def build_ivf(vectors: np.ndarray) -> faiss.Index:
    """IVF over 8-bit scalar-quantised vectors, trained on a fixed sample (reproducible builds)."""
    dim = vectors.shape[1]
    lists = ivf_lists(len(vectors))
    ivf = faiss.IndexIVFScalarQuantizer(
        faiss.IndexFlatIP(dim), dim, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    sample_size = min(len(vectors), IVF_TRAIN_PER_LIST * lists)  # k-means needs ~64 points per list
    ivf.train(vectors[np.sort(np.random.default_rng(0).choice(len(vectors), sample_size, replace=False))])
    ivf.add(vectors)
    set_search_depth(ivf, "ivf-sq8")
    return ivf


@contextmanager
def _one_search_thread() -> Iterator[None]:
    """One OpenMP thread for a single question's search (a per-thread setting in OpenMP).

    Two threads made one exact search at 100k three times slower while the other core was busy
    (spinning threads wait on each other); the bot answers questions in parallel instead.
    """
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def set_search_depth(dense: faiss.Index, faiss_type: str) -> None:
    """Search parameters are not stored in FAISS files; set them after every load."""
    if faiss_type == "hnsw":
        faiss.downcast_index(dense).hnsw.efSearch = HNSW_EF_SEARCH  # type: ignore[attr-defined]
    elif faiss_type == "ivf-sq8":
        ivf = faiss.extract_index_ivf(dense)
        ivf.nprobe = ivf_probes(ivf.nlist)


def dense_search(index: SearchIndex, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k paragraph rows and their exact cosines."""
    approximate = index.manifest.faiss_type != "flat"
    return search_vectors(index.dense, index.paragraph_vectors, vector, k, approximate=approximate)


def search_vectors(
    dense: faiss.Index, vectors: np.ndarray | FileRows, vector: np.ndarray, k: int, *, approximate: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Search `dense`; an approximate index's IVF_RERANK best are re-scored from the float `vectors`
    (an array, or a saved segment's vector file read by row)."""
    query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
    with _one_search_thread():
        if not approximate:
            scores, ids = dense.search(query, k)
            keep = ids[0] >= 0
            return ids[0][keep], scores[0][keep]
        _, ids = dense.search(query, max(k, IVF_RERANK))
    rows = np.sort(ids[0][ids[0] >= 0])  # in order: kind to memory-mapped vectors
    exact = np.asarray(vectors[rows], dtype=np.float32) @ query[0]
    order = np.argsort(-exact, kind="stable")[:k]
    return rows[order], exact[order]
