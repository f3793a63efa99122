"""The on-disk index: one directory, versions swapped in atomically.

Layout (documented in README, "Index format")::

    INDEX_DIR/
      CURRENT                 name of the live version, replaced atomically
      v-<time>-<fp8>/         one complete, immutable version
        corpus.json           articles' references, paragraphs, sentence spans, text hashes
        paragraph_vectors.npy float32 [paragraphs, dim], L2-normalised
        sentence_vectors.npy  float32 [sentences, dim], L2-normalised
        dense.faiss           FAISS index over paragraph vectors (flat, or IVF + 8-bit above 20k)
        lexical/              bm25s index over stemmed paragraph terms
        manifest.json         written last: format version, fingerprint, parameters, file sizes + sha256

A version is written into a temporary folder (every file fsynced), renamed into
place, and only then named in CURRENT. A reader therefore sees the old version
or the new one, never half of one. A version whose files do not match its
manifest is treated as missing and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from config.errors import BeritaQAError
from retrieval.corpus import Article, ArticleMeta, Paragraph, Sentence, corpus_fingerprint
from retrieval.embedding import Embedder, EmbedderError
from retrieval.lexical import LexicalIndex
from retrieval.text import lexical_rules, sentence_rules

log = logging.getLogger(__name__)

FORMAT_NAME = "berita-qa-index"
FORMAT_VERSION = 1
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
CHECKSUM_MAX_BYTES = 256 * 1024 * 1024


def chunking() -> dict[str, str]:
    """How texts became paragraphs, sentences and BM25 terms. Recorded in the manifest and part of
    the fingerprint, so a changed word list rebuilds the index (vectors of unchanged texts reused)."""
    return {"unit": "paragraph", "sentences": sentence_rules(), "lexical": lexical_rules()}


class IndexCorruptError(BeritaQAError, RuntimeError):
    """An index version exists but cannot be trusted."""


class IndexRefreshError(BeritaQAError, RuntimeError):
    """A new index version could not be built or saved (disk full, read-only folder, embedding failure).

    `built` is the new index when only saving failed: it is complete and can be served from memory.
    `previous` is the live version on disk, already loaded (None when there was none or it was damaged).
    `cause` is the underlying error (an `OSError` carries the errno: ENOSPC, EROFS, …).
    """

    def __init__(
        self,
        message: str,
        cause: BaseException,
        *,
        built: SearchIndex | None = None,
        previous: SearchIndex | None = None,
    ) -> None:
        super().__init__(message)
        self.cause = cause
        self.built = built
        self.previous = previous


@dataclass(frozen=True)
class IndexManifest:
    """The small JSON file that describes one index version."""

    fingerprint: str
    corpus_fingerprint: str
    embedder: str
    dim: int
    faiss_type: str
    paragraphs: int
    sentences: int
    articles: int
    chunking: dict[str, str]
    files: dict[str, dict[str, Any]]
    created: float
    format: str = FORMAT_NAME
    version: int = FORMAT_VERSION
    answer_model: str = ""  # the answer model shipped when this version was built ("" before it existed)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> IndexManifest:
        data = json.loads(text)
        if data.get("format") != FORMAT_NAME or data.get("version") != FORMAT_VERSION:
            raise IndexCorruptError(f"unsupported index format {data.get('format')!r} v{data.get('version')!r}")
        try:
            return cls(**data)
        except TypeError as exc:
            raise IndexCorruptError(f"manifest has unexpected fields: {exc}") from exc


@dataclass
class SearchIndex:
    """Everything search needs, loaded in memory."""

    manifest: IndexManifest
    articles: dict[str, ArticleMeta]
    paragraphs: list[Paragraph]
    sentence_offsets: np.ndarray  # paragraph i's sentences are rows offsets[i]:offsets[i+1]
    paragraph_vectors: np.ndarray
    sentence_vectors: np.ndarray
    dense: faiss.Index
    lexical: LexicalIndex
    text_hashes: list[str] = field(default_factory=list)  # per paragraph, for vector reuse
    path: Path | None = None
    embedded_texts: int = 0  # how many texts the build that made this object had to embed

    def sentence_rows(self, paragraph: int) -> range:
        return range(int(self.sentence_offsets[paragraph]), int(self.sentence_offsets[paragraph + 1]))


def index_fingerprint(corpus_fp: str, embedder_name: str) -> str:
    payload = json.dumps(
        {"corpus": corpus_fp, "embedder": embedder_name, "chunking": chunking(), "version": FORMAT_VERSION},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    fsync_dir(root)


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (renames, new files) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    dense: faiss.Index, vectors: np.ndarray, vector: np.ndarray, k: int, *, approximate: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Search `dense`; an approximate index's IVF_RERANK best are re-scored from the float `vectors`."""
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


