"""What the bot remembers, and the one interface every store of it offers.

No chat library and no database here: chats are `ChatKey`s, answers are the retrieval core's
`Answer`, times are wall-clock seconds (they must mean the same after a restart).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from config.errors import BeritaQAError
from retrieval.answer import Answer
from retrieval.feeds.model import FeedStateStore

Outcome = Literal["answered", "abstained"]
Vote = Literal["up", "down"]


class StateUnavailable(BeritaQAError, RuntimeError):
    """The configured state database cannot be used (the message names it, never its password)."""


@dataclass(frozen=True)
class ChatKey:
    """A chat on one platform: Telegram chat 14 and Discord channel 14 are different chats."""

    platform: str  # "telegram" | "discord"
    chat_id: int


@dataclass(frozen=True)
class Remembered:
    """An answer the bot sent, with the question it answered."""

    key: int  # stable id for buttons ("src:<key>"), unique across restarts
    chat: ChatKey
    question: str
    answer: Answer


@dataclass(frozen=True)
class Stats:
    """Questions answered and abstained on, and the median answer time in milliseconds."""

    answered: int
    abstained: int
    median_ms: float


@dataclass(frozen=True)
class Votes:
    """The 👍 and 👎 an answer has, and whether the vote just cast changed anything."""

    up: int
    down: int
    changed: bool = True


@dataclass(frozen=True)
class Gap:
    """An unanswered question (grouped by its normalised words): how it was last asked, how often."""

    question: str
    asked: int


@dataclass(frozen=True)
class Report:
    """What admins see for a period: outcomes, votes cast, and the most-asked unanswered questions."""

    answered: int
    abstained: int
    up: int
    down: int
    gaps: tuple[Gap, ...]


@dataclass(frozen=True)
class Retention:
    """How much the store keeps: answers for `answer_ttl` seconds (at most `answers_per_chat` per
    chat), the last `question_log_rows` questions."""

    answer_ttl: float = 14 * 86400.0
    answers_per_chat: int = 50
    question_log_rows: int = 100_000


class StateStore(FeedStateStore, Protocol):
    """Answers by chat and message, rate-limit windows, the question log and the followed feeds.

    Methods block (they may touch a database): async callers run them in a worker thread.
    `now` defaults to the current time; tests pass their own.
    """

    @property
    def description(self) -> str:
        """Where the state lives, safe to log (never a password)."""

    def remember(self, chat: ChatKey, question: str, answer: Answer, now: float | None = None) -> Remembered:
        """Keep an answer sent in `chat`; the `Remembered` carries its new key."""

    def attach_message(self, chat: ChatKey, key: int, message_id: int) -> None:
        """Record that bot message `message_id` in `chat` carries answer `key`."""

    def by_message(self, chat: ChatKey, message_id: int, now: float | None = None) -> Remembered | None:
        """The unexpired answer bot message `message_id` in `chat` carries, if any."""

    def by_key(self, chat: ChatKey, key: int, now: float | None = None) -> Remembered | None:
        """The unexpired answer with `key` in `chat` (a button's), if any."""

    def last_answered(self, chat: ChatKey, now: float | None = None) -> Remembered | None:
        """The most recent answer in the chat that has sources."""

    def migrate_chat(self, old: ChatKey, new: ChatKey) -> None:
        """A group became a supergroup: its answers follow it."""

    def hit_rate_limit(
        self, chat: ChatKey, user_id: int, limit: int, window: float, now: float | None = None
    ) -> tuple[bool, bool]:
        """Count one question: (allowed, warn), `warn` only for the first refusal of a burst."""

    def log_question(
        self, chat: ChatKey, latency_ms: float, outcome: Outcome, now: float | None = None, question: str | None = None
    ) -> None:
        """Log one question for the statistics: how long it took, whether it was answered, and its
        text when given (None: question logging is off, only the counts are kept)."""

    def stats(self, since: float = 0.0) -> Stats:
        """Answered and abstained questions logged at or after `since`, and their median latency."""

    def vote(self, chat: ChatKey, key: int, user_id: int, vote: Vote, now: float | None = None) -> Votes | None:
        """Record `user_id`'s 👍/👎 on answer `key` in `chat` (one per person, a new one replaces it);
        the answer's counts, or None when the store no longer knows the answer."""

    def report(self, since: float = 0.0, gaps: int = 10) -> Report:
        """Outcomes and votes at or after `since`, and the `gaps` most-asked unanswered questions."""

    def prune(self, now: float | None = None) -> None:
        """Forget expired answers, old rate-limit events and questions beyond the log's cap."""

    def close(self) -> None:
        """Release the database (connections, file); the store is not used afterwards."""
