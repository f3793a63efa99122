"""Building an index from a corpus (reusing vectors of unchanged texts), and `ensure_index`:
load the saved one when it is fresh, rebuild and save it when not."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from retrieval.collector import garbage_collection
from retrieval.corpus import Article, ArticleSource, article_fingerprint, combine_fingerprints, corpus_fingerprint
from retrieval.embedding import Embedder, EmbedderError
from retrieval.index import layout
from retrieval.index.core import SearchIndex, text_hash
from retrieval.index.dense import build_faiss
from retrieval.index.errors import IndexCorruptError, IndexRefreshError
from retrieval.index.layout import FORMAT_VERSION, IndexManifest, chunking, index_fingerprint
from retrieval.index.segment import DeltaLexical, Segment, article_layout, sentence_offsets_of
from retrieval.index.store import current_version, format_1_vectors, load_current, save_index, verify_version
from retrieval.lexical import Analyzer, LexicalIndex
from retrieval.tuning import DEFAULT_TUNING

log = logging.getLogger(__name__)


class VectorCache:
    """Vectors of texts already embedded by the same model, found by content hash."""

    def __init__(self, embedder_name: str) -> None:
        self.embedder_name = embedder_name
        self._vectors: dict[str, np.ndarray] = {}

    def absorb(self, index: SearchIndex | None, articles: Collection[str] | None = None) -> None:
        """Remember the vectors of a previous index built with the same model (of `articles` only,
        when given: an incremental update needs only the changed articles' old vectors)."""
        if index is None or index.manifest.embedder != self.embedder_name:
            return
        for segment in index.segments:
            spans = segment.article_rows.values() if articles is None else (
                segment.article_rows[a] for a in articles if a in segment.article_rows
            )  # fmt: skip
            for start, stop in spans:
                for i in range(start, stop):
                    paragraph = segment.paragraphs[i]
                    self._vectors[text_hash(paragraph.text)] = segment.paragraph_vectors[i]
                    first = int(segment.sentence_offsets[i])
                    for j, s in enumerate(paragraph.sentences):
                        text = paragraph.text[s.start : s.end]
                        self._vectors[text_hash(text)] = segment.sentence_vectors[first + j]

    def absorb_format_1(self, index_dir: Path) -> None:
        """Remember the vectors of a version saved by format 1 (refused now: rebuilt), same model only."""
        version = current_version(index_dir)
        if version is None or not (version / "corpus.json").is_file():
            return
        try:
            manifest = json.loads((version / layout.MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if manifest.get("version") != 1 or manifest.get("embedder") != self.embedder_name:
            return
        for text, vector in format_1_vectors(version):
            self._vectors[text_hash(text)] = vector

    def embed(self, embedder: Embedder, texts: Sequence[str], progress: Callable[[int], None]) -> np.ndarray:
        """Vectors for `texts`, embedding only those not seen before. Returns [len(texts), dim]."""
        hashes = [text_hash(t) for t in texts]
        missing = sorted({h: t for h, t in zip(hashes, texts, strict=True) if h not in self._vectors}.items())
        if missing:
            fresh = embedder.embed_passages([t for _, t in missing], progress=progress)
            for (h, _), vector in zip(missing, fresh, strict=True):
                self._vectors[h] = vector
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.vstack([self._vectors[h] for h in hashes]).astype(np.float32)

    def count_missing(self, texts: Sequence[str]) -> int:
        """How many distinct texts have no vector yet."""
        return len({text_hash(t) for t in texts} - self._vectors.keys())


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
    index_dir: Path | None = None,
) -> SearchIndex:
    """Embed and index the articles, reusing vectors from `previous` where texts are unchanged (or,
    with no previous version, from a format-1 version in `index_dir`)."""
    paragraphs = [p for a in articles for p in a.paragraphs]
    sentence_texts = [p.sentence_text(i) for p in paragraphs for i in range(len(p.sentences))]
    cache = VectorCache(embedder.name)
    cache.absorb(previous)
    if previous is None and index_dir is not None:
        cache.absorb_format_1(index_dir)
    paragraph_texts = [p.text for p in paragraphs]
    todo = cache.count_missing(paragraph_texts + sentence_texts)
    update, close = _progress_bar(todo, show_progress)
    try:
        paragraph_vectors = cache.embed(embedder, paragraph_texts, update)
        sentence_vectors = cache.embed(embedder, sentence_texts, update)
    finally:
        close()
    index = assemble_index(articles, paragraph_vectors, sentence_vectors, embedder, embedded=todo)
    log.info("built index: %d articles, %d paragraphs, %d texts embedded", len(articles), len(paragraphs), todo)
    return index


def make_segment(
    articles: Sequence[Article], paragraph_vectors: np.ndarray, sentence_vectors: np.ndarray, *, base: bool
) -> Segment:
    """A segment of whole articles around vectors already made: FAISS, and BM25 (bm25s for a base,
    term counts scored with the version's statistics for a delta)."""
    article_rows, paragraphs = article_layout(articles)
    texts = [p.text for p in paragraphs]
    if base:
        dense, kind = build_faiss(paragraph_vectors)
        lexical: LexicalIndex | DeltaLexical = LexicalIndex.build(texts)
    else:
        dense, kind = build_faiss(paragraph_vectors[:0])
        if len(paragraph_vectors):
            dense.add(np.ascontiguousarray(paragraph_vectors, dtype=np.float32))
        lexical = DeltaLexical.build(texts)
    return Segment(
        name=layout.segment_name(),
        articles={a.article_id: a.meta for a in articles},
        digests={a.article_id: a.content_hash for a in articles},
        article_rows=article_rows,
        paragraphs=paragraphs,
        paragraph_vectors=paragraph_vectors,
        sentence_vectors=sentence_vectors,
        sentence_offsets=sentence_offsets_of(paragraphs),
        dense=dense,
        faiss_type=kind,
        lexical=lexical,
    )


def _manifest(
    articles: Sequence[ArticleSource],
    embedder: Embedder,
    segments: Sequence[Segment],
    live_articles: int,
    corpus_fp: str | None = None,
) -> IndexManifest:
    corpus_fp = corpus_fingerprint(articles) if corpus_fp is None else corpus_fp
    return IndexManifest(
        fingerprint=index_fingerprint(corpus_fp, embedder.name),
        corpus_fingerprint=corpus_fp,
        embedder=embedder.name,
        dim=embedder.dim,
        faiss_type=segments[0].faiss_type,
        paragraphs=sum(s.size for s in segments),
        sentences=sum(s.sentences for s in segments),
        articles=live_articles,
        chunking=chunking(),
        files={},
        created=time.time(),
        answer_model=_shipped_answer_model(),
        tuning=DEFAULT_TUNING.to_json(),
        segments=[s.describe() for s in segments],
    )


def assemble_index(
    articles: Sequence[Article],
    paragraph_vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    embedder: Embedder,
    *,
    embedded: int = 0,
) -> SearchIndex:
    """FAISS, BM25 and the manifest around vectors already made (one row per paragraph, per sentence)."""
    base = make_segment(articles, paragraph_vectors, sentence_vectors, base=True)
    manifest = _manifest(articles, embedder, [base], len(articles))
    return SearchIndex(manifest=manifest, segments=[base], embedded_texts=embedded)


# --- incremental updates -----------------------------------------------------------------------

# A version takes delta segments until they (and the dead rows) reach this share of its rows, or
# this many segments: then the next change rebuilds one base (compaction), reusing every vector.
# Small corpora take deltas up to COMPACT_MIN_ROWS rows (a rebuild is quick there, but a delta is
# what a large corpus does: the same path everywhere).
COMPACT_SHARE = 0.10
COMPACT_MIN_ROWS = 2000
MAX_SEGMENTS = 16


@dataclass(frozen=True)
class Delta:
    """How a version differs from the articles wanted: articles to add (new or changed) and to drop."""

    added: list[Article]
    dropped: list[tuple[str, str]]  # (segment name, article id)

    @property
    def empty(self) -> bool:
        """Whether nothing changes."""
        return not self.added and not self.dropped


def delta_of(existing: SearchIndex, articles: Sequence[ArticleSource]) -> Delta:
    """Which articles are new or changed (content or metadata), and which stored ones go.

    Each wanted article is looked up by id in the segments (an article is live in one segment at
    most); the stored articles no longer wanted are found by set difference of the ids. Only the
    added articles are loaded (`ArticleSource.load`): an unchanged one's paragraphs are never read."""
    dead_in: dict[str, set[str]] = {}
    for name, article_id in existing.dead:
        dead_in.setdefault(name, set()).add(article_id)
    segments = [(s, dead_in.get(s.name, set())) for s in existing.segments]
    wanted = {a.article_id: a for a in articles}
    added = []
    dropped: list[tuple[str, str]] = []
    for article in articles:
        article_id = article.article_id
        for segment, dead in segments:
            if article_id in segment.digests and article_id not in dead:
                if segment.digests[article_id] != article.content_hash or segment.articles[article_id] != article.meta:
                    added.append(article.load())
                    dropped.append((segment.name, article_id))
                break
        else:
            added.append(article.load())
    for segment, dead in segments:
        dropped += [(segment.name, a) for a in segment.digests.keys() - wanted.keys() if a not in dead]
    return Delta(added, sorted(set(dropped)))


def fingerprint_after(existing: SearchIndex, delta: Delta, articles: int) -> str | None:
    """`corpus_fingerprint` of the articles `existing` holds once `delta` is applied, from the
    segments' sums of article fingerprints (kept in the manifest), the dead and the changed articles
    alone. None when the counts do not add up to `articles` (e.g. an id given twice): then the
    articles must be fingerprinted one by one."""
    total = count = 0
    for segment in existing.segments:
        total += segment.article_sum()
        count += len(segment.articles)
    by_name = {s.name: s for s in existing.segments}
    for name, article_id in existing.dead | set(delta.dropped):
        segment = by_name[name]
        total -= article_fingerprint(article_id, segment.digests[article_id], segment.articles[article_id])
        count -= 1
    for article in delta.added:
        total += article_fingerprint(article.article_id, article.content_hash, article.meta)
        count += 1
    return combine_fingerprints(total, count) if count == articles else None


def _needs_compaction(existing: SearchIndex, delta: Delta) -> bool:
    """Whether the deltas and dead rows, after this change, would pass COMPACT_SHARE or MAX_SEGMENTS."""
    delta_rows = sum(s.size for s in existing.segments[1:]) + sum(len(a.paragraphs) for a in delta.added)
    rows = {(s.name, a): s.article_rows[a] for s in existing.segments for a in s.article_rows}
    dead_rows = sum(stop - start for key in existing.dead | set(delta.dropped) for start, stop in [rows[key]])
    total = int(existing.starts[-1]) + sum(len(a.paragraphs) for a in delta.added)
    limit = max(COMPACT_SHARE * total, COMPACT_MIN_ROWS)
    return len(existing.segments) + 1 > MAX_SEGMENTS or delta_rows + dead_rows > limit


def update_index(
    existing: SearchIndex,
    articles: Sequence[ArticleSource],
    embedder: Embedder,
    *,
    show_progress: bool = False,
    corpus_fp: str | None = None,
    delta: Delta | None = None,
) -> SearchIndex:
    """The version for `articles` as `existing` plus one delta segment (the new and changed
    articles) and the dropped articles marked dead; nothing of `existing` is rebuilt or copied.
    `corpus_fp` and `delta`: `corpus_fingerprint(articles)` and `delta_of(existing, articles)` when
    the caller has them already (each is a pass over every article)."""
    delta = delta_of(existing, articles) if delta is None else delta
    segments = list(existing.segments)
    embedded = 0
    if delta.added:
        cache = VectorCache(embedder.name)
        cache.absorb(existing, {a.article_id for a in delta.added})
        paragraphs = [p for a in delta.added for p in a.paragraphs]
        sentence_texts = [p.sentence_text(i) for p in paragraphs for i in range(len(p.sentences))]
        embedded = cache.count_missing([p.text for p in paragraphs] + sentence_texts)
        update, close = _progress_bar(embedded, show_progress)
        try:
            vectors = cache.embed(embedder, [p.text for p in paragraphs], update)
            sentence_vectors = cache.embed(embedder, sentence_texts, update)
        finally:
            close()
        segments.append(make_segment(delta.added, vectors, sentence_vectors, base=False))
    dead = set(existing.dead) | set(delta.dropped)
    # A delta segment whose every article is dead is left out of the new version.
    segments = [s for i, s in enumerate(segments) if i == 0 or any((s.name, a) not in dead for a in s.articles)]
    names = {s.name for s in segments}
    dead = {(name, a) for name, a in dead if name in names}
    manifest = _manifest(articles, embedder, segments, len(articles), corpus_fp)
    log.info("updated index: %d articles added or changed, %d dropped", len(delta.added), len(delta.dropped))
    return SearchIndex(manifest=manifest, segments=segments, dead=frozenset(dead), embedded_texts=embedded)


def _shipped_answer_model() -> str:
    """Name of the answer model file next to the code, recorded in the manifest ("" when unusable).
    Read once per file state (path, size, modification time): reading and checking it takes ~0.3 s,
    paid by every ingest command otherwise."""
    from retrieval.answer_model import DEFAULT_MODEL_PATH

    try:
        stat = DEFAULT_MODEL_PATH.stat()
    except OSError:
        return ""
    return _answer_model_name(str(DEFAULT_MODEL_PATH), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4)
def _answer_model_name(path: str, size: int, mtime_ns: int) -> str:
    from retrieval.answer_model import AnswerModel, AnswerModelError

    try:
        return AnswerModel.load(Path(path)).name
    except AnswerModelError:
        return ""


@dataclass(frozen=True)
class EnsureResult:
    """What `ensure_index` did: the index, the action, why, and how many texts it embedded."""

    index: SearchIndex
    # "loaded" | "built" | "rebuilt" | "updated" (a delta segment added); when a refresh failed,
    # "unsaved" | "kept" (see serve_index)
    action: str
    reason: str
    embedded: int = 0


def _why_stale(existing: SearchIndex, wanted: str) -> str | None:
    """Why the saved index cannot serve these articles with today's model and rules (None: it can)."""
    if existing.lexical.analyzer != Analyzer.current() or existing.manifest.chunking != chunking():
        return "word lists or text rules changed"
    if existing.manifest.fingerprint != wanted:
        return "corpus or model changed"
    return None


def _why_unusable(index_dir: Path) -> str:
    """Why the saved version was not loaded: an older format (rebuilt by design), or damage."""
    version = current_version(index_dir)
    try:
        saved = json.loads((version / layout.MANIFEST).read_text(encoding="utf-8")) if version else {}
    except (OSError, ValueError):
        saved = {}
    if isinstance(saved, dict) and isinstance(saved.get("version"), int) and saved["version"] < FORMAT_VERSION:
        return f"saved in index format {saved['version']}, now {FORMAT_VERSION}"
    return "the saved index was damaged"


def _why_incompatible(existing: SearchIndex, embedder: Embedder) -> str | None:
    """Why a delta cannot be added to `existing` (another model or text rules: everything is rebuilt)."""
    if existing.manifest.embedder != embedder.name or existing.manifest.dim != embedder.dim:
        return "embedding model changed"
    if existing.lexical.analyzer != Analyzer.current() or existing.manifest.chunking != chunking():
        return "word lists or text rules changed"
    return None


def _verified(existing: SearchIndex | None) -> SearchIndex | None:
    """`existing` when every file of it matches its sha256 whole, else None: a rebuild is about to
    reuse its vectors, and loading checked large files only by a sample (damage elsewhere in them
    must not be carried into the new base)."""
    if existing is None or existing.path is None:
        return existing
    try:
        verify_version(existing.path)
    except IndexCorruptError as exc:
        log.warning("index at %s is damaged, none of its vectors is reused: %s", existing.path, exc)
        return None
    return existing


def ensure_index(
    articles: Sequence[ArticleSource],
    embedder: Embedder,
    index_dir: Path,
    *,
    force: bool = False,
    show_progress: bool = True,
) -> EnsureResult:
    """Load the index for these articles, or (re)build and save it when it is missing or stale.

    An update reads the paragraphs of the new and changed articles alone (`ArticleSource.load`),
    so the corpus can be given as catalogue entries; a full rebuild loads every article."""
    # Loading a large version and comparing it with the corpus make hundreds of thousands of small
    # objects next to the corpus's millions; each full collection then walks all of them (2.6 s of an
    # 8.4 s add at 1M paragraphs). Nothing here builds reference cycles worth collecting early, so
    # collection waits until the update is done; a full rebuild runs with it as usual.
    with garbage_collection(enabled=False):
        return _ensure_index(articles, embedder, index_dir, force=force, show_progress=show_progress)


def _ensure_index(
    articles: Sequence[ArticleSource], embedder: Embedder, index_dir: Path, *, force: bool, show_progress: bool
) -> EnsureResult:
    existing = load_current(index_dir)
    delta = None
    if existing is not None and not force and _why_incompatible(existing, embedder) is None:
        delta = delta_of(existing, articles)
    # With a delta the fingerprint comes from the saved sums and the changed articles (see
    # `fingerprint_after`): hashing every article again took ~1 s per command at 125,000 articles.
    after = fingerprint_after(existing, delta, len(articles)) if existing is not None and delta is not None else None
    corpus_fp = after if after is not None else corpus_fingerprint(articles)
    wanted = index_fingerprint(corpus_fp, embedder.name)
    stale = _why_stale(existing, wanted) if existing is not None else None
    if existing is not None and stale is None and not force:
        return EnsureResult(existing, "loaded", "fingerprint matches")
    if existing is None:
        had_version = (index_dir / layout.CURRENT).exists()
        action, reason = ("rebuilt", _why_unusable(index_dir)) if had_version else ("built", "no saved index")
    else:
        action, reason = "rebuilt", stale or "forced"
    incremental = existing is not None and delta is not None and not _needs_compaction(existing, delta)
    try:
        if incremental:
            assert existing is not None
            index = update_index(
                existing, articles, embedder, show_progress=show_progress, corpus_fp=corpus_fp, delta=delta
            )
            action = "updated"
        else:
            previous = _verified(existing)
            with garbage_collection(enabled=True):
                everything = [a.load() for a in articles]
                index = build_index(
                    everything, embedder, previous=previous, show_progress=show_progress, index_dir=index_dir
                )
    except (OSError, MemoryError, EmbedderError) as exc:
        raise IndexRefreshError(f"building the index failed: {exc}", exc, previous=existing) from exc
    try:
        saved = save_index(index, index_dir)
    except OSError as exc:
        raise IndexRefreshError(
            f"saving the index in {index_dir} failed: {exc}", exc, built=index, previous=existing
        ) from exc
    return EnsureResult(saved, action, reason, saved.embedded_texts)
