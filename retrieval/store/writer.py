"""Changing the PostgreSQL article store: one command, one transaction.

`write_transaction` holds the store's write lock (an advisory lock: one writer at a time across
processes, like the local store's lock file) for one transaction. Articles are written in chunks:
their vectors looked up by content hash (reused when the same text was embedded before), the rest
embedded, then inserted with their terms, and the lexical statistics updated. Nothing is visible
to questions before the commit; a crash or kill at any point leaves the previous articles as they
were (PostgreSQL rolls the transaction back).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import numpy as np
import psycopg

from retrieval.catalogue import duplicate_digest
from retrieval.corpus import Article, ArticleMeta, Paragraph, Sentence
from retrieval.embedding import Embedder
from retrieval.index.core import text_hash
from retrieval.store.postgres import CONNECT_TIMEOUT, terms_tsvector
from retrieval.store.schema import POSTINGS_OF_PARAGRAPHS, lock_key
from retrieval.store.vectors import register_vector
from retrieval.text import content_terms

log = logging.getLogger(__name__)

CHUNK_ARTICLES = 64  # articles embedded and inserted together
WRITER_NAME = "berita-qa writer"  # application_name of a changing command's connection (pg_stat_activity)

_DELETE = """
WITH gone AS (DELETE FROM paragraphs WHERE article_id = ANY(%(ids)s) RETURNING terms, term_count),
d AS (SELECT l AS term, count(*) AS n FROM gone CROSS JOIN LATERAL unnest(tsvector_to_array(gone.terms)) AS l
      GROUP BY l),
u AS (UPDATE lexical_terms t SET df = t.df - d.n FROM d WHERE t.term = d.term RETURNING 1)
UPDATE corpus_stats SET paragraphs = paragraphs - (SELECT count(*) FROM gone),
       term_total = term_total - (SELECT COALESCE(sum(term_count), 0) FROM gone)
