"""`python -m bot ingest/remove/list` and the admin commands on the PostgreSQL store.

The same reading, formats, ids, duplicate and update decisions and report as the local store
(`retrieval.ingest.Ingestor`); what changes is where an article goes: into the database, in the
one transaction of the command (`retrieval.store.writer`). A command is all or nothing: when it
fails or is killed, nothing it wrote is visible and the previous articles keep answering.

The first time a bot or command opens an empty store, the local corpus (the seeds and CORPUS_DIR)
is imported into it, reusing the vectors of the local index when they were made by the same model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import psycopg

from config.settings import Settings
from retrieval.catalogue import CorpusEntry, duplicate_digest
from retrieval.corpus import Article, load_corpus
from retrieval.embedding import Embedder, EmbedderError
from retrieval.ingest import (
    ArticleSummary,
    Ingestor,
    IngestPolicy,
    IngestReport,
    _Batch,
    _CommandFailed,
)
from retrieval.refusals import Refusal, Why
from retrieval.store.base import StoreError
from retrieval.store.postgres import LEXICAL_PER_TERM, PostgresStore
from retrieval.store.schema import lock_key
from retrieval.store.writer import StoreWriter, write_transaction

log = logging.getLogger(__name__)

_V = TypeVar("_V")
NOT_ON_DISK = Path()  # an article in the database has no file


class _FromDatabase(dict[str, _V]):
    """A dict filled on demand from the database; a key popped stays gone."""

    def __init__(self, load: Callable[[str], _V | None]) -> None:
        super().__init__()
        self._load = load
        self._asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        """The value, read from the database the first time a key is asked for."""
        if key not in self._asked:
            self._asked.add(key)
            value = self._load(key)
            if value is not None:
                super().__setitem__(key, value)
        return super().get(key, default)

    def __setitem__(self, key: str, value: _V) -> None:
        self._asked.add(key)
        super().__setitem__(key, value)

    def pop(self, key: str, default: Any = None) -> Any:
        """Forget `key` (it is not read again)."""
        self._asked.add(key)
        return super().pop(key, default)


class _StoreBatch(_Batch):
    """`_Batch` deciding against the database and writing into the command's transaction."""

    def __init__(self, ingestor: Ingestor, report: IngestReport, writer: StoreWriter) -> None:
        super().__init__(ingestor, report)
        self.writer = writer

    def __enter__(self) -> _StoreBatch:
        writer = self.writer

        def stored(article_id: str) -> CorpusEntry | None:
            article = writer.article(article_id)
            return CorpusEntry.of(NOT_ON_DISK, article) if article is not None else None

        self.stored = _FromDatabase(stored)
        self.by_digest = _FromDatabase(writer.article_with_digest)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if kind is None:
            return
        for field_ in (self.report.added, self.report.updated, self.report.removed):
            field_.clear()  # the transaction is rolled back: nothing happened

    def _write(self, article_id: str, content: str, article: Article, old: CorpusEntry | None) -> Path:
        self.writer.upsert(article)
        return NOT_ON_DISK

    def delete(self, article_id: str) -> None:
        """Remove an article from the database (a seed too: the database is the whole corpus)."""
        self.writer.delete([article_id])
        self.stored.pop(article_id, None)
        self.report.removed.append(article_id)


