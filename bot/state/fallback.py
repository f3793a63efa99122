"""A store that survives its database: on the first database error it logs one line and carries on
in memory, so a corrupt, locked or vanished database never stops the bot answering questions."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from bot.state.base import ChatKey, Outcome, Remembered, Retention, Stats
from bot.state.sql import SqlStore
from bot.state.sqlite import memory_store
from retrieval.answer import Answer

log = logging.getLogger(__name__)

T = TypeVar("T")


class FallbackStore:
    """`StateStore` on a database store, switching for good to a memory store when the database fails."""

    def __init__(self, primary: SqlStore, retention: Retention | None = None) -> None:
        self.primary = primary
        self.retention = retention
        self._current = primary
        self._lock = threading.Lock()

    @property
    def description(self) -> str:
        return self._current.description

    @property
    def degraded(self) -> bool:
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

    def remember(self, chat: ChatKey, question: str, answer: Answer, now: float | None = None) -> Remembered:
        return self._run(lambda s: s.remember(chat, question, answer, now))

    def attach_message(self, chat: ChatKey, key: int, message_id: int) -> None:
        self._run(lambda s: s.attach_message(chat, key, message_id))

    def by_message(self, chat: ChatKey, message_id: int, now: float | None = None) -> Remembered | None:
        return self._run(lambda s: s.by_message(chat, message_id, now))

    def by_key(self, chat: ChatKey, key: int, now: float | None = None) -> Remembered | None:
        return self._run(lambda s: s.by_key(chat, key, now))

    def last_answered(self, chat: ChatKey, now: float | None = None) -> Remembered | None:
        return self._run(lambda s: s.last_answered(chat, now))

    def migrate_chat(self, old: ChatKey, new: ChatKey) -> None:
        self._run(lambda s: s.migrate_chat(old, new))

    def hit_rate_limit(
        self, chat: ChatKey, user_id: int, limit: int, window: float, now: float | None = None
    ) -> tuple[bool, bool]:
        return self._run(lambda s: s.hit_rate_limit(chat, user_id, limit, window, now))

    def log_question(self, chat: ChatKey, latency_ms: float, outcome: Outcome, now: float | None = None) -> None:
        self._run(lambda s: s.log_question(chat, latency_ms, outcome, now))

    def stats(self, since: float = 0.0) -> Stats:
        return self._run(lambda s: s.stats(since))

    def prune(self, now: float | None = None) -> None:
        self._run(lambda s: s.prune(now))

    def close(self) -> None:
        for store in {id(self.primary): self.primary, id(self._current): self._current}.values():
            try:
                store.close()
            except store.errors as exc:  # closing a broken database: nothing more to lose
                log.debug("closing %s: %s", store.description, exc)
