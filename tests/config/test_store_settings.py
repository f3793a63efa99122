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
