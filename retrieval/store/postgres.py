"""The article store in PostgreSQL + pgvector (`STORE=postgres`, the database `DATABASE_URL` names).

Per question, in one read-only snapshot (REPEATABLE READ): the dense ranking from pgvector's HNSW
index over paragraph vectors (inner product = cosine, as FAISS scores), the lexical ranking from
PostgreSQL full-text search, then only the paragraphs these found (and the one before each, which
answer choice reads) with their sentences' cosines computed in the database, their articles, and
the document frequencies of the question's terms. That is a `StoreView`: the same fusion, answer
model and quote choice as the local index run on it unchanged (`retrieval.store.base.Passages`).

Lexical variants (`LEXICAL_VARIANTS`; `python -m bench.pg_store` compares them):
- `terms` (default): a `tsvector` of the very terms our BM25 analyzer makes (Sastrawi stems, our
  stopwords and aliases), scored with the same BM25 (Lucene IDF, k1 1.2, b 0.75) bm25s computes.
- `terms-tsrank`: the same terms ranked by PostgreSQL's `ts_rank`.
- `indonesian`: PostgreSQL's own `indonesian` configuration (Snowball stemmer, its stopwords)
  over the paragraph text, ranked by `ts_rank`.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import psycopg
import psycopg_pool
from psycopg import IsolationLevel
from psycopg.conninfo import conninfo_to_dict

from retrieval.answer_features import with_digit
from retrieval.corpus import ArticleMeta, Paragraph, Sentence
from retrieval.search import Hits, Query, SearchDepth
from retrieval.store.base import StoreCounts, StoreError, StoreMismatchError, StoreUnavailable
from retrieval.store.schema import POSTING_AVGDL, lock_key, migrate
from retrieval.store.vectors import register_vector
from retrieval.text import lexical_rules, raw_tokens, sentence_rules

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5  # seconds
POOL_SIZE = 4  # questions answered at once per process (the bots answer in worker threads)
HNSW_EF_SEARCH: int | None = None  # candidates HNSW keeps while searching (≥ the dense depth, 30); None: by size
HNSW_EF_SEARCH_BASE = 100  # by size (`hnsw_ef_search`): this up to HNSW_EF_SEARCH_BASE_ROWS paragraphs, then
HNSW_EF_SEARCH_BASE_ROWS = 250_000  # growing with the square root of the size (200 at 1M), at most
HNSW_EF_SEARCH_MAX = 400  # (README, "The PostgreSQL store at scale": recall against exact search per size)
BM25_K1, BM25_B = 1.2, 0.75  # as retrieval.lexical builds bm25s
LEXICAL_PER_TERM = 3000  # postings read per question term at most (see _BM25; README, "PostgreSQL store at scale")
LEXICAL_CANDIDATES = 200  # paragraphs whose exact BM25 is computed
LEXICAL_BOUND_LIMIT = 20_000  # postings per term the bounded second read takes at most (see PostgresStore._bm25)
LEXICAL_VARIANTS = ("terms", "terms-tsrank", "indonesian")
DEFAULT_LEXICAL = "terms"  # chosen on the seed question sets (README, "The PostgreSQL store")

Key = tuple[str, int]  # (article_id, position of the paragraph in its article, from 0)


def hnsw_ef_search(paragraphs: int) -> int:
    """HNSW's search depth for a corpus of this size: HNSW_EF_SEARCH_BASE up to HNSW_EF_SEARCH_BASE_ROWS
    paragraphs, then growing with the square root of the size, at most HNSW_EF_SEARCH_MAX. A pooled
    connection sets it when it opens (the pool renews its connections within the hour, so a growing
    corpus is caught up with)."""
    scaled = HNSW_EF_SEARCH_BASE * (max(paragraphs, 0) / HNSW_EF_SEARCH_BASE_ROWS) ** 0.5
    return int(min(max(round(scaled), HNSW_EF_SEARCH_BASE), HNSW_EF_SEARCH_MAX))


def describe(url: str) -> str:
    """The database a libpq URI names, for messages: never the password."""
    try:
        parts = conninfo_to_dict(url)
    except Exception:  # a malformed URI: say so without echoing it
        return "PostgreSQL (DATABASE_URL could not be parsed)"
    host = parts.get("host") or "localhost"
    return f"PostgreSQL database {parts.get('dbname') or parts.get('user') or '?'} on {host}"


def _ts_lexeme(term: str) -> str:
    """A term as a quoted lexeme of a tsvector/tsquery literal (taken verbatim, no analysis)."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def terms_tsvector(terms: Sequence[str]) -> str:
    """`'nato':1,4 'rutte':2 …`: every term with one position per occurrence (BM25's term frequency)."""
    positions: dict[str, list[int]] = {}
    for i, term in enumerate(terms, start=1):
        positions.setdefault(term, []).append(min(i, 16383))
    return " ".join(f"{_ts_lexeme(t)}:{','.join(map(str, p[:256]))}" for t, p in positions.items())