class PostgresIngestor(Ingestor):
    """`Ingestor` on the PostgreSQL store: every command is one transaction."""

    def __init__(
        self,
        settings: Settings,
        store: PostgresStore | None = None,
        embedder: Embedder | None = None,
        policy: IngestPolicy | None = None,
        *,
        show_progress: bool = False,
    ) -> None:
        super().__init__(settings, embedder, policy, show_progress=show_progress)
        self._store = store

    @property
    def store(self) -> PostgresStore:
        """The store, opened (and filled from the local corpus the first time) on first use."""
        if self._store is None:
            self._store = open_postgres_store(self.settings, self.embedder, show_progress=self.show_progress)
        return self._store

    @contextmanager
    def _batch(self, report: IngestReport) -> Iterator[_Batch]:
        """The command's changes, written in one transaction holding the store's write lock."""
        store = self.store
        try:
            with (
                write_transaction(store.url, self.embedder, progress=_progress(self.show_progress)) as writer,
                _StoreBatch(self, report, writer) as batch,
            ):
                yield batch
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise _CommandFailed(Refusal.of(Why.DATABASE_FAILED, where=store.description, error=first)) from exc
        except EmbedderError as exc:
            raise _CommandFailed(Refusal.of(Why.EMBEDDING_FAILED, error=str(exc))) from exc

    def _refresh(self, report: IngestReport, batch: _Batch) -> None:
        """Write the last articles; the statistics are settled and committed when the command ends."""
        if isinstance(batch, _StoreBatch):
            batch.writer.flush()
            report.embedded = batch.writer.embedded

    def remove(self, article_id: str) -> IngestReport:
        """Delete an article from the database in one transaction; nothing is embedded."""
        report = IngestReport()

        def work(batch: _Batch) -> None:
            assert isinstance(batch, _StoreBatch)
            if batch.stored.get(article_id) is None:
                report.rejected.append((article_id, Refusal.of(Why.UNKNOWN_ID)))
            elif batch.writer.article_count() <= 1:
                report.rejected.append((article_id, Refusal.of(Why.LAST_ARTICLE)))
            else:
                batch.delete(article_id)

        return self._command(report, work)

    def list_articles(self) -> list[ArticleSummary]:
        """Every article in the database, sorted by id."""
        return [ArticleSummary(*row) for row in self.store.article_rows()]


def _progress(enabled: bool) -> Callable[[int], None] | None:
    if not enabled:
        return None
    import sys

    from tqdm import tqdm

    bar = tqdm(desc="Embedding", unit="teks", file=sys.stderr, leave=False)
    return bar.update


def open_postgres_store(settings: Settings, embedder: Embedder, *, show_progress: bool = False) -> PostgresStore:
    """Open the store DATABASE_URL names (schema migrated, embedder checked); the first time, import
    the local corpus into it."""
    cap = settings.pg_lexical_per_term
    per_term = LEXICAL_PER_TERM if cap is None else (cap or None)  # 0: every posting
    store = PostgresStore.open(
        settings.database_url, embedder.name, embedder.dim, ef_search=settings.pg_hnsw_ef_search, per_term=per_term
    )
    try:
        import_local_corpus(store, settings, embedder, show_progress=show_progress)
    except (psycopg.Error, EmbedderError) as exc:
        store.close()
        raise StoreError(f"{store.description}: importing the local articles failed: {exc}") from exc
    return store


def import_local_corpus(store: PostgresStore, settings: Settings, embedder: Embedder, *, show_progress: bool) -> int:
    """Once per database: the seeds and CORPUS_DIR articles, as the local store serves them.
    Returns how many articles were imported (0 when the database was set up before)."""
    with psycopg.connect(store.url) as conn:
        row = conn.execute("SELECT value FROM store_meta WHERE key = 'imported'").fetchone()
    if row is not None:
        return 0
    articles = load_corpus(Path(settings.corpus_dir), settings.seeds_dir)
    known = _local_vectors(settings, embedder)
    with write_transaction(store.url, embedder, known_vectors=known, progress=_progress(show_progress)) as writer:
        writer.conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key("import"),))
        again = writer.conn.execute("SELECT 1 FROM store_meta WHERE key = 'imported'").fetchone()
        if again is not None:
            return 0
        fresh = [a for a in articles if writer.article(a.article_id) is None]
        for article in fresh:
            if writer.article_with_digest(duplicate_digest(article)) is None:
                writer.upsert(article)
        writer.conn.execute("INSERT INTO store_meta (key, value) VALUES ('imported', now()::text)")
    log.info("%s: imported %d local articles (%d texts embedded)", store.description, len(fresh), writer.embedded)
    return len(fresh)


def _local_vectors(settings: Settings, embedder: Embedder) -> dict[str, np.ndarray]:
    """Vectors of the saved local index by text hash, when the same model made them."""
    from retrieval.index import load_current
    from retrieval.index.core import text_hash

    index = load_current(Path(settings.index_dir))
    if index is None or index.manifest.embedder != embedder.name:
        return {}
    vectors: dict[str, np.ndarray] = {}
    for i, paragraph in enumerate(index.paragraphs):
        vectors[text_hash(paragraph.text)] = np.asarray(index.paragraph_vectors[i])
        for offset, row in enumerate(index.sentence_rows(i)):
            vectors[text_hash(paragraph.sentence_text(offset))] = np.asarray(index.sentence_vectors[row])
    return vectors
