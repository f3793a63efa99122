"""Everything the bot remembers between messages, and across restarts: one `StateStore`.

`open_store(settings)` picks the database from DATABASE_URL: unset, SQLite in
`<INDEX_DIR>/state.db`; `sqlite:///path` (`sqlite:///:memory:`: nothing kept); `postgresql://…`
(needs the `postgres` extra). A SQLite file that cannot be used is logged once and replaced by
memory; a PostgreSQL server that cannot be reached at start is an error (`StateUnavailable`), and
one lost later makes each state call raise `StateUnavailable` until it is back (never memory: the
database is shared, and replicas remembering apart would disagree).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from bot.state.base import (
    ChatKey,
    Gap,
    Outcome,
    Remembered,
    Report,
    Retention,
    StateStore,
    StateUnavailable,
    Stats,
    Vote,
    Votes,
)
from bot.state.fallback import FallbackStore
from bot.state.shared import SharedStore
from bot.state.sql import SqlStore, grouping_key
from bot.state.sqlite import memory_store, sqlite_store
from config.settings import PROJECT_ROOT, Settings

__all__ = [
    "STATE_FILE",
    "ChatKey",
    "Gap",
    "Outcome",
    "Remembered",
    "Report",
    "Retention",
    "StateStore",
    "StateUnavailable",
    "Stats",
    "Vote",
    "Votes",
    "grouping_key",
    "open_store",
    "retention_of",
]

log = logging.getLogger(__name__)

STATE_FILE = "state.db"
_SQLITE = "sqlite:///"
_POSTGRES = ("postgresql://", "postgres://")  # settings accept no other scheme


def retention_of(settings: Settings) -> Retention:
    """The store's limits from STATE_ANSWER_TTL_DAYS (answers) and STATE_QUESTION_LOG_MAX (logged questions)."""
    return Retention(
        answer_ttl=settings.state_answer_ttl_days * 86400.0, question_log_rows=settings.state_question_log_max
    )


def sqlite_path(settings: Settings) -> Path | None:
    """The SQLite file DATABASE_URL names (relative paths from the project, as other settings);
    None for `sqlite:///:memory:`. Unset: `<INDEX_DIR>/state.db`."""
    url = settings.database_url
    if not url:
        return Path(settings.index_dir) / STATE_FILE
    rest = url.removeprefix(_SQLITE)
    if rest == ":memory:":
        return None
    path = Path(rest).expanduser()  # sqlite:////abs/state.db is absolute, as in SQLAlchemy
    return path if path.is_absolute() else PROJECT_ROOT / path


def open_store(settings: Settings) -> StateStore:
    """The store DATABASE_URL names, migrated to the current schema. Blocks: call it off the event loop."""
    url = settings.database_url
    retention = retention_of(settings)
    if url.startswith(_POSTGRES):
        try:
            from bot.state.postgres import postgres_store
        except ImportError as exc:
            missing = f"DATABASE_URL names PostgreSQL: install the 'postgres' extra ({exc.name})"
            raise StateUnavailable(missing) from None
        return SharedStore(postgres_store(url, retention))
    path = sqlite_path(settings)
    if path is None:
        return FallbackStore(memory_store(retention), retention)
    return FallbackStore(_sqlite_or_memory(path, retention), retention)


def _sqlite_or_memory(path: Path, retention: Retention) -> SqlStore:
    try:
        return sqlite_store(path, retention)
    except (OSError, sqlite3.Error) as exc:
        log.error("state database SQLite %s is unusable (%s): remembering in memory until restart", path, exc)
        return memory_store(retention)