"""
_COUNT_TERMS = """
INSERT INTO lexical_terms (term, df)
SELECT l, count(*) FROM paragraphs p CROSS JOIN LATERAL unnest(tsvector_to_array(p.terms)) AS l
WHERE p.article_id = ANY(%(ids)s) GROUP BY l
ON CONFLICT (term) DO UPDATE SET df = lexical_terms.df + excluded.df
"""
_POSTINGS = (
    f"INSERT INTO lexical_postings (term, article_id, position, tf, term_count) {POSTINGS_OF_PARAGRAPHS}"
    " WHERE p.article_id = ANY(%(ids)s)"
)
_COUNT_PARAGRAPHS = """
UPDATE corpus_stats SET paragraphs = paragraphs + s.n, term_total = term_total + s.total
FROM (SELECT count(*) AS n, COALESCE(sum(term_count), 0) AS total FROM paragraphs WHERE article_id = ANY(%(ids)s)) s
"""
_FIND_VECTORS = """
SELECT text_hash, embedding FROM paragraph_vectors WHERE text_hash = ANY(%(hashes)s)
UNION ALL SELECT text_hash, embedding FROM sentences WHERE text_hash = ANY(%(hashes)s)
"""


class StoreWriter:
    """Writes articles inside one open transaction (see `write_transaction`)."""

    def __init__(
        self,
        conn: psycopg.Connection,
        embedder: Embedder,
        *,
        known_vectors: Mapping[str, np.ndarray] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.conn = conn
        self.embedder = embedder
        self.embedded = 0  # texts this command had to embed
        self._known = dict(known_vectors or {})
        self._pending: list[Article] = []
        self._progress = progress

    # -- reading inside the transaction ---------------------------------------------------

    def article(self, article_id: str) -> Article | None:
        """The stored article with that id (as parsed when it was ingested), or None."""
        meta_row = self.conn.execute(
            "SELECT article_id, title, outlet, source_note, dateline, url, date, date_source, content_hash"
            " FROM articles WHERE article_id = %s",
            (article_id,),
        ).fetchone()
        if meta_row is None:
            return None
        rows = self.conn.execute(
            "SELECT p.number, p.heading, p.text, array_agg(s.start_char ORDER BY s.position),"
            " array_agg(s.end_char ORDER BY s.position) FROM paragraphs p"
            " JOIN sentences s ON s.article_id = p.article_id AND s.paragraph = p.position"
            " WHERE p.article_id = %s GROUP BY p.position, p.number, p.heading, p.text ORDER BY p.position",
            (article_id,),
        ).fetchall()
        paragraphs = tuple(
            Paragraph(article_id, int(n), str(t), tuple(Sentence(int(a), int(b)) for a, b in zip(s, e, strict=True)), h)
            for n, h, t, s, e in rows
        )
        return Article(ArticleMeta(*meta_row[:8]), paragraphs, str(meta_row[8]))

    def article_with_digest(self, digest: str) -> str | None:
        """The id of a stored article whose paragraph text has this content digest."""
        row = self.conn.execute("SELECT article_id FROM articles WHERE content_digest = %s LIMIT 1", (digest,))
        found = row.fetchone()
        return str(found[0]) if found else None

    def article_count(self) -> int:
        """Articles stored, this transaction's changes included."""
        row = self.conn.execute("SELECT count(*) FROM articles").fetchone()
        return int(row[0]) if row else 0

    # -- changing -----------------------------------------------------------------------------

    def upsert(self, article: Article) -> None:
        """Add the article, or replace the stored one with its id (written with the next chunk)."""
        self._pending.append(article)
        if len(self._pending) >= CHUNK_ARTICLES:
            self.flush()

    def delete(self, article_ids: list[str]) -> None:
        """Remove these articles with their paragraphs, sentences and vectors."""
        self.flush()
        self._delete(article_ids)

    def flush(self) -> None:
        """Write the pending articles."""
        chunk, self._pending = self._pending, []
        if not chunk:
            return
        ids = [a.article_id for a in chunk]
        vectors = self._vectors(chunk)  # before deleting: an update reuses its unchanged texts' vectors
        self._delete(ids)
        self._insert(chunk, vectors)
        self.conn.execute(_COUNT_TERMS, {"ids": ids})
        self.conn.execute(_POSTINGS, {"ids": ids})
        self.conn.execute(_COUNT_PARAGRAPHS, {"ids": ids})

    def finish(self) -> None:
        """Write what is pending and settle the statistics; the caller commits."""
        self.flush()
        self.conn.execute("DELETE FROM lexical_terms WHERE df <= 0")
        self.conn.execute("UPDATE corpus_stats SET articles = (SELECT count(*) FROM articles)")

    def _delete(self, article_ids: list[str]) -> None:
        self.conn.execute(_DELETE, {"ids": article_ids})
        self.conn.execute("DELETE FROM articles WHERE article_id = ANY(%s)", (article_ids,))

    def _vectors(self, chunk: list[Article]) -> dict[str, np.ndarray]:
        """Every paragraph's and sentence's vector by text hash: known, stored, else embedded now."""
        texts = {text_hash(t): t for a in chunk for p in a.paragraphs for t in _texts(p)}
        wanted = [h for h in texts if h not in self._known]
        if wanted:
            with self.conn.cursor(binary=True) as cur:
                for h, vector in cur.execute(_FIND_VECTORS, {"hashes": wanted}).fetchall():
                    self._known[str(h)] = vector
        missing = [h for h in texts if h not in self._known]
        if missing:
            fresh = self.embedder.embed_passages([texts[h] for h in missing], progress=self._progress)
            self._known.update(zip(missing, np.asarray(fresh, dtype=np.float32), strict=True))
            self.embedded += len(missing)
        return {h: self._known[h] for h in texts}

    def _insert(self, chunk: list[Article], vectors: dict[str, np.ndarray]) -> None:
        cur = self.conn.cursor()
        cur.executemany(
            "INSERT INTO articles (article_id, title, outlet, source_note, dateline, url, date, date_source,"
            " content_hash, content_digest, paragraphs) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (*_meta_values(a.meta), a.content_hash, duplicate_digest(a), len(a.paragraphs))
                for a in chunk
            ],
        )
        paragraphs = [(a.article_id, i, p) for a in chunk for i, p in enumerate(a.paragraphs)]
        cur.executemany(
            "INSERT INTO paragraphs (article_id, position, number, heading, text, term_count, terms, words)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s::tsvector, to_tsvector('indonesian', %s))",
            [_paragraph_values(aid, i, p) for aid, i, p in paragraphs],
        )
        cur.executemany(
            "INSERT INTO paragraph_vectors (article_id, position, text_hash, embedding) VALUES (%s, %s, %s, %s)",
            [(aid, i, h, vectors[h]) for aid, i, p in paragraphs for h in [text_hash(p.text)]],
        )
        cur.executemany(
            "INSERT INTO sentences (article_id, paragraph, position, start_char, end_char, text_hash, embedding)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                (aid, i, j, s.start, s.end, h, vectors[h])
                for aid, i, p in paragraphs
                for j, s in enumerate(p.sentences)
                for h in [text_hash(p.text[s.start : s.end])]
            ],
        )


def _texts(paragraph: Paragraph) -> list[str]:
    return [paragraph.text, *(paragraph.sentence_text(i) for i in range(len(paragraph.sentences)))]


def _meta_values(meta: ArticleMeta) -> tuple[str | None, ...]:
    return (meta.article_id, meta.title, meta.outlet, meta.source_note, meta.dateline, meta.url, meta.date,
            meta.date_source)  # fmt: skip


def _paragraph_values(article_id: str, position: int, p: Paragraph) -> tuple[object, ...]:
    terms = content_terms(p.text)
    # bm25s counts an empty document as one empty term: the same length keeps BM25's average equal.
    return (article_id, position, p.number, p.heading, p.text, max(len(terms), 1), terms_tsvector(terms), p.text)


@contextmanager
def write_transaction(
    url: str,
    embedder: Embedder,
    *,
    known_vectors: Mapping[str, np.ndarray] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[StoreWriter]:
    """A writer in one transaction holding the store's write lock: committed when the block ends,
    rolled back when it raises (or when the process dies)."""
    with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT, application_name=WRITER_NAME) as conn:
        register_vector(conn)
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key("write"),))
            writer = StoreWriter(conn, embedder, known_vectors=known_vectors, progress=progress)
            yield writer
            writer.finish()