def _terms_tsquery(terms: Sequence[str]) -> str:
    return " | ".join(_ts_lexeme(t) for t in dict.fromkeys(terms))


def _indonesian_query(query: Query) -> str:
    """The question's words and their alternatives, OR-ed, for `to_tsquery('indonesian', …)`."""
    words = [re.sub(r"\W", "", w) for w in [*raw_tokens(query.text), *query.terms]]
    return " | ".join(dict.fromkeys(w.lower() for w in words if w))


# BM25 in two steps. First the candidates: each question term's postings in order of their weight,
# at most `per_term` of them (all of them for any term in fewer paragraphs), summed per paragraph;
# the best `candidates`. Then their exact BM25 over all the question's terms, from each paragraph's
# terms. When no term is in more than `per_term` paragraphs the result is exactly BM25's top k (the
# seeds, any small corpus); past that only a very common (low-IDF) term's weakest postings are not read.
# Each candidate's paragraph is looked up by its key (LIMIT 1 keeps the planner from turning that into
# a merge join over the whole table, which it picked at 1M paragraphs before ANALYZE).
_BM25 = """
WITH q(term, n, cut) AS (SELECT * FROM unnest(%(terms)s::text[], %(counts)s::int[], %(cuts)s::float8[])),
st AS (SELECT paragraphs::float8 AS docs, term_total::float8 / GREATEST(paragraphs, 1) AS avgdl FROM corpus_stats),
w AS (SELECT q.term, q.cut, q.n * ln(1 + (st.docs - t.df + 0.5) / (t.df + 0.5)) AS idf
      FROM q JOIN lexical_terms t USING (term) CROSS JOIN st),
c AS (SELECT h.article_id, h.position
      FROM w CROSS JOIN st CROSS JOIN LATERAL (
          {postings}) h
      GROUP BY h.article_id, h.position
      ORDER BY sum(w.idf * h.tf / (h.tf + %(k1)s * (1 - %(b)s + %(b)s * h.term_count / st.avgdl))) DESC
      LIMIT %(candidates)s)
SELECT p.article_id, p.position,
       sum(w.idf * cardinality(u.positions)
           / (cardinality(u.positions) + %(k1)s * (1 - %(b)s + %(b)s * p.term_count / st.avgdl))) AS score
FROM c CROSS JOIN st
CROSS JOIN LATERAL (SELECT x.article_id, x.position, x.term_count, x.terms FROM paragraphs x
                    WHERE x.article_id = c.article_id AND x.position = c.position LIMIT 1) p
CROSS JOIN LATERAL unnest(p.terms) AS u(lexeme, positions, weights)
JOIN w ON w.term = u.lexeme
GROUP BY p.article_id, p.position
ORDER BY score DESC, p.article_id, p.position
LIMIT %(k)s
"""
# A term's postings: its `per_term` best (the capped read), and, for the second read of `refine`,
# also every posting down to its cut (at most `bound_limit`); the capped read alone skips the union.
_CAPPED_POSTINGS = """(SELECT l.article_id, l.position, l.tf, l.term_count FROM lexical_postings l
           WHERE l.term = w.term ORDER BY l.impact DESC LIMIT %(per_term)s)"""
