"""The PostgreSQL article store's tables, created and changed by versioned migrations.

Like the state store's (`bot/state/sql.py`), a schema change is a new entry appended to
`MIGRATIONS`; one that shipped is never edited. `{dim}` stands for the embedder's dimension,
fixed when the tables are first made and recorded in `store_meta`.

Every table but the two small statistics tables is keyed by `article_id` first (`lexical_postings`,
read by term, holds it too), and nothing on the question path joins rows of different articles:
the tables could be distributed by `article_id` (Citus), the statistics kept as reference tables
(README, "Past one database machine").
"""

from __future__ import annotations

import hashlib
import logging

import psycopg

log = logging.getLogger(__name__)

# HNSW over inner product: the vectors are L2-normalised, so the inner product is the cosine
# FAISS scores with (`IndexFlatIP`). pgvector's defaults (m 16, ef_construction 64).
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 64

# BM25's weight of a term in a paragraph without the IDF (k1 1.2, b 0.75 as retrieval.lexical), the
# paragraph length taken relative to a fixed POSTING_AVGDL: the order in which a term's postings are read.
# Both are part of migration 3 (shipped: never edit them; another value needs a migration of its own).
POSTING_AVGDL = 30  # terms per paragraph: ~25 in the seeds, ~39 in the scale benchmark's haystack
POSTING_IMPACT = f"tf::real / (tf + 1.2::real * (0.25::real + 0.75::real * term_count / {POSTING_AVGDL}::real))"
# Every (term, paragraph) of the paragraphs selected by the WHERE clause appended to it.
POSTINGS_OF_PARAGRAPHS = (
    "SELECT u.lexeme, p.article_id, p.position, cardinality(u.positions), p.term_count"
    " FROM paragraphs p CROSS JOIN LATERAL unnest(p.terms) AS u(lexeme, positions, weights)"
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: articles, paragraphs, sentences, their vectors, the lexical statistics
        "CREATE EXTENSION IF NOT EXISTS vector",
        "CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE articles (article_id TEXT PRIMARY KEY, title TEXT NOT NULL, outlet TEXT, source_note TEXT,"
        " dateline TEXT, url TEXT, date TEXT, content_hash TEXT NOT NULL, content_digest TEXT NOT NULL,"
        " paragraphs INTEGER NOT NULL, ingested_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        "CREATE INDEX articles_by_digest ON articles (content_digest)",
        # terms: our analyzer's terms (retrieval.text.content_terms), one position per occurrence, so a
        # term's frequency is its number of positions (BM25); words: PostgreSQL's `indonesian` analysis.
        "CREATE TABLE paragraphs (article_id TEXT NOT NULL REFERENCES articles ON DELETE CASCADE,"
        " position INTEGER NOT NULL, number INTEGER NOT NULL, heading TEXT, text TEXT NOT NULL,"
        " term_count INTEGER NOT NULL, terms TSVECTOR NOT NULL, words TSVECTOR NOT NULL,"
        " PRIMARY KEY (article_id, position))",
        "CREATE INDEX paragraphs_terms ON paragraphs USING gin (terms)",
        "CREATE INDEX paragraphs_words ON paragraphs USING gin (words)",
        "CREATE TABLE paragraph_vectors (article_id TEXT NOT NULL, position INTEGER NOT NULL,"
        " text_hash TEXT NOT NULL, embedding VECTOR({dim}) NOT NULL, PRIMARY KEY (article_id, position),"
        " FOREIGN KEY (article_id, position) REFERENCES paragraphs ON DELETE CASCADE)",
        f"CREATE INDEX paragraph_vectors_hnsw ON paragraph_vectors USING hnsw (embedding vector_ip_ops)"
        f" WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})",
        "CREATE INDEX paragraph_vectors_by_hash ON paragraph_vectors (text_hash)",
        "CREATE TABLE sentences (article_id TEXT NOT NULL, paragraph INTEGER NOT NULL, position INTEGER NOT NULL,"
        " start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, text_hash TEXT NOT NULL,"
        " embedding VECTOR({dim}) NOT NULL, PRIMARY KEY (article_id, paragraph, position),"
        " FOREIGN KEY (article_id, paragraph) REFERENCES paragraphs ON DELETE CASCADE)",
        "CREATE INDEX sentences_by_hash ON sentences (text_hash)",
        # Paragraphs holding each term (IDF for BM25 and the answer model) and the corpus's size.
        "CREATE TABLE lexical_terms (term TEXT PRIMARY KEY, df INTEGER NOT NULL)",
        "CREATE INDEX lexical_terms_by_df ON lexical_terms (df)",
        "CREATE TABLE corpus_stats (singleton BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),"
        " articles BIGINT NOT NULL, paragraphs BIGINT NOT NULL, term_total BIGINT NOT NULL)",
        "INSERT INTO corpus_stats (articles, paragraphs, term_total) VALUES (0, 0, 0)",
    ),
    (  # 2: where an article's date came from ("feed", "page", or "fetched": when a followed feed read it)
        "ALTER TABLE articles ADD COLUMN IF NOT EXISTS date_source TEXT",
    ),
    (  # 3: postings, so BM25 reads a bounded number of rows per term (README, "PostgreSQL at scale")
        # One row per (term, paragraph): its frequency and the paragraph's length. `impact` orders a
        # term's postings by their BM25 weight (its length part taken at an average length of
        # POSTING_AVGDL, not the corpus's current one); only the order of very common terms' postings
        # depends on it, scores are computed with the current statistics.
        "CREATE TABLE lexical_postings (term TEXT NOT NULL, article_id TEXT NOT NULL, position INTEGER NOT NULL,"
        " tf INTEGER NOT NULL, term_count INTEGER NOT NULL,"
        f" impact REAL GENERATED ALWAYS AS ({POSTING_IMPACT}) STORED,"
        " FOREIGN KEY (article_id, position) REFERENCES paragraphs ON DELETE CASCADE)",
        f"INSERT INTO lexical_postings (term, article_id, position, tf, term_count) {POSTINGS_OF_PARAGRAPHS}",
        "CREATE INDEX lexical_postings_by_impact ON lexical_postings (term, impact DESC)"
        " INCLUDE (article_id, position, tf, term_count)",
        "CREATE INDEX lexical_postings_by_paragraph ON lexical_postings (article_id, position)",
    ),
)
VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS article_store_version"
    " (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
)


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_xact_lock."""
    return int.from_bytes(hashlib.blake2b(f"berita-qa:{name}".encode(), digest_size=8).digest(), "big", signed=True)


def migrate(conn: psycopg.Connection, dim: int) -> int:
    """Bring the schema up to the newest version in one transaction; safe from several processes
    at once (they queue on an advisory lock). Returns the version now in place."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key("schema"),))
        cur.execute(VERSION_TABLE)
        cur.execute("SELECT COALESCE(MAX(version), 0) FROM article_store_version")
        row = cur.fetchone()
        current = int(row[0]) if row else 0
        for version in range(current + 1, len(MIGRATIONS) + 1):
            for statement in MIGRATIONS[version - 1]:
                cur.execute(statement.replace("{dim}", str(int(dim))))
            cur.execute("INSERT INTO article_store_version (version) VALUES (%s)", (version,))
            log.info("article store schema: migrated to version %d", version)
    return max(current, len(MIGRATIONS))
