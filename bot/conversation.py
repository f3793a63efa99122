"""What Telegram and Discord share: memory of recent answers, follow-ups, rate limits, asking.

Pure Python, no chat library: users and messages are plain ids; a chat is a `ChatKey`, so one
memory and one rate limiter can serve both platforms without their ids ever colliding. What they
remember lives in the process's one `StateStore` (`bot.state`); these are its async front.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.state import ChatKey, Outcome, Remembered, Report, StateStore, StateUnavailable, Stats, Vote, Votes
from retrieval.answer import Answer
from retrieval.engine import QAEngine

__all__ = ["AnswerMemory", "Asked", "ChatKey", "QuestionService", "RateLimiter", "Remembered", "Stats", "off_loop"]

T = TypeVar("T")

log = logging.getLogger(__name__)

# An answer is stored before it is sent, but its messages are linked to it only after the send
# returns their ids. A reply that reaches another replica in between ("/sumber" as a reply the
# moment the answer appears) would find no answer; it looks once more after this pause.
LINK_GRACE_SECONDS = 0.5

# While a shared state database is away (StateUnavailable), questions are still answered: only what
# needs the stored answers fails. The store logs the outage once; these fallbacks log at debug level.


# The store's calls are short but may wait on a database lock: they run on their own threads, so
# they neither block the event loop nor queue behind engine questions in asyncio's default pool.
_STATE_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="state")


async def off_loop(call: Callable[..., T], *args: Any) -> T:
    """`call(*args)` on a state thread."""
    return await asyncio.get_running_loop().run_in_executor(_STATE_THREADS, functools.partial(call, *args))


class AnswerMemory:
    """The answers each chat was sent (for /sumber, the 📚 button and follow-ups), kept in the store."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    async def remember(self, chat: ChatKey, question: str, answer: Answer) -> Remembered:
        """Keep an answer for later /sumber, buttons and follow-ups; StateUnavailable when the store is away."""
        return await off_loop(self.store.remember, chat, question, answer)

    async def remember_if_possible(self, chat: ChatKey, question: str, answer: Answer) -> Remembered | None:
        """`remember`, or None while the store is unavailable: the answer is sent anyway, without a button."""
        try:
            return await self.remember(chat, question, answer)
        except StateUnavailable as exc:
            log.debug("answer not remembered: %s", exc)
            return None

    async def attach_message(self, chat: ChatKey, key: int, message_id: int) -> None:
        """Record which bot message carries answer `key` (for replies and /sumber as a reply).
        Best effort: the message is already sent, so a store that just went away is no error here."""
        try:
            await off_loop(self.store.attach_message, chat, key, message_id)
        except StateUnavailable as exc:
            log.debug("message %d not attached to answer %d: %s", message_id, key, exc)

    async def by_message(self, chat: ChatKey, message_id: int, *, just_sent: bool = False) -> Remembered | None:
        """The answer the bot message `message_id` carries, if the store holds it. `just_sent`: the
        message is known to be the bot's own, so when no answer holds it yet, look once more after
        LINK_GRACE_SECONDS (the replica that sent it links it only once Telegram has returned its id)."""
        found = await off_loop(self.store.by_message, chat, message_id)
        if found is None and just_sent:
            await asyncio.sleep(LINK_GRACE_SECONDS)
            found = await off_loop(self.store.by_message, chat, message_id)
        return found

    async def by_key(self, chat: ChatKey, key: int) -> Remembered | None:
        """The answer with this key in the chat (a button's), if the store still holds it."""
        return await off_loop(self.store.by_key, chat, key)

    async def last_answered(self, chat: ChatKey) -> Remembered | None:
        """The most recent answer in the chat that has sources."""
        return await off_loop(self.store.last_answered, chat)

    async def migrate(self, old: ChatKey, new: ChatKey) -> None:
        """A group became a supergroup: its memory follows it."""
        await off_loop(self.store.migrate_chat, old, new)

    async def vote(self, chat: ChatKey, key: int, user_id: int, vote: Vote) -> tuple[Remembered, Votes] | None:
        """Record a 👍/👎 on answer `key` (one per person; a new one replaces it): the answer and its
        counts, or None when the store no longer holds the answer."""
        item = await self.by_key(chat, key)
        if item is None:
            return None
        votes = await off_loop(self.store.vote, chat, key, user_id, vote)
        return None if votes is None else (item, votes)


class RateLimiter:
    """At most `limit` questions per user per `window` seconds in one chat, counted in the store."""

    def __init__(self, store: StateStore, limit: int, window: float = 60.0) -> None:
        self.store = store
        self.limit = limit
        self.window = window

    async def check(self, chat: ChatKey, user_id: int) -> tuple[bool, bool]:
        """(allowed, warn): `warn` is True only for the first refused question of a burst. A limit that
        cannot be checked lets the question through: better an extra answer than silence."""
        if self.limit <= 0:
            return True, False
        try:
            return await off_loop(self.store.hit_rate_limit, chat, user_id, self.limit, self.window)
        except StateUnavailable as exc:
            log.debug("rate limit not checked, question let through: %s", exc)
            return True, False


@dataclass(frozen=True)
class Asked:
    """A question as the engine read it (broken characters replaced) and its answer."""

    question: str
    answer: Answer


class QuestionService:
    """Asks the engine off the event loop, folding in the question a follow-up replies to."""

    def __init__(self, engine: QAEngine, memory: AnswerMemory, *, log_text: bool = True) -> None:
        self.engine = engine
        self.memory = memory
        self.log_text = log_text  # QUESTION_LOG: keep each question's text for the coverage report
        self.started = time.time()  # "since start" in /statistik: this process's start

    async def stats(self) -> Stats:
        """Questions since this process started (the store may hold earlier ones too)."""
        return await off_loop(self.memory.store.stats, self.started)

    async def stats_all(self) -> Stats:
        """Every question the store's log still holds."""
        return await off_loop(self.memory.store.stats)

    async def report(self, since: float, gaps: int = 10) -> Report:
        """Outcomes, votes and the most-asked unanswered questions logged at or after `since`."""
        return await off_loop(self.memory.store.report, since, gaps)

    async def ask(self, question: str, *, chat: ChatKey, replied_to: int | None = None, logged: bool = True) -> Asked:
        """The engine's answer; StateUnavailable only for a follow-up whose earlier answer cannot be read.
        `logged=False` keeps it out of the question log (inline queries: one per pause in typing)."""
        context = None
        if replied_to is not None:
            earlier = await self.memory.by_message(chat, replied_to, just_sent=True)
            context = earlier.question if earlier else None
        # Embedding and search are CPU work: keep the event loop (and heartbeats) free.
        answer = await asyncio.to_thread(self.engine.ask, question, context)
        if not logged:
            return Asked(answer.question, answer)
        outcome: Outcome = "answered" if answer.answered else "abstained"
        kept_text = answer.question if self.log_text else None
        latency = answer.timings_ms.get("total", 0.0)
        try:
            await off_loop(self.memory.store.log_question, chat, latency, outcome, None, kept_text)
        except StateUnavailable as exc:  # a gap in /statistik, not a reason to withhold the answer
            log.debug("question not logged: %s", exc)
        return Asked(answer.question, answer)  # the engine's copy: broken characters already replaced