# --- building ---------------------------------------------------------------------


class VectorCache:
    """Vectors of texts already embedded by the same model, found by content hash."""

    def __init__(self, embedder_name: str) -> None:
        self.embedder_name = embedder_name
        self._vectors: dict[str, np.ndarray] = {}

    def absorb(self, index: SearchIndex | None) -> None:
        """Remember the vectors of a previous index built with the same model."""
        if index is None or index.manifest.embedder != self.embedder_name:
            return
        for i, paragraph in enumerate(index.paragraphs):
            self._vectors[_text_hash(paragraph.text)] = index.paragraph_vectors[i]
            for row in index.sentence_rows(i):
                s = paragraph.sentences[row - index.sentence_rows(i).start]
                self._vectors[_text_hash(paragraph.text[s.start : s.end])] = index.sentence_vectors[row]

    def embed(self, embedder: Embedder, texts: Sequence[str], progress: Callable[[int], None]) -> np.ndarray:
        """Vectors for `texts`, embedding only those not seen before. Returns [len(texts), dim]."""
        hashes = [_text_hash(t) for t in texts]
        missing = sorted({h: t for h, t in zip(hashes, texts, strict=True) if h not in self._vectors}.items())
        if missing:
            fresh = embedder.embed_passages([t for _, t in missing], progress=progress)
            for (h, _), vector in zip(missing, fresh, strict=True):
                self._vectors[h] = vector
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.vstack([self._vectors[h] for h in hashes]).astype(np.float32)

    def count_missing(self, texts: Sequence[str]) -> int:
        return len({_text_hash(t) for t in texts} - self._vectors.keys())


def _progress_bar(total: int, enabled: bool) -> tuple[Callable[[int], None], Callable[[], None]]:
    if not enabled or total == 0:
        return (lambda _n: None), (lambda: None)
    from tqdm import tqdm

    bar = tqdm(total=total, desc="Embedding", unit="teks", file=sys.stderr, leave=False)
    return bar.update, bar.close


def build_index(
    articles: Sequence[Article],
    embedder: Embedder,
    *,
    previous: SearchIndex | None = None,
    show_progress: bool = True,
) -> SearchIndex:
    """Embed and index the articles, reusing vectors from `previous` where texts are unchanged."""
    paragraphs = [p for a in articles for p in a.paragraphs]
    sentence_texts = [p.sentence_text(i) for p in paragraphs for i in range(len(p.sentences))]
    offsets = np.zeros(len(paragraphs) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(p.sentences) for p in paragraphs])
    cache = VectorCache(embedder.name)
    cache.absorb(previous)
    paragraph_texts = [p.text for p in paragraphs]
    todo = cache.count_missing(paragraph_texts + sentence_texts)
    update, close = _progress_bar(todo, show_progress)
    try:
        paragraph_vectors = cache.embed(embedder, paragraph_texts, update)
        sentence_vectors = cache.embed(embedder, sentence_texts, update)
    finally:
        close()
    dense, kind = build_faiss(paragraph_vectors)
    lexical = LexicalIndex.build(paragraph_texts)
    corpus_fp = corpus_fingerprint(articles)
    manifest = IndexManifest(
        fingerprint=index_fingerprint(corpus_fp, embedder.name),
        corpus_fingerprint=corpus_fp,
        embedder=embedder.name,
        dim=embedder.dim,
        faiss_type=kind,
        paragraphs=len(paragraphs),
        sentences=len(sentence_texts),
        articles=len(articles),
        chunking=chunking(),
        files={},
        created=time.time(),
        answer_model=_shipped_answer_model(),
    )
    log.info("built index: %d articles, %d paragraphs, %d texts embedded", len(articles), len(paragraphs), todo)
    return SearchIndex(
        manifest=manifest,
        articles={a.article_id: a.meta for a in articles},
        paragraphs=paragraphs,
        sentence_offsets=offsets,
        paragraph_vectors=paragraph_vectors,
        sentence_vectors=sentence_vectors,
        dense=dense,
        lexical=lexical,
        text_hashes=[_text_hash(t) for t in paragraph_texts],
        embedded_texts=todo,
    )


