"""The `StateStore` methods once, for stores that wrap a `SqlStore` and differ only in how a call
runs (`FallbackStore`: memory after a failure; `SharedStore`: an error, then the database again)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from bot.state.base import ChatKey, Outcome, Remembered, Report, Stats, Vote, Votes
from bot.state.sql import SqlStore
from retrieval.answer import Answer
from retrieval.feeds.model import FeedSource, SeenItem

T = TypeVar("T")


class WrappedStore:
    """Every `StateStore` call goes through `_run`, which subclasses define."""

    def _run(self, call: Callable[[SqlStore], T]) -> T:
        raise NotImplementedError

    def remember(self, chat: ChatKey, question: str, answer: Answer, now: float | None = None) -> Remembered:
        """`SqlStore.remember`, run through `_run`."""
        return self._run(lambda s: s.remember(chat, question, answer, now))

    def attach_message(self, chat: ChatKey, key: int, message_id: int) -> None:
        """`SqlStore.attach_message`, run through `_run`."""
        self._run(lambda s: s.attach_message(chat, key, message_id))

    def by_message(self, chat: ChatKey, message_id: int, now: float | None = None) -> Remembered | None:
        """`SqlStore.by_message`, run through `_run`."""
        return self._run(lambda s: s.by_message(chat, message_id, now))

    def by_key(self, chat: ChatKey, key: int, now: float | None = None) -> Remembered | None:
        """`SqlStore.by_key`, run through `_run`."""
        return self._run(lambda s: s.by_key(chat, key, now))

    def last_answered(self, chat: ChatKey, now: float | None = None) -> Remembered | None:
        """`SqlStore.last_answered`, run through `_run`."""
        return self._run(lambda s: s.last_answered(chat, now))

    def migrate_chat(self, old: ChatKey, new: ChatKey) -> None:
        """`SqlStore.migrate_chat`, run through `_run`."""
        self._run(lambda s: s.migrate_chat(old, new))

    def hit_rate_limit(
        self, chat: ChatKey, user_id: int, limit: int, window: float, now: float | None = None
    ) -> tuple[bool, bool]:
        """`SqlStore.hit_rate_limit`, run through `_run`."""
        return self._run(lambda s: s.hit_rate_limit(chat, user_id, limit, window, now))

    def log_question(
        self, chat: ChatKey, latency_ms: float, outcome: Outcome, now: float | None = None, question: str | None = None
    ) -> None:
        """`SqlStore.log_question`, run through `_run`."""
        self._run(lambda s: s.log_question(chat, latency_ms, outcome, now, question))

    def vote(self, chat: ChatKey, key: int, user_id: int, vote: Vote, now: float | None = None) -> Votes | None:
        """`SqlStore.vote`, run through `_run`."""
        return self._run(lambda s: s.vote(chat, key, user_id, vote, now))

    def report(self, since: float = 0.0, gaps: int = 10) -> Report:
        """`SqlStore.report`, run through `_run`."""
        return self._run(lambda s: s.report(since, gaps))

    def stats(self, since: float = 0.0) -> Stats:
        """`SqlStore.stats`, run through `_run`."""
        return self._run(lambda s: s.stats(since))

    def prune(self, now: float | None = None) -> None:
        """`SqlStore.prune`, run through `_run`."""
        self._run(lambda s: s.prune(now))

    def feed_sources(self) -> list[FeedSource]:
        """`SqlStore.feed_sources`, run through `_run`."""
        return self._run(lambda s: s.feed_sources())

    def follow_feed(self, url: str, now: float | None = None) -> bool:
        """`SqlStore.follow_feed`, run through `_run`."""
        return self._run(lambda s: s.follow_feed(url, now))

    def unfollow_feed(self, url: str) -> bool:
        """`SqlStore.unfollow_feed`, run through `_run`."""
        return self._run(lambda s: s.unfollow_feed(url))

    def save_feed(self, source: FeedSource) -> None:
        """`SqlStore.save_feed`, run through `_run`."""
        self._run(lambda s: s.save_feed(source))

    def seen_items(self, urls: Sequence[str]) -> dict[str, SeenItem]:
        """`SqlStore.seen_items`, run through `_run`."""
        return self._run(lambda s: s.seen_items(urls))

    def mark_seen(self, feed_url: str, items: Sequence[SeenItem], now: float | None = None) -> None:
        """`SqlStore.mark_seen`, run through `_run`."""
        self._run(lambda s: s.mark_seen(feed_url, items, now))