_BOUNDED_POSTINGS = """(SELECT l.article_id, l.position, l.tf, l.term_count FROM lexical_postings l
           WHERE l.term = w.term AND l.impact >= w.cut::real ORDER BY l.impact DESC LIMIT %(bound_limit)s)"""
_BM25_CAPPED = _BM25.replace("{postings}", _CAPPED_POSTINGS)
_BM25_REFINED = _BM25.replace("{postings}", f"{_CAPPED_POSTINGS}\n          UNION\n          {_BOUNDED_POSTINGS}")
_TSRANK = """
SELECT article_id, position, ts_rank({column}, q) AS score
FROM paragraphs, {query} AS q
WHERE {column} @@ q
ORDER BY score DESC, article_id, position
LIMIT %(k)s
"""
_DENSE = """
SELECT article_id, position, -(embedding <#> %(q)s) FROM paragraph_vectors
ORDER BY embedding <#> %(q)s LIMIT %(k)s
"""
_PARAGRAPHS = """
SELECT p.article_id, p.position, p.number, p.heading, p.text, -(v.embedding <#> %(q)s)
FROM unnest(%(ids)s::text[], %(positions)s::int[]) AS k(article_id, position)
JOIN paragraphs p USING (article_id, position) JOIN paragraph_vectors v USING (article_id, position)
"""
_SENTENCES = """
SELECT s.article_id, s.paragraph, array_agg(s.start_char ORDER BY s.position),
       array_agg(s.end_char ORDER BY s.position), array_agg(-(s.embedding <#> %(q)s) ORDER BY s.position)
FROM unnest(%(ids)s::text[], %(positions)s::int[]) AS k(article_id, paragraph)
JOIN sentences s USING (article_id, paragraph)
GROUP BY s.article_id, s.paragraph
"""
_ARTICLE_COLUMNS = "article_id, title, outlet, source_note, dateline, url, date, date_source"


@dataclass
class StoreTerms:
    """`TermStats` for one question: corpus size and the frequencies of its terms, read in its snapshot."""

    num_docs: int
    df: dict[str, int]
    fetch: Callable[[list[str]], dict[str, int]]  # for a term not read up front (rare): a fresh read
    common: Callable[[float], frozenset[str]]

    def document_frequency(self, term: str) -> int:
        """Paragraphs holding `term`."""
        if term not in self.df:
            self.df.update(self.fetch([term]))
            self.df.setdefault(term, 0)
        return self.df[term]

    def common_terms(self, share: float) -> frozenset[str]:
        """Terms in at least `share` of the paragraphs."""
        return self.common(share)


@dataclass
class StoreView:
    """The paragraphs one question found (and the paragraph before each), as `Passages`.

    Rows are sorted by (article, position), so row i - 1 is the paragraph before row i whenever
    both are of one article. Cosines were computed in the database for the question's vector.
    """

    keys: list[Key]
    paragraphs: list[Paragraph]
    articles: dict[str, ArticleMeta]
    lexical: StoreTerms
    cosines: np.ndarray  # per row: the paragraph's cosine
    sentence_scores: list[np.ndarray]  # per row: its sentences' cosines
    offsets: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.offsets = np.zeros(len(self.paragraphs) + 1, dtype=np.int64)
        self.offsets[1:] = np.cumsum([len(p.sentences) for p in self.paragraphs])

    def sentence_rows(self, paragraph: int) -> range:
        """Sentence rows of a paragraph row."""
        return range(int(self.offsets[paragraph]), int(self.offsets[paragraph + 1]))

    def sentence_cosines(self, rows: Sequence[int], vector: np.ndarray) -> list[np.ndarray]:
        """Computed in the database for this question's vector (`vector` is that vector)."""
        return [self.sentence_scores[r] for r in rows]

    def paragraph_cosines(self, rows: Sequence[int], vector: np.ndarray) -> np.ndarray:
        """Computed in the database for this question's vector."""
        return self.cosines[list(rows)]


