"""The composition root: the services one process shares between its chat adapters.

`BotServices` is built once per process, from the settings and one loaded engine, and handed
to the Telegram application and the Discord client alike: one answer memory, one rate limiter,
one statistics count, one admin lock and one index watcher, however many adapters run.
Whoever builds it starts and stops its watcher (`start_watching` / `stop_watching`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.admin import AdminDesk, watch_index
from bot.conversation import AnswerMemory, QuestionService, RateLimiter
from config.settings import Settings
from retrieval.engine import QAEngine


@dataclass
class BotServices:
    """Everything an adapter needs besides its chat library; no chat library in here."""

    settings: Settings
    questions: QuestionService
    admin: AdminDesk
    rate_limiter: RateLimiter
    _watcher: asyncio.Task[None] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, settings: Settings, engine: QAEngine) -> BotServices:
        """Wire the services around an engine that is already loaded."""
        questions = QuestionService(engine, AnswerMemory())
        limiter = RateLimiter(settings.group_questions_per_minute)
        return cls(settings, questions, AdminDesk(settings, questions), limiter)

    @classmethod
    async def load(cls, settings: Settings) -> BotServices:
        """Load the engine off the event loop (it embeds and reads the index), then wire the services."""
        engine = await asyncio.to_thread(QAEngine.load, settings, show_progress=False)
        return cls.build(settings, engine)

    @property
    def engine(self) -> QAEngine:
        return self.questions.engine

    @property
    def memory(self) -> AnswerMemory:
        return self.questions.memory

    def start_watching(self) -> None:
        """Start the one index watcher of this process (a second call does nothing)."""
        if self._watcher is None:
            self._watcher = asyncio.create_task(watch_index(self.settings, self.questions))

    def stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
