"""What Telegram and Discord share: memory of recent answers, follow-ups, rate limits, asking.

Pure Python, no chat library: users and messages are plain ids; a chat is a `ChatKey`, so one
memory and one rate limiter can serve both platforms without their ids ever colliding.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from retrieval.answer import Answer
from retrieval.engine import QAEngine


@dataclass(frozen=True)
class ChatKey:
    """A chat on one platform: Telegram chat 14 and Discord channel 14 are different chats."""

    platform: str  # "telegram" | "discord"
    chat_id: int


@dataclass(frozen=True)
class Remembered:
    """An answer the bot sent, with the question it answered."""

    key: int  # stable id for buttons ("src:<key>")
    chat: ChatKey
    question: str
    answer: Answer


@dataclass
class _ChatMemory:
    by_key: OrderedDict[int, Remembered] = field(default_factory=OrderedDict)
    by_message: dict[int, int] = field(default_factory=dict)  # bot message id → key


class AnswerMemory:
    """Recent answers per chat, bounded in answers per chat and in chats (least recently used go)."""

    def __init__(self, per_chat: int = 50, max_chats: int = 5000) -> None:
        self.per_chat = per_chat
        self.max_chats = max_chats
        self._chats: OrderedDict[ChatKey, _ChatMemory] = OrderedDict()
        self._keys = itertools.count(1)
        self._lock = threading.Lock()

    def _chat(self, chat: ChatKey) -> _ChatMemory:
        memory = self._chats.get(chat)
        if memory is None:
            memory = self._chats[chat] = _ChatMemory()
            while len(self._chats) > self.max_chats:
                self._chats.popitem(last=False)
        self._chats.move_to_end(chat)
        return memory

    def remember(self, chat: ChatKey, question: str, answer: Answer) -> Remembered:
        with self._lock:
            memory = self._chat(chat)
            item = Remembered(next(self._keys), chat, question, answer)
            memory.by_key[item.key] = item
            while len(memory.by_key) > self.per_chat:
                old_key, _ = memory.by_key.popitem(last=False)
                memory.by_message = {m: k for m, k in memory.by_message.items() if k != old_key}
            return item

    def attach_message(self, chat: ChatKey, key: int, message_id: int) -> None:
        """Record which bot message carries answer `key` (for replies and /sumber as a reply)."""
        with self._lock:
            memory = self._chat(chat)
            if key in memory.by_key:
                memory.by_message[message_id] = key

    def by_message(self, chat: ChatKey, message_id: int) -> Remembered | None:
        with self._lock:
            memory = self._chats.get(chat)
            if memory is None or message_id not in memory.by_message:
                return None
            return memory.by_key.get(memory.by_message[message_id])

    def by_key(self, chat: ChatKey, key: int) -> Remembered | None:
        with self._lock:
            memory = self._chats.get(chat)
            return memory.by_key.get(key) if memory else None

    def last_answered(self, chat: ChatKey) -> Remembered | None:
        """The most recent answer in the chat that has sources."""
        with self._lock:
            memory = self._chats.get(chat)
            if memory is None:
                return None
            return next((r for r in reversed(memory.by_key.values()) if r.answer.answered), None)

    def migrate(self, old: ChatKey, new: ChatKey) -> None:
        """A group became a supergroup: its memory follows it."""
        with self._lock:
            memory = self._chats.pop(old, None)
            if memory is not None:
                self._chats[new] = memory


class RateLimiter:
    """At most `limit` questions per user per `window` seconds in one chat."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[tuple[ChatKey, int], deque[float]] = {}
        self._warned: set[tuple[ChatKey, int]] = set()
        self._lock = threading.Lock()

    def check(self, chat: ChatKey, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        """(allowed, warn): `warn` is True only for the first refused question of a burst."""
        if self.limit <= 0:
            return True, False
        now = time.monotonic() if now is None else now
        key = (chat, user_id)
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and now - events[0] >= self.window:
                events.popleft()
            if len(events) < self.limit:
                events.append(now)
                self._warned.discard(key)
                return True, False
            warn = key not in self._warned
            self._warned.add(key)
            if len(self._events) > 100_000:  # forget idle users so memory stays bounded
                self._events = {k: v for k, v in self._events.items() if v and now - v[-1] < self.window}
            return False, warn


@dataclass(frozen=True)
class Asked:
    question: str
    answer: Answer


@dataclass(frozen=True)
class Stats:
    answered: int
    abstained: int
    median_ms: float


class QuestionService:
    """Asks the engine off the event loop, folding in the question a follow-up replies to."""

    def __init__(self, engine: QAEngine, memory: AnswerMemory) -> None:
        self.engine = engine
        self.memory = memory
        self._answered = 0
        self._abstained = 0
        self._latencies: deque[float] = deque(maxlen=1000)

    def stats(self) -> Stats:
        latencies = sorted(self._latencies)
        median = latencies[len(latencies) // 2] if latencies else 0.0
        return Stats(self._answered, self._abstained, median)

    async def ask(self, question: str, *, chat: ChatKey, replied_to: int | None = None) -> Asked:
        context = None
        if replied_to is not None:
            earlier = self.memory.by_message(chat, replied_to)
            context = earlier.question if earlier else None
        # Embedding and search are CPU work: keep the event loop (and heartbeats) free.
        answer = await asyncio.to_thread(self.engine.ask, question, context)
        if answer.answered:
            self._answered += 1
        else:
            self._abstained += 1
        self._latencies.append(answer.timings_ms.get("total", 0.0))
        return Asked(answer.question, answer)  # the engine's copy: broken characters already replaced
