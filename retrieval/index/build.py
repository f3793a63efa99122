"""Building an index from a corpus (reusing vectors of unchanged texts), and `ensure_index`:
load the saved one when it is fresh, rebuild and save it when not."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.corpus import Article, corpus_fingerprint
from retrieval.embedding import Embedder, EmbedderError
from retrieval.index import layout
from retrieval.index.core import SearchIndex, text_hash
from retrieval.index.dense import build_faiss
from retrieval.index.errors import IndexRefreshError
from retrieval.index.layout import IndexManifest, chunking, index_fingerprint
from retrieval.index.store import load_current, save_index
from retrieval.lexical import Analyzer, LexicalIndex
from retrieval.tuning import DEFAULT_TUNING

log = logging.getLogger(__name__)


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
            self._vectors[text_hash(paragraph.text)] = index.paragraph_vectors[i]
            for row in index.sentence_rows(i):
                s = paragraph.sentences[row - index.sentence_rows(i).start]
                self._vectors[text_hash(paragraph.text[s.start : s.end])] = index.sentence_vectors[row]

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
) -> SearchIndex:
    """Embed and index the articles, reusing vectors from `previous` where texts are unchanged."""
    paragraphs = [p for a in articles for p in a.paragraphs]
    sentence_texts = [p.sentence_text(i) for p in paragraphs for i in range(len(p.sentences))]
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
    index = assemble_index(articles, paragraph_vectors, sentence_vectors, embedder, embedded=todo)
    log.info("built index: %d articles, %d paragraphs, %d texts embedded", len(articles), len(paragraphs), todo)
    return index


def assemble_index(
    articles: Sequence[Article],
    paragraph_vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    embedder: Embedder,
    *,
    embedded: int = 0,
) -> SearchIndex:
    """FAISS, BM25 and the manifest around vectors already made (one row per paragraph, per sentence)."""
    paragraphs = [p for a in articles for p in a.paragraphs]
    dense, kind = build_faiss(paragraph_vectors)
    lexical = LexicalIndex.build([p.text for p in paragraphs])
    corpus_fp = corpus_fingerprint(articles)
    manifest = IndexManifest(
        fingerprint=index_fingerprint(corpus_fp, embedder.name),
        corpus_fingerprint=corpus_fp,
        embedder=embedder.name,
        dim=embedder.dim,
        faiss_type=kind,
        paragraphs=len(paragraphs),
        sentences=len(sentence_vectors),
        articles=len(articles),
        chunking=chunking(),
        files={},
        created=time.time(),
        answer_model=_shipped_answer_model(),
        tuning=DEFAULT_TUNING.to_json(),
    )
    return SearchIndex(
        manifest=manifest,
        articles={a.article_id: a.meta for a in articles},
        paragraphs=paragraphs,
        paragraph_vectors=paragraph_vectors,
        sentence_vectors=sentence_vectors,
        dense=dense,
        lexical=lexical,
        embedded_texts=embedded,
    )


def _shipped_answer_model() -> str:
    """Name of the answer model file next to the code, recorded in the manifest ("" when unusable)."""
    from retrieval.answer_model import AnswerModel, AnswerModelError

    try:
        return AnswerModel.load().name
    except AnswerModelError:
        return ""


@dataclass(frozen=True)
class EnsureResult:
    """What `ensure_index` did: the index, the action, why, and how many texts it embedded."""

    index: SearchIndex
    action: str  # "loaded" | "built" | "rebuilt"; when a refresh failed, "unsaved" | "kept" (see serve_index)
    reason: str
    embedded: int = 0


def _why_stale(existing: SearchIndex, wanted: str) -> str | None:
    """Why the saved index cannot serve these articles with today's model and rules (None: it can)."""
    if existing.lexical.analyzer != Analyzer.current() or existing.manifest.chunking != chunking():
        return "word lists or text rules changed"
    if existing.manifest.fingerprint != wanted:
        return "corpus or model changed"
    return None


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
    stale = _why_stale(existing, wanted) if existing is not None else None
    if existing is not None and stale is None and not force:
        return EnsureResult(existing, "loaded", "fingerprint matches")
    if existing is None:
        had_version = (index_dir / layout.CURRENT).exists()
        action, reason = ("rebuilt", "the saved index was damaged") if had_version else ("built", "no saved index")
    else:
        action, reason = "rebuilt", stale or "forced"
    try:
        index = build_index(articles, embedder, previous=existing, show_progress=show_progress)
    except (OSError, MemoryError, EmbedderError) as exc:
        raise IndexRefreshError(f"building the index failed: {exc}", exc, previous=existing) from exc
    try:
        saved = save_index(index, index_dir)
    except OSError as exc:
        raise IndexRefreshError(
            f"saving the index in {index_dir} failed: {exc}", exc, built=index, previous=existing
        ) from exc
    return EnsureResult(saved, action, reason, saved.embedded_texts)
