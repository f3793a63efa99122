"""The question-answering core: question in, verbatim cited quotes (or abstention) out."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from config.errors import BeritaQAError
from config.settings import Settings
from retrieval.answer import Answer, Quote, Reason, Source
from retrieval.answer_model import AnswerModel, AnswerModelError
from retrieval.catalogue import CATALOGUE_NAME, CorpusEntry, corpus_entries
from retrieval.collector import garbage_collection
from retrieval.colloquial import standardize
from retrieval.corpus import ArticleSource
from retrieval.embedding import Embedder, create_embedder
from retrieval.index import EnsureResult, IndexRefreshError, SearchIndex, ensure_index
from retrieval.quotes import ModelSelector, QuotePick, RuleSelector, Selection
from retrieval.search import HybridSearcher, Query, SearchResult
from retrieval.spelling import corrected_groups, spellings_to_look_up
from retrieval.store.base import ArticleStore, Passages, StoreCounts, StoreUnavailable
from retrieval.text import (
    TermGroup,
    flatten_terms,
    guess_language,
    has_searchable_text,
    normalize_question,
    question_terms,
    strip_markup,
    valid_unicode,
)
from retrieval.tuning import DEFAULT_TUNING, Tuning

log = logging.getLogger(__name__)

QUERY_CACHE_SIZE = 2048
STALE_ACTIONS = ("unsaved", "kept")  # serve_index's answers when a refresh failed


class EmptyCorpusError(BeritaQAError, RuntimeError):
    """There is nothing to index: no article in CORPUS_DIR, nor in SEEDS_DIR when one is set."""

    def __init__(self, corpus_dir: Path, seeds_dir: Path | None) -> None:
        where = f"{corpus_dir} or {seeds_dir}" if seeds_dir else f"{corpus_dir}"
        super().__init__(f"no articles (.txt/.md) in {where}")
        self.corpus_dir, self.seeds_dir = corpus_dir, seeds_dir


@dataclass(frozen=True)
class _Pipeline:
    """One index (or store) with the searcher and selector built on it; swapped as a whole."""

    source: SearchIndex | ArticleStore
    searcher: HybridSearcher
    selector: RuleSelector | ModelSelector | None  # None: made per question on the passages a store found


class QAEngine:
    """Loads the index once; `ask` is thread-safe and never raises on user input."""

    def __init__(
        self,
        index: SearchIndex | ArticleStore,
        embedder: Embedder,
        settings: Settings,
        tuning: Tuning = DEFAULT_TUNING,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.tuning = tuning
        self.answer_model = _load_answer_model(settings)
        self._pipeline = self._make_pipeline(index)
        self._swap_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._vector_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        # Why the served index is not the saved, up-to-date one (a failed refresh), else None.
        self.stale_reason: str | None = None
        self._store_down = False  # the article database was unreachable at the last question

    @property
    def min_confidence(self) -> float:
        """The answer model's bar: ANSWER_MIN_CONFIDENCE, else the model's default."""
        if self.settings.answer_min_confidence is not None:
            return self.settings.answer_min_confidence
        return self.answer_model.default_min_confidence if self.answer_model else 0.5

    def _make_pipeline(self, source: SearchIndex | ArticleStore) -> _Pipeline:
        searcher = HybridSearcher(source, tuning=self.tuning.search, max_age_days=self.settings.max_article_age_days)
        if not isinstance(source, SearchIndex):
            return _Pipeline(source, searcher, None)
        if self.answer_model is not None:
            built_with, serving = source.manifest.answer_model, self.answer_model.name
            if built_with and built_with != serving:
                log.info("index built beside answer model %s; answering with %s", built_with, serving)
        return _Pipeline(source, searcher, self._selector(source))

    def _selector(self, passages: Passages) -> RuleSelector | ModelSelector:
        """Answer choice on these passages: the answer model, or the first version's rules."""
        if self.answer_model is not None:
            return ModelSelector(passages, self.answer_model, self.min_confidence, self.tuning.answer_paragraphs)
        return RuleSelector(passages, self.tuning.rules)

    @classmethod
    def load(cls, settings: Settings, *, show_progress: bool = True) -> QAEngine:
        """Load the saved index for the corpus, building it first when missing or stale; with
        STORE=postgres, open the article store in DATABASE_URL instead."""
        if settings.store == "postgres":
            from retrieval.store.pg_ingest import open_postgres_store

            embedder = create_embedder(settings)
            return cls(open_postgres_store(settings, embedder, show_progress=show_progress), embedder, settings)
        engine, _ = cls.load_with_report(settings, show_progress=show_progress)
        return engine

    @classmethod
    def load_with_report(cls, settings: Settings, *, show_progress: bool = True) -> tuple[QAEngine, EnsureResult]:
        """`load`, also returning what was done to the saved index (loaded, built, rebuilt, kept, unsaved)."""
        embedder = create_embedder(settings)
        result = serve_index(settings, embedder, show_progress=show_progress)
        engine = cls(result.index, embedder, settings)
        engine.stale_reason = result.reason if result.action in STALE_ACTIONS else None
        return engine, result

    @property
    def index(self) -> SearchIndex:
        """The index in memory (the local store); a database store has none."""
        source = self._pipeline.source
        if not isinstance(source, SearchIndex):
            raise TypeError(f"STORE=postgres: the articles are in {source.description}, not in an index in memory")
        return source

    @property
    def store(self) -> ArticleStore | None:
        """The database store questions are answered from (STORE=postgres), else None."""
        source = self._pipeline.source
        return None if isinstance(source, SearchIndex) else source

    def corpus_counts(self) -> StoreCounts:
        """Articles, paragraphs and sentences answered from now."""
        source = self._pipeline.source
        if isinstance(source, SearchIndex):
            m = source.manifest
            return StoreCounts(m.articles, m.paragraphs, m.sentences)
        return source.counts()

    def close(self) -> None:
        """Release the store's connections (nothing to do for an index in memory)."""
        if self.store is not None:
            self.store.close()

    def swap_index(self, index: SearchIndex) -> None:
        """Serve later questions from `index`; questions in flight finish on the old one."""
        with self._swap_lock:
            self._pipeline = self._make_pipeline(index)

    def ask(self, question: str, context: str | None = None) -> Answer:
        """Answer `question`; `context` is the earlier question a follow-up refers to."""
        started = time.perf_counter()
        question, context = valid_unicode(question), valid_unicode(context) if context else context
        cleaned = normalize_question(strip_markup(question))
        language = guess_language(cleaned) if cleaned else "id"
        early = self._reject(question, cleaned, language)
        if early is not None:
            return early
        pipeline = self._pipeline  # one consistent snapshot for this question
        search_text = f"{normalize_question(strip_markup(context))} {cleaned}" if context else cleaned
        searched = self._search(pipeline, search_text)
        if searched is None:
            return self._finish(Answer(question, False, reason=Reason.UNAVAILABLE, language=language), started, {})
        query, result, embed_ms = searched
        t2 = time.perf_counter()
        selector = pipeline.selector
        if selector is None and result.passages is not None:  # a store: choose among what it found
            selector = self._selector(result.passages)
        selection = selector.select(query, result.candidates) if selector is not None else _NOTHING
        t3 = time.perf_counter()
        timings = {"embed": embed_ms, **result.timings_ms, "select": (t3 - t2) * 1e3}
        confidence = selection.confidence if self.answer_model is not None else None
        if not selection.confident or result.passages is None:
            answer = Answer(question, False, reason=Reason.NOT_FOUND, language=language, confidence=confidence)
            return self._finish(answer, started, timings)
        answer = _compose(question, language, result.passages, result, selection, confidence)
        return self._finish(answer, started, timings)

    def _search(self, pipeline: _Pipeline, text: str) -> tuple[Query, SearchResult, float] | None:
        """The question as searched, the search's result and the ms spent preparing the question; None
        while the article database cannot be reached (logged once per outage)."""
        try:
            t0 = time.perf_counter()
            query = self._query(text, pipeline.source)  # may ask an article database how it spells a word
            embed_ms = (time.perf_counter() - t0) * 1e3
            result = pipeline.searcher.search(query)
        except StoreUnavailable as exc:
            if not self._store_down:
                log.warning("article store unavailable, questions get 'try again' until it is back: %s", exc)
            self._store_down = True
            return None
        if self._store_down:
            log.info("article store reachable again")
            self._store_down = False
        return query, result, embed_ms

    def prepare(self, question: str) -> Query:
        """A question as every stage sees it (training uses exactly this): normalised text,
        its vector, BM25 terms and terms per word."""
        return self._query(normalize_question(strip_markup(question)), self._pipeline.source)

    def _query(self, text: str, source: SearchIndex | ArticleStore) -> Query:
        groups = tuple(_with_corpus_spellings(question_terms(text), source))
        return Query(text, self._query_vector(text), flatten_terms(groups), groups)

    def clear_query_cache(self) -> None:
        """Forget remembered question vectors (benchmarks measure embedding every time)."""
        with self._cache_lock:
            self._vector_cache.clear()

    def _query_vector(self, text: str) -> np.ndarray:
        """Embed a question, remembering recent ones: groups repeat questions, embedding is most of the cost."""
        key = text  # already normalised: equal keys always mean equal vectors
        with self._cache_lock:
            cached = self._vector_cache.get(key)
            if cached is not None:
                self._vector_cache.move_to_end(key)
                return cached
        # Casual spellings embed far from the articles' formal words ("yg gantiin" vs "yang
        # menggantikan"): the model sees the standard spelling.
        vector = self.embedder.embed_query(standardize(text).rstrip("?!.… \t"))
        with self._cache_lock:
            self._vector_cache[key] = vector
            if len(self._vector_cache) > QUERY_CACHE_SIZE:
                self._vector_cache.popitem(last=False)
        return vector

    def ranked_paragraphs(self, question: str, k: int | None = None) -> list[int]:
        """Index rows of the best `k` paragraphs for a question (retrieval only, for evaluation)."""
        pipeline = self._pipeline
        query = self.prepare(question)
        return [c.paragraph for c in pipeline.searcher.search(query, top_k=k).candidates]

    def ranked_keys(self, question: str, k: int | None = None) -> list[tuple[str, int]]:
        """(article id, paragraph number) of the best `k` paragraphs, in either store (evaluation)."""
        result = self._pipeline.searcher.search(self.prepare(question), top_k=k)
        if result.passages is None:
            return []
        paragraphs = result.passages.paragraphs
        return [(paragraphs[c.paragraph].article_id, paragraphs[c.paragraph].number) for c in result.candidates]

    def _reject(self, question: str, cleaned: str, language: str) -> Answer | None:
        reason: Reason | None = None
        if not question.strip():
            reason = Reason.EMPTY
        elif len(question) > self.settings.max_question_chars:
            reason = Reason.TOO_LONG
        elif not has_searchable_text(cleaned):
            reason = Reason.NO_TEXT
        if reason is None:
            return None
        return Answer(question, False, reason=reason, language=language, timings_ms={"total": 0.0})

    @staticmethod
    def _finish(answer: Answer, started: float, timings: dict[str, float]) -> Answer:
        timings["total"] = (time.perf_counter() - started) * 1e3
        return replace(answer, timings_ms=timings)


