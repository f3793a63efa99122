"""A store on a shared database (PostgreSQL): never replaced by memory, since replicas that each
remembered on their own would disagree. A failed call raises `StateUnavailable`; the next call
tries the database again (the pool reconnects), so the bot recovers by itself when it is back."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from bot.state.base import StateUnavailable
from bot.state.sql import SqlStore
from bot.state.wrapper import WrappedStore

log = logging.getLogger(__name__)

T = TypeVar("T")


class SharedStore(WrappedStore):
    """`StateStore` on a shared database: database errors become `StateUnavailable`, and the outage
    is logged once when it starts and once when it ends (not once per message)."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self._down = False
        self._lock = threading.Lock()

    @property
    def description(self) -> str:
        """Where the shared database is, safe to log."""
        return self.store.description

    @property
    def down(self) -> bool:
        """True from the first failed call until the next one that succeeds."""
        return self._down

    def _run(self, call: Callable[[SqlStore], T]) -> T:
        try:
            result = call(self.store)
        except self.store.errors as exc:
            self._went_down(exc)
            raise StateUnavailable(f"{self.description} is unavailable") from exc
        if self._down:
            self._came_back()
        return result

    def _went_down(self, exc: Exception) -> None:
        with self._lock:
            if self._down:
                return  # already said: one line per outage
            self._down = True
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        log.warning(
            "state database %s is unavailable (%s): questions are still answered, sources and statistics"
            " wait until it is back; rate limits are not checked meanwhile",
            self.description,
            problem,
        )

    def _came_back(self) -> None:
        with self._lock:
            if not self._down:
                return
            self._down = False
        log.warning("state database %s is back", self.description)

    def close(self) -> None:
        """Close the database; errors while closing are only logged."""
        try:
            self.store.close()
        except self.store.errors as exc:  # closing a broken database: nothing more to lose
            log.debug("closing %s: %s", self.description, exc)
