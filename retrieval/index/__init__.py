"""The on-disk index: one directory, versions swapped in atomically.

The directory format (each file, the manifest's fields, when it is rebuilt) is in FORMAT.md here.

- `layout`: file names, the manifest and the fingerprint;
- `store`: versions, `CURRENT`, fsync, checksums, save and load;
- `dense`: which FAISS index, its search and the exact re-rank;
- `build`: building from a corpus with vector reuse, and `ensure_index`;
- `core`: `SearchIndex`, the index in memory; `errors`: what can go wrong.

The BM25 side is `retrieval.lexical`. Callers import from here.
"""

from retrieval.index.build import EnsureResult, VectorCache, assemble_index, build_index, ensure_index
from retrieval.index.core import SearchIndex
from retrieval.index.dense import (
    EXACT_SEARCH_MAX,
    HNSW_EF_SEARCH,
    IVF_MIN_PROBES,
    IVF_PROBE_SHARE,
    IVF_RERANK,
    IVF_TRAIN_PER_LIST,
    build_faiss,
    build_ivf,
    dense_search,
    ivf_lists,
    ivf_probes,
    search_vectors,
    set_search_depth,
)
from retrieval.index.errors import IndexCorruptError, IndexRefreshError
from retrieval.index.layout import (
    FORMAT_NAME,
    FORMAT_VERSION,
    IndexManifest,
    chunking,
    index_fingerprint,
    read_manifest,
)
from retrieval.index.store import (
    CHECKSUM_MAX_BYTES,
    current_version,
    fsync_dir,
    load_current,
    load_version,
    save_index,
)

__all__ = [
    "CHECKSUM_MAX_BYTES",
    "EXACT_SEARCH_MAX",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "HNSW_EF_SEARCH",
    "IVF_MIN_PROBES",
    "IVF_PROBE_SHARE",
    "IVF_RERANK",
    "IVF_TRAIN_PER_LIST",
    "EnsureResult",
    "IndexCorruptError",
    "IndexManifest",
    "IndexRefreshError",
    "SearchIndex",
    "VectorCache",
    "assemble_index",
    "build_faiss",
    "build_index",
    "build_ivf",
    "chunking",
    "current_version",
    "dense_search",
    "ensure_index",
    "fsync_dir",
    "index_fingerprint",
    "ivf_lists",
    "ivf_probes",
    "load_current",
    "load_version",
    "read_manifest",
    "save_index",
    "search_vectors",
    "set_search_depth",
]
