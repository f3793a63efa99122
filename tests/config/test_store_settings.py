"""STORE: local by default; postgres only with a PostgreSQL DATABASE_URL; anything else named."""

from __future__ import annotations

import pytest

from config.settings import SettingsError, settings_from_mapping

PG = "postgresql://bot:secret@db.internal/berita"


def test_local_by_default() -> None:
    assert settings_from_mapping({}).store == "local"
    assert settings_from_mapping({"STORE": " "}).store == "local"


def test_postgres_with_a_postgresql_url() -> None:
    settings = settings_from_mapping({"STORE": " Postgres ", "DATABASE_URL": PG})
    assert settings.store == "postgres" and settings.database_url == PG


@pytest.mark.parametrize("url", ["", "sqlite:///state.db"])
def test_postgres_needs_a_postgresql_database_url(url: str) -> None:
    with pytest.raises(SettingsError, match="STORE=postgres needs DATABASE_URL=postgresql://"):
        settings_from_mapping({"STORE": "postgres", "DATABASE_URL": url})


def test_an_unknown_store_is_named() -> None:
    with pytest.raises(SettingsError, match=r"STORE must be 'local' or 'postgres', got 'faiss'"):
        settings_from_mapping({"STORE": "faiss", "DATABASE_URL": PG})


def test_the_password_is_never_in_the_message() -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from_mapping({"STORE": "pg", "DATABASE_URL": PG})
    assert "secret" not in str(caught.value)


def test_postgres_search_knobs() -> None:
    unset = settings_from_mapping({})
    assert unset.pg_hnsw_ef_search is None and unset.pg_lexical_per_term is None
    knobs = settings_from_mapping({"PG_HNSW_EF_SEARCH": "200", "PG_LEXICAL_PER_TERM": "0"})
    assert knobs.pg_hnsw_ef_search == 200 and knobs.pg_lexical_per_term == 0
    with pytest.raises(SettingsError, match="PG_HNSW_EF_SEARCH must be between 1 and 1000, got 1001"):
        settings_from_mapping({"PG_HNSW_EF_SEARCH": "1001"})
    with pytest.raises(SettingsError, match="PG_LEXICAL_PER_TERM must be at least 0, got -1"):
        settings_from_mapping({"PG_LEXICAL_PER_TERM": "-1"})
    with pytest.raises(SettingsError, match="PG_LEXICAL_PER_TERM must be an integer"):
        settings_from_mapping({"PG_LEXICAL_PER_TERM": "lots"})