def _shipped_answer_model() -> str:
    """Name of the answer model file next to the code, recorded in the manifest ("" when unusable)."""
    from retrieval.answer_model import AnswerModel, AnswerModelError

    try:
        return AnswerModel.load().name
    except AnswerModelError:
        return ""


# --- saving and loading ------------------------------------------------------------


def _corpus_json(index: SearchIndex) -> dict[str, Any]:
    return {
        "articles": [asdict(meta) for meta in index.articles.values()],
        "paragraphs": [
            {
                "article_id": p.article_id,
                "number": p.number,
                "heading": p.heading,
                "text": p.text,
                "sentences": [[s.start, s.end] for s in p.sentences],
            }
            for p in index.paragraphs
        ],
    }


def _write_version(index: SearchIndex, target: Path) -> IndexManifest:
    """Write every file of a version into `target` (a fresh folder), the manifest last."""
    (target / "corpus.json").write_text(json.dumps(_corpus_json(index), ensure_ascii=False), encoding="utf-8")
    np.save(target / "paragraph_vectors.npy", index.paragraph_vectors)
    np.save(target / "sentence_vectors.npy", index.sentence_vectors)
    faiss.write_index(index.dense, str(target / "dense.faiss"))
    index.lexical.save(target / "lexical")
    files = {
        str(path.relative_to(target)): {"bytes": path.stat().st_size, "sha256": _sha256(path)}
        for path in sorted(target.rglob("*"))
        if path.is_file()
    }
    manifest = IndexManifest(**{**asdict(index.manifest), "files": files})
    _fsync_tree(target)
    manifest_tmp = target / "manifest.json.tmp"
    manifest_tmp.write_text(manifest.to_json(), encoding="utf-8")
    with manifest_tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(manifest_tmp, target / "manifest.json")
    fsync_dir(target)
    return manifest


def save_index(index: SearchIndex, index_dir: Path, *, keep: int = 2) -> Path:
    """Write `index` as a new version and make it current. Returns the version's path."""
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"v-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 10**9:09d}-{index.manifest.fingerprint[:8]}"
    staging = index_dir / f".tmp-{name}"
    staging.mkdir()
    try:
        index.manifest = _write_version(index, staging)
        final = index_dir / name
        os.replace(staging, final)
        fsync_dir(index_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    pointer_tmp = index_dir / "CURRENT.tmp"
    pointer_tmp.write_text(name + "\n", encoding="utf-8")
    with pointer_tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer_tmp, index_dir / "CURRENT")
    fsync_dir(index_dir)
    index.path = final
    _prune(index_dir, keep=keep, current=name)
    return final


def _prune(index_dir: Path, *, keep: int, current: str) -> None:
    """Drop old versions and abandoned temporary folders (a crashed writer's)."""
    versions = sorted((p for p in index_dir.glob("v-*") if p.is_dir()), key=lambda p: p.name)
    stale = [p for p in versions if p.name != current][: max(0, len(versions) - keep)]
    stale += [p for p in index_dir.glob(".tmp-*") if p.is_dir() and time.time() - p.stat().st_mtime > 3600]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)


def current_version(index_dir: Path) -> Path | None:
    pointer = index_dir / "CURRENT"
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not name.startswith("v-") or "/" in name:
        return None
    path = index_dir / name
    return path if path.is_dir() else None


