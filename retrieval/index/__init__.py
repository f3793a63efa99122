"""The on-disk index: one directory, versions swapped in atomically.

The directory format (each file, the manifest's fields, when it is rebuilt) is in FORMAT.md here.

- `layout`: file names, the manifest and the fingerprint;
- `store`: versions, `CURRENT`, fsync, checksums, save and load;
- `dense`: which FAISS index, its search and the exact re-rank;
- `build`: building from a corpus with vector reuse, delta updates, and `ensure_index`;
- `segment`: one segment's files (texts blob, vectors, FAISS, BM25) and the version's term statistics;
- `core`: `SearchIndex`, the index in memory; `errors`: what can go wrong.

The BM25 side is `retrieval.lexical`. Callers import from here.
"""

from retrieval.index.build import (
    COMPACT_MIN_ROWS,
    COMPACT_SHARE,
    MAX_SEGMENTS,
    EnsureResult,
    VectorCache,
    assemble_index,
    build_index,
    delta_of,
    ensure_index,
    make_segment,
    update_index,
)
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
from retrieval.index.segment import DeltaLexical, ParagraphTable, Segment, VersionTerms
from retrieval.index.store import (
    CHECKSUM_MAX_BYTES,
    current_version,
    fsync_dir,
    load_current,
    load_version,
    save_index,
    verify_version,
)

__all__ = [
    "CHECKSUM_MAX_BYTES",
    "COMPACT_MIN_ROWS",
    "COMPACT_SHARE",
    "EXACT_SEARCH_MAX",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "HNSW_EF_SEARCH",
    "IVF_MIN_PROBES",
    "IVF_PROBE_SHARE",
    "IVF_RERANK",
    "IVF_TRAIN_PER_LIST",
    "MAX_SEGMENTS",
    "DeltaLexical",
    "EnsureResult",
    "IndexCorruptError",
    "IndexManifest",
    "IndexRefreshError",
    "ParagraphTable",
    "SearchIndex",
    "Segment",
    "VectorCache",
    "VersionTerms",
    "assemble_index",
    "build_faiss",
    "build_index",
    "build_ivf",
    "chunking",
    "current_version",
    "delta_of",
    "dense_search",
    "ensure_index",
    "fsync_dir",
    "index_fingerprint",
    "ivf_lists",
    "ivf_probes",
    "load_current",
    "load_version",
    "make_segment",
    "read_manifest",
    "save_index",
    "search_vectors",
    "set_search_depth",
    "update_index",
    "verify_version",
]
