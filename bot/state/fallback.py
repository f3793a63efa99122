"""A store that survives its local database (SQLite): on the first database error it logs one line and
carries on in memory, so a corrupt, locked or vanished file never stops the bot answering questions.
A shared database (PostgreSQL) never falls back to memory: see `bot.state.shared`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from bot.state.base import Retention
from bot.state.sql import SqlStore
from bot.state.sqlite import memory_store
from bot.state.wrapper import WrappedStore

log = logging.getLogger(__name__)

T = TypeVar("T")


class FallbackStore(WrappedStore):
    """`StateStore` on a database store, switching for good to a memory store when the database fails."""

    def __init__(self, primary: SqlStore, retention: Retention | None = None) -> None:
        self.primary = primary
        self.retention = retention
        self._current = primary
        self._lock = threading.Lock()

    @property
    def description(self) -> str:
        """Where the state lives now: the database, or memory after it failed."""
        return self._current.description

    @property
    def degraded(self) -> bool:
        """Whether the database failed and the store now lives in memory."""
        return self._current is not self.primary

    def _run(self, call: Callable[[SqlStore], T]) -> T:
        store = self._current
        try:
            return call(store)
        except store.errors as exc:
            if store is not self.primary:
                raise  # memory itself failed: nothing left to fall back on
            self._degrade(exc)
            return call(self._current)

    def _degrade(self, exc: Exception) -> None:
        with self._lock:
            if self.degraded:
                return  # another thread got here first
            self._current = memory_store(self.retention)
        log.error(
            "state database %s failed (%s): remembering answers, limits and statistics in memory until restart",
            self.primary.description,
            exc,
        )

    def close(self) -> None:
        """Close the database and, after a fallback, the memory store; errors while closing are only logged."""
        for store in {id(self.primary): self.primary, id(self._current): self._current}.values():
            try:
                store.close()
            except store.errors as exc:  # closing a broken database: nothing more to lose
                log.debug("closing %s: %s", store.description, exc)