def read_manifest(version: Path) -> IndexManifest:
    try:
        return IndexManifest.from_json((version / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read manifest in {version}: {exc}") from exc


def _verify_files(version: Path, manifest: IndexManifest) -> None:
    if not manifest.files:
        raise IndexCorruptError("manifest lists no files")
    for rel, info in manifest.files.items():
        path = version / rel
        if not path.is_file():
            raise IndexCorruptError(f"missing index file {rel}")
        if path.stat().st_size != info.get("bytes"):
            raise IndexCorruptError(f"index file {rel} has {path.stat().st_size} bytes, expected {info.get('bytes')}")
        # Hashing gigabytes of vectors at every start-up costs seconds; large files are
        # checked by size (a torn write changes it), small ones by content too.
        if info["bytes"] <= CHECKSUM_MAX_BYTES and _sha256(path) != info.get("sha256"):
            raise IndexCorruptError(f"index file {rel} does not match its checksum")


def load_version(version: Path) -> SearchIndex:
    """Load one index version, checking every file against the manifest."""
    manifest = read_manifest(version)
    _verify_files(version, manifest)
    try:
        data = json.loads((version / "corpus.json").read_text(encoding="utf-8"))
        articles = {a["article_id"]: ArticleMeta(**a) for a in data["articles"]}
        paragraphs = [
            Paragraph(
                article_id=p["article_id"],
                number=int(p["number"]),
                text=p["text"],
                sentences=tuple(Sentence(int(s), int(e)) for s, e in p["sentences"]),
                heading=p.get("heading"),
            )
            for p in data["paragraphs"]
        ]
        # Memory-mapped: only the rows a question touches are read, so a large corpus
        # does not hold its vectors twice (FAISS has its own copy).
        # Memory-mapped, viewed as plain arrays: slicing an np.memmap costs ~7 µs a time.
        paragraph_vectors = np.asarray(np.load(version / "paragraph_vectors.npy", mmap_mode="r"))
        sentence_vectors = np.asarray(np.load(version / "sentence_vectors.npy", mmap_mode="r"))
        dense = faiss.read_index(str(version / "dense.faiss"))
        lexical = LexicalIndex.load(version / "lexical")
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(f"cannot load index version {version.name}: {exc}") from exc
    offsets = np.zeros(len(paragraphs) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(p.sentences) for p in paragraphs])
    if (
        paragraph_vectors.shape != (manifest.paragraphs, manifest.dim)
        or sentence_vectors.shape != (manifest.sentences, manifest.dim)
        or dense.ntotal != manifest.paragraphs
        or lexical.num_docs != manifest.paragraphs
        or int(offsets[-1]) != manifest.sentences
    ):
        raise IndexCorruptError(f"index version {version.name} has inconsistent sizes")
    set_search_depth(dense, manifest.faiss_type)
    return SearchIndex(
        manifest=manifest,
        articles=articles,
        paragraphs=paragraphs,
        sentence_offsets=offsets,
        paragraph_vectors=paragraph_vectors,
        sentence_vectors=sentence_vectors,
        dense=dense,
        lexical=lexical,
        text_hashes=[_text_hash(p.text) for p in paragraphs],
        path=version,
    )


def load_current(index_dir: Path) -> SearchIndex | None:
    """The live version, or None when there is none or it is damaged (logged)."""
    version = current_version(index_dir)
    if version is None:
        return None
    try:
        return load_version(version)
    except IndexCorruptError as exc:
        log.warning("index at %s is unusable, it will be rebuilt: %s", version, exc)
        return None


@dataclass(frozen=True)
class EnsureResult:
    index: SearchIndex
    action: str  # "loaded" | "built" | "rebuilt"; when a refresh failed, "unsaved" | "kept" (see serve_index)
    reason: str
    embedded: int = 0


def _why_stale(existing: SearchIndex) -> str:
    if existing.manifest.chunking != chunking():
        return "word lists or text rules changed"
    return "corpus or model changed"


def ensure_index(
    articles: Sequence[Article],
    embedder: Embedder,
    index_dir: Path,
    *,
    force: bool = False,
    show_progress: bool = True,
) -> EnsureResult:
    """Load the index for these articles, or (re)build and save it when it is missing or stale."""
    wanted = index_fingerprint(corpus_fingerprint(articles), embedder.name)
    existing = load_current(index_dir)
    if existing is not None and existing.manifest.fingerprint == wanted and not force:
        return EnsureResult(existing, "loaded", "fingerprint matches")
    if existing is None:
        had_version = (index_dir / "CURRENT").exists()
        action, reason = ("rebuilt", "the saved index was damaged") if had_version else ("built", "no saved index")
    else:
        action = "rebuilt"
        reason = "forced" if force and existing.manifest.fingerprint == wanted else _why_stale(existing)
    try:
        index = build_index(articles, embedder, previous=existing, show_progress=show_progress)
    except (OSError, MemoryError, EmbedderError) as exc:
        raise IndexRefreshError(f"building the index failed: {exc}", exc, previous=existing) from exc
    try:
        save_index(index, index_dir)
    except OSError as exc:
        raise IndexRefreshError(
            f"saving the index in {index_dir} failed: {exc}", exc, built=index, previous=existing
        ) from exc
    return EnsureResult(index, action, reason, index.embedded_texts)