class PostgresStore:
    """The articles, vectors and lexical index in PostgreSQL; `gather` is thread-safe (a pool)."""

    def __init__(
        self,
        url: str,
        *,
        lexical: str = DEFAULT_LEXICAL,
        pool_size: int = POOL_SIZE,
        ef_search: int | None = None,
        per_term: int | None = LEXICAL_PER_TERM,
        refine: bool = False,
    ) -> None:
        if lexical not in LEXICAL_VARIANTS:
            raise ValueError(f"lexical must be one of {LEXICAL_VARIANTS}, got {lexical!r}")
        if ef_search is not None and not 1 <= ef_search <= 1000:  # pgvector's range
            raise ValueError(f"ef_search must be between 1 and 1000, got {ef_search}")
        if per_term is not None and per_term < 1:
            raise ValueError(f"per_term must be at least 1 (None: no cap), got {per_term}")
        self.url = url
        self.description = describe(url)
        self.lexical = lexical
        self.ef_search = HNSW_EF_SEARCH if ef_search is None else ef_search  # None: by size, per connection
        self.per_term = per_term  # None: every posting of every question term (exact BM25, slow on a big corpus)
        self.refine = refine  # a second, bounded read when a question term has more postings than per_term
        self.bound_limit = LEXICAL_BOUND_LIMIT
        self.candidates = LEXICAL_CANDIDATES
        self._common: dict[tuple[float, int], frozenset[str]] = {}
        self._pool = psycopg_pool.ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            open=False,
            timeout=CONNECT_TIMEOUT * 2,
            configure=self._configure_reader,
            check=psycopg_pool.ConnectionPool.check_connection,
            kwargs={"connect_timeout": CONNECT_TIMEOUT},
        )

    # -- opening ------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        url: str,
        embedder_name: str,
        dim: int,
        *,
        lexical: str = DEFAULT_LEXICAL,
        ef_search: int | None = None,
        per_term: int | None = LEXICAL_PER_TERM,
        refine: bool = False,
    ) -> PostgresStore:
        """Connect, bring the schema up to date and check the embedder; StoreError when unusable."""
        store = cls(url, lexical=lexical, ef_search=ef_search, per_term=per_term, refine=refine)
        try:
            with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT) as conn:
                migrate(conn, dim)
                store._claim(conn, embedder_name, dim)
            store._pool.open(wait=True, timeout=CONNECT_TIMEOUT * 2)
        except (psycopg.Error, psycopg_pool.PoolTimeout) as exc:
            store._pool.close()
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"{store.description} cannot hold the articles: {first}") from None
        except StoreError:
            store._pool.close()
            raise
        return store

    def _claim(self, conn: psycopg.Connection, embedder_name: str, dim: int) -> None:
        """Record the embedder on first use; refuse another one later (its vectors would not compare)."""
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key("meta"),))
            cur.execute("SELECT key, value FROM store_meta")
            meta: dict[str, str] = dict(cur.fetchall())
            if "embedder" not in meta:
                cur.executemany(
                    "INSERT INTO store_meta (key, value) VALUES (%s, %s)",
                    [("embedder", embedder_name), ("dim", str(dim)), ("lexical_rules", lexical_rules()),
                     ("sentence_rules", sentence_rules())],
                )
                return
        if meta["embedder"] != embedder_name or int(meta["dim"]) != dim:
            raise StoreMismatchError(
                f"{self.description} holds vectors of {meta['embedder']} ({meta['dim']} dimensions), but the bot"
                f" embeds with {embedder_name} ({dim}); use that model, or a new database"
            )
        if meta.get("lexical_rules") != lexical_rules() or meta.get("sentence_rules") != sentence_rules():
            log.warning(
                "%s: the articles were analysed with older word lists or sentence rules; "
                "re-ingest them to apply the new ones", self.description
            )

    def _configure_reader(self, conn: psycopg.Connection) -> None:
        """Each pooled connection: vectors as numpy, HNSW's search depth, read-only snapshots."""
        register_vector(conn)
        ef = self.ef_search
        if ef is None:
            row = conn.execute("SELECT paragraphs FROM corpus_stats").fetchone()
            ef = hnsw_ef_search(int(row[0]) if row else 0)
        conn.execute(f"SET hnsw.ef_search = {int(ef)}")
        conn.commit()
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True

    def close(self) -> None:
        """Close the connection pool."""
        self._pool.close()

    @contextmanager
    def _snapshot(self) -> Iterator[psycopg.Connection]:
        """A pooled connection in one read-only REPEATABLE READ transaction; StoreUnavailable when the
        database cannot be reached (or the connection drops mid-question)."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as exc:
            raise StoreUnavailable(f"{self.description} cannot be reached: {exc}") from exc

    # -- what it holds --------------------------------------------------------------------

    def counts(self) -> StoreCounts:
        """Articles, paragraphs and sentences stored."""
        with self._snapshot() as conn:
            row = conn.execute(
                "SELECT articles, paragraphs, (SELECT count(*) FROM sentences) FROM corpus_stats"
            ).fetchone()
        assert row is not None
        return StoreCounts(int(row[0]), int(row[1]), int(row[2]))

    def article_rows(self) -> list[tuple[str, str, str | None, int]]:
        """(id, title, outlet, paragraphs) of every article, by id."""
        with self._snapshot() as conn:
            rows = conn.execute("SELECT article_id, title, outlet, paragraphs FROM articles ORDER BY article_id")
            return [(str(a), str(t), o, int(n)) for a, t, o, n in rows.fetchall()]

    # -- one question ------------------------------------------------------------------------

    def gather(self, query: Query, depth: SearchDepth) -> Hits:
        """Dense and lexical hits for `query` and the view their rows refer to (one snapshot)."""
        if depth.exclude:
            raise ValueError("the PostgreSQL store does not exclude paragraphs (training uses the local index)")
        with self._snapshot() as conn:
            t0 = time.perf_counter()
            dense = self._dense(conn, query.vector, depth.dense) if depth.use_dense else {}
            t1 = time.perf_counter()
            lexical = self._lexical(conn, query, depth.lexical) if depth.use_lexical and query.terms else {}
            t2 = time.perf_counter()
            view = self._view(conn, query, list(dense) + list(lexical)) if dense or lexical else None
            t3 = time.perf_counter()
        timings = {"dense": (t1 - t0) * 1e3, "lexical": (t2 - t1) * 1e3, "fetch": (t3 - t2) * 1e3}
        if view is None:
            return Hits(_EMPTY_VIEW, {}, {}, timings)
        row_of = {key: row for row, key in enumerate(view.keys)}
        dense_rows = {row_of[k]: s for k, s in dense.items() if k in row_of}
        return Hits(view, dense_rows, {row_of[k]: s for k, s in lexical.items() if k in row_of}, timings)

    @staticmethod
    def _dense(conn: psycopg.Connection, vector: np.ndarray, k: int) -> dict[Key, float]:
        rows = conn.execute(_DENSE, {"q": np.asarray(vector, dtype=np.float32), "k": k}).fetchall()
        return {(str(a), int(p)): float(s) for a, p, s in rows}

    def _lexical(self, conn: psycopg.Connection, query: Query, k: int) -> dict[Key, float]:
        if self.lexical == "terms":
            rows = self._bm25(conn, query, k)
        elif self.lexical == "terms-tsrank":
            sql = _TSRANK.format(column="terms", query="CAST(%(q)s AS tsquery)")
            rows = conn.execute(sql, {"q": _terms_tsquery(query.terms), "k": k}).fetchall()
        else:
            words = _indonesian_query(query)
            if not words:
                return {}
            sql = _TSRANK.format(column="words", query="to_tsquery('indonesian', %(q)s)")
            rows = conn.execute(sql, {"q": words, "k": k}).fetchall()
        return {(str(a), int(p)): float(s) for a, p, s in rows if s > 0}

    def _bm25(self, conn: psycopg.Connection, query: Query, k: int) -> list[tuple[Any, ...]]:
        """BM25's best `k` (see _BM25): the capped read, then, when a question term has more postings
        than the cap, the bounded read (`refine`)."""
        counts = Counter(query.terms)
        params: dict[str, Any] = {
            "terms": list(counts), "counts": list(counts.values()), "cuts": [None] * len(counts), "k1": BM25_K1,
            "b": BM25_B, "k": k, "per_term": self.per_term, "candidates": max(self.candidates, k),
            "bound_limit": self.bound_limit,
        }  # fmt: skip
        rows = conn.execute(_BM25_CAPPED, params).fetchall()
        if not self.refine or self.per_term is None:
            return rows
        kth = float(rows[k - 1][2]) if len(rows) >= k else 0.0
        cuts = self._cuts(conn, counts, kth)
        if cuts is None:
            return rows  # nothing unread can reach the k-th score found: these are BM25's best k
        return conn.execute(_BM25_REFINED, params | {"cuts": [cuts.get(t) for t in counts]}).fetchall()

    def _cuts(self, conn: psycopg.Connection, counts: Counter[str], kth: float) -> dict[str, float] | None:
        """Per question term, the impact down to which its postings must be read so that no paragraph
        left unread can score `kth` (the k-th BM25 score the capped read found); None when the capped
        read already makes sure of that.

        A paragraph not read holds no term whose postings were all read (at most `per_term`), and from
        each other term it gets less than that term's cut: the cuts (in score) sum to `kth`. They are
        shared out MaxScore-like: a term that can give at most m (its IDF times its best posting's
        weight) takes m, the rest share what is left equally. Scores use the corpus's average length,
        the impacts POSTING_AVGDL: the cut is lowered by their ratio when the corpus's is longer.
        """
        assert self.per_term is not None
        rows = conn.execute(
            "SELECT t.term, t.df, s.paragraphs, s.term_total, (SELECT l.impact FROM lexical_postings l"
            " WHERE l.term = t.term ORDER BY l.impact DESC LIMIT 1)"
            " FROM lexical_terms t CROSS JOIN corpus_stats s WHERE t.term = ANY(%s) AND t.df > %s",
            (list(counts), self.per_term),
        ).fetchall()
        if not rows:
            return None  # every posting of every term was read: exact
        docs, total = float(rows[0][2]), float(rows[0][3])
        stretch = max(1.0, total / max(docs, 1.0) / POSTING_AVGDL)
        weight = {str(t): counts[str(t)] * np.log(1 + (docs - df + 0.5) / (df + 0.5)) * stretch for t, df, *_ in rows}
        most = sorted(((weight[str(t)] * float(best or 0.0), str(t)) for t, _, _, _, best in rows))
        budget, left = kth, len(most)
        if kth > 0 and sum(m for m, _ in most) < kth:
            return None
        cuts: dict[str, float] = {}
        for m, term in most:
            share = budget / left
            if m < share and kth > 0:  # cannot reach its share: its capped read is enough
                budget, left = budget - m, left - 1
                continue
            cuts[term] = share / weight[term]  # in impact: score = weight × impact at most
        return cuts

    def _view(self, conn: psycopg.Connection, query: Query, found: list[Key]) -> StoreView:
        """The found paragraphs and the one before each, with their sentences, articles and cosines."""
        wanted = set(found) | {(a, p - 1) for a, p in found if p > 0}
        keys = sorted(wanted)
        ids, positions = [a for a, _ in keys], [p for _, p in keys]
        vector = np.asarray(query.vector, dtype=np.float32)
        with conn.pipeline():
            par_cur = conn.execute(_PARAGRAPHS, {"q": vector, "ids": ids, "positions": positions})
            sen_cur = conn.execute(_SENTENCES, {"q": vector, "ids": ids, "positions": positions})
            art_cur = conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE article_id = ANY(%s)", (sorted(set(ids)),)
            )
            terms = sorted(self._question_terms(query))
            df_cur = conn.execute("SELECT term, df FROM lexical_terms WHERE term = ANY(%s)", (terms,))
            n_cur = conn.execute("SELECT paragraphs FROM corpus_stats")
            paragraph_rows = {(str(r[0]), int(r[1])): r for r in par_cur.fetchall()}
            sentence_rows = {(str(r[0]), int(r[1])): r for r in sen_cur.fetchall()}
            articles = {str(r[0]): ArticleMeta(*r) for r in art_cur.fetchall()}
            df = {str(t): int(n) for t, n in df_cur.fetchall()}
            num_docs_row = n_cur.fetchone()
        keys = [k for k in keys if k in paragraph_rows]  # found a moment ago, so always there: same snapshot
        paragraphs: list[Paragraph] = []
        scores: list[np.ndarray] = []
        for key in keys:
            article_id, _, number, heading, text, _ = paragraph_rows[key]
            _, _, starts, ends, cosines = sentence_rows.get(key, (None, None, [], [], []))
            spans = tuple(Sentence(int(s), int(e)) for s, e in zip(starts, ends, strict=True))
            paragraphs.append(Paragraph(str(article_id), int(number), str(text), spans, heading))
            scores.append(np.asarray(cosines, dtype=np.float32))
        stats = StoreTerms(int(num_docs_row[0]) if num_docs_row else 0, df, self._fetch_df, self._common_terms)
        cosines = np.asarray([paragraph_rows[k][5] for k in keys], dtype=np.float32)
        return StoreView(keys, paragraphs, articles, stats, cosines, scores)

    @staticmethod
    def _question_terms(query: Query) -> set[str]:
        """Every term answer choice may weigh: the search terms, each word's alternatives and digits."""
        terms = set(query.terms)
        for group in query.groups:
            terms.update(with_digit(group).terms)
        return terms

    def known_terms(self, terms: Collection[str]) -> frozenset[str]:
        """Which of `terms` some stored paragraph holds, in one query; StoreUnavailable when unreachable."""
        if not terms:
            return frozenset()
        return frozenset(term for term, df in self._fetch_df(sorted(terms)).items() if df > 0)

    def _fetch_df(self, terms: list[str]) -> dict[str, int]:
        with self._snapshot() as conn:
            rows = conn.execute("SELECT term, df FROM lexical_terms WHERE term = ANY(%s)", (terms,)).fetchall()
        return {str(t): int(n) for t, n in rows}

    def _common_terms(self, share: float) -> frozenset[str]:
        """Terms in at least `share` of the paragraphs (the rules' "known everywhere"), cached per corpus size."""
        with self._snapshot() as conn:
            row = conn.execute("SELECT paragraphs FROM corpus_stats").fetchone()
            n = int(row[0]) if row else 0
            if (share, n) not in self._common:
                rows = conn.execute("SELECT term FROM lexical_terms WHERE df >= %s", (share * n,)).fetchall()
                self._common = {(share, n): frozenset(str(r[0]) for r in rows)}
        return self._common[(share, n)]


_EMPTY_VIEW = StoreView([], [], {}, StoreTerms(0, {}, lambda _t: {}, lambda _s: frozenset()), np.zeros(0), [])