def _load_answer_model(settings: Settings) -> AnswerModel | None:
    """The trained answer model, unless the rules were asked for (or the model file is unusable)."""
    if settings.answer_selector == "rules":
        return None
    try:
        return AnswerModel.load()
    except AnswerModelError as exc:
        log.error("answer model unusable, falling back to the rule-based selector: %s", exc)
        return None


_NOTHING = Selection((), False, 0.0, 0.0)  # no passages found: nothing to choose from


def _runs(rows: tuple[int, ...]) -> list[tuple[int, int]]:
    """Consecutive sentence rows merged into (first, last) runs: adjacent sentences quote as one."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _compose(
    question: str,
    language: str,
    index: Passages,
    result: SearchResult,
    selection: Selection,
    confidence: float | None,
) -> Answer:
    quotes: list[Quote] = []
    sources: list[Source] = []
    fused = {c.paragraph: c.fused for c in result.candidates}
    for n, pick in enumerate(selection.picks, start=1):
        source, texts = _source_for(n, pick, index, fused.get(pick.paragraph, 0.0))
        sources.append(source)
        quotes.extend(Quote(text, n) for text in texts)
    return Answer(question, True, tuple(quotes), tuple(sources), Reason.ANSWERED, language, confidence=confidence)


def _source_for(n: int, pick: QuotePick, index: Passages, score: float) -> tuple[Source, list[str]]:
    paragraph = index.paragraphs[pick.paragraph]
    meta = index.articles[paragraph.article_id]
    first_row = index.sentence_rows(pick.paragraph).start
    spans: list[tuple[int, int]] = []
    for first, last in _runs(pick.sentences):
        spans.append((paragraph.sentences[first - first_row].start, paragraph.sentences[last - first_row].end))
    source = Source(
        n=n,
        article_id=paragraph.article_id,
        title=meta.title,
        outlet=meta.outlet,
        paragraph=paragraph.number,
        text=paragraph.text,
        score=score,
        dateline=meta.dateline,
        url=meta.url,
        date=meta.date,
        date_source=meta.date_source,
        heading=paragraph.heading,
        quote_spans=tuple(spans),
    )
    return source, [paragraph.text[s:e] for s, e in spans]


def refresh_index(
    settings: Settings,
    embedder: Embedder,
    *,
    force: bool = False,
    show_progress: bool = True,
    articles: Sequence[ArticleSource] | None = None,
) -> EnsureResult:
    """Bring the saved index in line with the corpus folder (load, build or rebuild).

    The corpus is read through the catalogue in INDEX_DIR (only new or changed files are parsed),
    unless the caller has it already (`articles`: an ingest command's corpus after its changes).
    """
    with garbage_collection(enabled=False):  # see retrieval/collector.py
        if articles is None:
            articles = indexed_articles(settings)
        if not articles:
            raise EmptyCorpusError(settings.corpus_dir, settings.seeds_dir)
        return ensure_index(articles, embedder, Path(settings.index_dir), force=force, show_progress=show_progress)


def indexed_articles(settings: Settings) -> list[CorpusEntry]:
    """The articles the index is built from (seeds and CORPUS_DIR, those with a paragraph), by the catalogue."""
    catalogue = Path(settings.index_dir) / CATALOGUE_NAME
    entries = corpus_entries(Path(settings.corpus_dir), settings.seeds_dir, catalogue)
    return [e for e in entries.values() if e.paragraph_count]


def serve_index(settings: Settings, embedder: Embedder, *, show_progress: bool = True) -> EnsureResult:
    """`refresh_index` for a process that answers questions: a failed refresh never stops it.

    When saving fails (disk full, read-only INDEX_DIR) the freshly built index is served from
    memory; when building fails the last good version on disk is served. Either way one line is
    logged and the result says so (`action` "unsaved" or "kept"), so a watcher can retry later.
    Only with no usable index at all does the error propagate.
    """
    try:
        return refresh_index(settings, embedder, show_progress=show_progress)
    except IndexRefreshError as exc:
        if exc.built is not None:
            log.error("%s; answering from the new index in memory, the previous version stays on disk", exc)
            return EnsureResult(exc.built, "unsaved", str(exc), exc.built.embedded_texts)
        previous = exc.previous  # ensure_index loaded it already: no second read and checksum pass
        if previous is None:
            raise
        log.error("%s; answering from the previous index %s", exc, previous.path)
        return EnsureResult(previous, "kept", str(exc))


def _with_corpus_spellings(groups: list[TermGroup], source: SearchIndex | ArticleStore) -> list[TermGroup]:
    """Mistyped names read as the corpus spells them (an article database is asked about every
    candidate spelling at once, and only when a question has a word that may be mistyped)."""
    if isinstance(source, SearchIndex):
        lexical = source.lexical
        return corrected_groups(groups, lambda term: lexical.document_frequency(term) > 0)
    spellings = spellings_to_look_up(groups)
    if not spellings:
        return groups
    return corrected_groups(groups, source.known_terms(spellings).__contains__)
