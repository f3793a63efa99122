"""SQLite for the state store: a file next to the index (the default), or memory as a fallback."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from bot.state.base import Retention
from bot.state.sql import Cursor, SqlStore

BUSY_TIMEOUT_MS = 5000  # another process writing: wait this long for the lock before failing


class SqliteBackend:
    """One connection shared by the process's threads, one lock around it: every call is short,
    and SQLite serialises writers anyway. WAL lets other processes read while one writes."""

    errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    types: Mapping[str, str] = {"id": "INTEGER PRIMARY KEY AUTOINCREMENT", "bigint": "INTEGER", "float": "REAL"}

    def __init__(self, path: Path | None) -> None:
        """`path` None: a private database in memory."""
        self.description = f"SQLite {path}" if path is not None else "SQLite in memory"
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # isolation_level=None: transactions are ours (BEGIN IMMEDIATE below), not the module's guesses.
        self._conn = sqlite3.connect(
            ":memory:" if path is None else str(path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            self._configure(in_memory=path is None)
        except sqlite3.Error:
            self._conn.close()
            raise

    def _configure(self, *, in_memory: bool) -> None:
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._conn.execute("PRAGMA foreign_keys = ON")  # answer_messages go with their answer
        if not in_memory:
            # Reading the journal mode is the first real read of the file: a corrupt one fails here.
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")  # durable enough with WAL, much faster

    @contextmanager
    def transaction(self, *, write: bool, lock: str | None = None) -> Iterator[Cursor]:
        # `lock` is not needed: BEGIN IMMEDIATE already serialises writers across processes.
        """One transaction (BEGIN IMMEDIATE for a write), committed on success and rolled back on an error."""
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            finally:
                cur.close()

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()


def sqlite_store(path: Path, retention: Retention | None = None) -> SqlStore:
    """The store in the file at `path` (created, or migrated to the current schema)."""
    return SqlStore(SqliteBackend(path), retention)


def memory_store(retention: Retention | None = None) -> SqlStore:
    """A store in memory, forgotten on exit. Its answer keys start at the current time in
    milliseconds, above any file or earlier process's keys: an old 📚 button never opens a new answer."""
    store = SqlStore(SqliteBackend(None), retention)
    with store.backend.transaction(write=True) as cur:
        cur.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('answers', ?)", (int(time.time() * 1000),))
    return store
