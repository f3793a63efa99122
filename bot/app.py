"""The composition root: the services one process shares between its chat adapters.

`BotServices` is built once per process, from the settings and one loaded engine, and handed
to the Telegram application and the Discord client alike: one state store (answers, rate limits,
the question log), one admin lock and one index watcher, however many adapters run.
Whoever builds it starts and stops its watcher (`start_watching` / `stop_watching`) and closes it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.admin import AdminDesk, watch_index
from bot.conversation import AnswerMemory, QuestionService, RateLimiter
from bot.feeds import FeedDesk, FeedPoller
from bot.state import StateStore, open_store
from config.settings import Settings
from retrieval.engine import QAEngine
from retrieval.store import ingestor_for


@dataclass
class BotServices:
    """Everything an adapter needs besides its chat library; no chat library in here."""

    settings: Settings
    questions: QuestionService
    admin: AdminDesk
    rate_limiter: RateLimiter
    store: StateStore
    inline_limiter: RateLimiter  # Telegram inline mode: a person's uncached inline questions per minute
    feeds: FeedPoller  # followed news sites: the admin commands and the poller
    _watcher: asyncio.Task[None] | None = field(default=None, repr=False)
    _poller: asyncio.Task[None] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, settings: Settings, engine: QAEngine, store: StateStore | None = None) -> BotServices:
        """Wire the services around an engine that is already loaded (and the store DATABASE_URL names,
        opened here when none is given: that may block a moment)."""
        store = open_store(settings) if store is None else store
        questions = QuestionService(engine, AnswerMemory(store), log_text=settings.question_log)
        limiter = RateLimiter(store, settings.group_questions_per_minute)
        inline = RateLimiter(store, settings.inline_queries_per_minute)
        feed_desk = FeedDesk(settings, store, ingestor_for(settings, embedder=engine.embedder))
        feeds = FeedPoller(feed_desk, engine.swap_index)
        return cls(settings, questions, AdminDesk(settings, questions), limiter, store, inline, feeds)

    @classmethod
    async def load(cls, settings: Settings) -> BotServices:
        """Open the store and load the engine off the event loop (it embeds and reads the index),
        then wire the services. The store first: an unreachable database fails before the slow part."""
        store = await asyncio.to_thread(open_store, settings)
        try:
            engine = await asyncio.to_thread(QAEngine.load, settings, show_progress=False)
        except BaseException:
            store.close()  # no services to own it: checkpoint and release the file now
            raise
        return cls.build(settings, engine, store)

    @property
    def engine(self) -> QAEngine:
        """The question-answering engine the questions are asked of."""
        return self.questions.engine

    @property
    def memory(self) -> AnswerMemory:
        """The answers each chat was sent, kept in the state store."""
        return self.questions.memory

    def start_watching(self) -> None:
        """Start the one index watcher of this process, and the feed poller unless FEED_POLL_MINUTES=0
        (a second call does nothing)."""
        if self._watcher is None:
            self._watcher = asyncio.create_task(watch_index(self.settings, self.questions))
        if self._poller is None and self.settings.feed_poll_minutes > 0:
            self._poller = asyncio.create_task(self.feeds.run())

    def stop_watching(self) -> None:
        """Cancel the index watcher and the feed poller, if they run."""
        for task in (self._watcher, self._poller):
            if task is not None:
                task.cancel()
        self._watcher = self._poller = None

    def close(self) -> None:
        """Stop the watcher and close the state store (a last write-ahead checkpoint for SQLite)."""
        self.stop_watching()
        self.store.close()
        self.engine.close()  # STORE=postgres: the article store's connections
