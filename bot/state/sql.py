"""The state store in SQL, one text for SQLite and PostgreSQL: a `Backend` supplies connections,
transactions and the few column types that differ; the schema is a list of versioned migrations."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from bot.state.base import ChatKey, Gap, Outcome, Remembered, Report, Retention, Stats, Vote, Votes
from bot.state.codec import decode_answer, encode_answer
from retrieval.answer import Answer
from retrieval.feeds.model import FeedSource, SeenItem
from retrieval.text import fold, raw_tokens

log = logging.getLogger(__name__)

PRUNE_EVERY = 60.0  # seconds between clean-ups of expired rows, at most
RATE_EVENTS_KEPT = 3600.0  # rate-limit events older than this are no use to any sensible window
MEDIAN_OF_LAST = 1000  # /statistik's median latency: over the last this many questions
VOTES_KEPT = 400 * 86400.0  # 👍/👎 outlive their answers (the totals cover a period), but not for ever

# Each migration is a list of statements run in one transaction with its version row, so a
# version is applied entirely or not at all; `IF NOT EXISTS` makes a half-known state harmless.
# {id}, {bigint} and {float} are the backend's column types. Append new versions; never edit one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: answers and the bot messages carrying them, rate-limit events, the question log
        "CREATE TABLE IF NOT EXISTS answers (id {id}, platform TEXT NOT NULL, chat_id {bigint} NOT NULL,"
        " question TEXT NOT NULL, answered INTEGER NOT NULL, body TEXT NOT NULL, created_at {float} NOT NULL)",
        "CREATE INDEX IF NOT EXISTS answers_by_chat ON answers (platform, chat_id, id)",
        "CREATE INDEX IF NOT EXISTS answers_by_age ON answers (created_at)",
        "CREATE TABLE IF NOT EXISTS answer_messages (answer_id {bigint} NOT NULL REFERENCES answers (id)"
        " ON DELETE CASCADE, message_id {bigint} NOT NULL, PRIMARY KEY (answer_id, message_id))",
        "CREATE INDEX IF NOT EXISTS answer_messages_by_message ON answer_messages (message_id)",
        "CREATE TABLE IF NOT EXISTS rate_events (platform TEXT NOT NULL, chat_id {bigint} NOT NULL,"
        " user_id {bigint} NOT NULL, at {float} NOT NULL)",
        "CREATE INDEX IF NOT EXISTS rate_events_by_user ON rate_events (platform, chat_id, user_id, at)",
        "CREATE INDEX IF NOT EXISTS rate_events_by_age ON rate_events (at)",
        "CREATE TABLE IF NOT EXISTS rate_warnings (platform TEXT NOT NULL, chat_id {bigint} NOT NULL,"
        " user_id {bigint} NOT NULL, PRIMARY KEY (platform, chat_id, user_id))",
        "CREATE TABLE IF NOT EXISTS questions (id {id}, at {float} NOT NULL, platform TEXT NOT NULL,"
        " chat_id {bigint} NOT NULL, latency_ms {float} NOT NULL, outcome TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS questions_by_time ON questions (at)",
    ),
    (  # 2: the question's text (NULL when QUESTION_LOG=off) and its grouping key; 👍/👎 on answers
        "ALTER TABLE questions ADD COLUMN question TEXT",
        "ALTER TABLE questions ADD COLUMN grouped TEXT",
        "CREATE INDEX IF NOT EXISTS questions_by_group ON questions (outcome, grouped, at)",
        # No foreign key to answers: the votes are counted after their answer expired.
        "CREATE TABLE IF NOT EXISTS votes (answer_id {bigint} NOT NULL, user_id {bigint} NOT NULL,"
        " vote TEXT NOT NULL, at {float} NOT NULL, PRIMARY KEY (answer_id, user_id))",
        "CREATE INDEX IF NOT EXISTS votes_by_time ON votes (at)",
    ),
    (  # 3: followed feeds and sitemaps (validators, failures, next read) and the item pages already read
        "CREATE TABLE IF NOT EXISTS feeds (url TEXT PRIMARY KEY, added_at {float} NOT NULL, etag TEXT,"
        " last_modified TEXT, failures INTEGER NOT NULL DEFAULT 0, next_attempt {float} NOT NULL DEFAULT 0,"
        " last_checked {float}, last_error TEXT)",
        # No foreign key to feeds: an unfollowed feed's items stay known, so following it again adds nothing twice.
        "CREATE TABLE IF NOT EXISTS feed_items (url TEXT PRIMARY KEY, feed_url TEXT NOT NULL,"
        " article_id TEXT NOT NULL, stamp TEXT, seen_at {float} NOT NULL)",
        "CREATE INDEX IF NOT EXISTS feed_items_by_feed ON feed_items (feed_url)",
    ),
)
SEEN_LOOKUP_CHUNK = 500  # item addresses per `IN (…)` query
SCHEMA_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at {float} NOT NULL)"
)


class Cursor(Protocol):
    """What both drivers' cursors offer; SQL uses `?` placeholders."""

    @property
    def rowcount(self) -> int:
        """How many rows the last statement changed."""

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Any:
        """Run one statement with `?` placeholders."""

    def fetchone(self) -> Any:
        """The next row of the last query, or None."""

    def fetchall(self) -> list[Any]:
        """The remaining rows of the last query."""


class Backend(Protocol):
    """One database driver as `SqlStore` uses it: transactions, column types and its errors."""

    @property
    def description(self) -> str:
        """Where the database is, for logs: never a password."""

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """What this driver raises when the database fails."""

    @property
    def types(self) -> Mapping[str, str]:
        """The column types {id}, {bigint} and {float} stand for in MIGRATIONS."""

    def transaction(self, *, write: bool, lock: str | None = None) -> AbstractContextManager[Cursor]:
        """One transaction; `write` takes the write lock up front, `lock` serialises callers on a name."""

    def close(self) -> None:
        """Close the driver's connections."""


def migrate(backend: Backend) -> int:
    """Bring the schema up to the newest version; safe to run from several processes at once."""
    with backend.transaction(write=True, lock="schema") as cur:
        cur.execute(SCHEMA_VERSION_TABLE.format(**backend.types))
        cur.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        current = int(cur.fetchone()[0])
        for version in range(current + 1, len(MIGRATIONS) + 1):
            for statement in MIGRATIONS[version - 1]:
                cur.execute(statement.format(**backend.types))
            cur.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (version, time.time()))
            log.info("state schema: migrated to version %d (%s)", version, backend.description)
    return max(current, len(MIGRATIONS))


def _now(now: float | None) -> float:
    return time.time() if now is None else now


_ANSWER_COLUMNS = "a.id, a.platform, a.chat_id, a.question, a.body"


class SqlStore:
    """`StateStore` on a `Backend`. Reads skip expired answers; `prune` deletes them."""

    def __init__(self, backend: Backend, retention: Retention | None = None) -> None:
        self.backend = backend
        self.retention = retention or Retention()
        self.description = backend.description
        self.errors = backend.errors
        self._last_prune = 0.0
        migrate(backend)
        self.prune()

    # -- answers ---------------------------------------------------------------------------

    def remember(self, chat: ChatKey, question: str, answer: Answer, now: float | None = None) -> Remembered:
        """Insert the answer (its row id is the key) and drop the chat's answers beyond `answers_per_chat`."""
        at = _now(now)
        with self.backend.transaction(write=True) as cur:
            cur.execute(
                "INSERT INTO answers (platform, chat_id, question, answered, body, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (chat.platform, chat.chat_id, question, int(answer.answered), encode_answer(answer), at),
            )
            key = int(cur.fetchone()[0])
            # Only the chat's newest answers: one busy chat must not fill the store before they expire.
            cur.execute(
                "DELETE FROM answers WHERE platform = ? AND chat_id = ? AND id <= (SELECT id FROM answers"
                " WHERE platform = ? AND chat_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
                (*_chat(chat), *_chat(chat), self.retention.answers_per_chat),
            )
        self._maybe_prune(at)
        return Remembered(key, chat, question, answer)

    def attach_message(self, chat: ChatKey, key: int, message_id: int) -> None:
        """Link bot message `message_id` to answer `key`, if that answer is in `chat`."""
        with self.backend.transaction(write=True) as cur:
            cur.execute(
                "INSERT INTO answer_messages (answer_id, message_id) SELECT id, ? FROM answers"
                " WHERE id = ? AND platform = ? AND chat_id = ? ON CONFLICT DO NOTHING",
                (message_id, key, *_chat(chat)),
            )

    def by_message(self, chat: ChatKey, message_id: int, now: float | None = None) -> Remembered | None:
        """The newest unexpired answer linked to bot message `message_id` in `chat`."""
        return self._one(
            f"SELECT {_ANSWER_COLUMNS} FROM answer_messages m JOIN answers a ON a.id = m.answer_id"
            " WHERE m.message_id = ? AND a.platform = ? AND a.chat_id = ? AND a.created_at > ?"
            " ORDER BY a.id DESC LIMIT 1",
            (message_id, *_chat(chat), self._cutoff(now)),
        )

    def by_key(self, chat: ChatKey, key: int, now: float | None = None) -> Remembered | None:
        """The unexpired answer with `key`, if it belongs to `chat`."""
        return self._one(
            f"SELECT {_ANSWER_COLUMNS} FROM answers a WHERE a.id = ? AND a.platform = ? AND a.chat_id = ?"
            " AND a.created_at > ?",
            (key, *_chat(chat), self._cutoff(now)),
        )

    def last_answered(self, chat: ChatKey, now: float | None = None) -> Remembered | None:
        """The chat's newest unexpired answer that has quotes."""
        return self._one(
            f"SELECT {_ANSWER_COLUMNS} FROM answers a WHERE a.platform = ? AND a.chat_id = ? AND a.answered = 1"
            " AND a.created_at > ? ORDER BY a.id DESC LIMIT 1",
            (*_chat(chat), self._cutoff(now)),
        )

    def migrate_chat(self, old: ChatKey, new: ChatKey) -> None:
        """Move every answer of `old` to `new` (a group that became a supergroup)."""
        with self.backend.transaction(write=True) as cur:
            cur.execute(
                "UPDATE answers SET platform = ?, chat_id = ? WHERE platform = ? AND chat_id = ?",
                (*_chat(new), *_chat(old)),
            )

    def _cutoff(self, now: float | None) -> float:
        return _now(now) - self.retention.answer_ttl

    def _one(self, sql: str, params: Sequence[Any]) -> Remembered | None:
        with self.backend.transaction(write=False) as cur:
            cur.execute(sql, params)
            row = cur.fetchone()
        if row is None:
            return None
        key, platform, chat_id, question, body = row
        try:
            answer = decode_answer(body)
        except (ValueError, KeyError, TypeError) as exc:  # written by a version that no longer reads
            log.warning("stored answer %s is unreadable, treating it as expired: %s", key, exc)
            return None
        return Remembered(int(key), ChatKey(platform, int(chat_id)), question, answer)

    # -- rate limits -----------------------------------------------------------------------

    def hit_rate_limit(
        self, chat: ChatKey, user_id: int, limit: int, window: float, now: float | None = None
    ) -> tuple[bool, bool]:
        """Count a question in the person's sliding `window`: (allowed, warn), `warn` for a burst's first refusal."""
        if limit <= 0:
            return True, False
        at = _now(now)
        who = (*_chat(chat), user_id)
        where = "platform = ? AND chat_id = ? AND user_id = ?"
        # One write transaction, locked per person: two questions at once cannot both take the last slot.
        with self.backend.transaction(write=True, lock=f"rate:{chat.platform}:{chat.chat_id}:{user_id}") as cur:
            cur.execute(f"DELETE FROM rate_events WHERE {where} AND at <= ?", (*who, at - window))
            cur.execute(f"SELECT COUNT(*) FROM rate_events WHERE {where}", who)
            if int(cur.fetchone()[0]) < limit:
                cur.execute("INSERT INTO rate_events (platform, chat_id, user_id, at) VALUES (?, ?, ?, ?)", (*who, at))
                cur.execute(f"DELETE FROM rate_warnings WHERE {where}", who)
                return True, False
            cur.execute(
                "INSERT INTO rate_warnings (platform, chat_id, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", who
            )
            return False, cur.rowcount == 1  # a new warning row: the first refusal of this burst

    # -- question log ----------------------------------------------------------------------

    def log_question(
        self, chat: ChatKey, latency_ms: float, outcome: Outcome, now: float | None = None, question: str | None = None
    ) -> None:
        """Append one question to the log (pruned now and then), with its text and grouping key if given."""
        at = _now(now)
        grouped = None if question is None else grouping_key(question)
        with self.backend.transaction(write=True) as cur:
            cur.execute(
                "INSERT INTO questions (at, platform, chat_id, latency_ms, outcome, question, grouped)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (at, *_chat(chat), float(latency_ms), outcome, question, grouped),
            )
        self._maybe_prune(at)

    def stats(self, since: float = 0.0) -> Stats:
        """Counts since `since`, and the median of the last MEDIAN_OF_LAST latencies among them."""
        with self.backend.transaction(write=False) as cur:
            cur.execute("SELECT outcome, COUNT(*) FROM questions WHERE at >= ? GROUP BY outcome", (since,))
            counts = {outcome: int(n) for outcome, n in cur.fetchall()}
            cur.execute(
                "SELECT latency_ms FROM questions WHERE at >= ? ORDER BY id DESC LIMIT ?", (since, MEDIAN_OF_LAST)
            )
            latencies = sorted(float(row[0]) for row in cur.fetchall())
        median = latencies[len(latencies) // 2] if latencies else 0.0
        return Stats(counts.get("answered", 0), counts.get("abstained", 0), median)

    def report(self, since: float = 0.0, gaps: int = 10) -> Report:
        """Outcomes and votes since `since`; unanswered questions grouped by `grouping_key`, most asked
        first (ties: the most recent), each shown as it was last asked."""
        stats = self.stats(since)
        with self.backend.transaction(write=False) as cur:
            cur.execute("SELECT vote, COUNT(*) FROM votes WHERE at >= ? GROUP BY vote", (since,))
            votes = {vote: int(n) for vote, n in cur.fetchall()}
            cur.execute(
                "SELECT (SELECT q2.question FROM questions q2 WHERE q2.outcome = 'abstained' AND q2.grouped = q.grouped"
                " AND q2.at >= ? ORDER BY q2.id DESC LIMIT 1), COUNT(*) AS asked, MAX(q.id) AS last FROM questions q"
                " WHERE q.outcome = 'abstained' AND q.grouped IS NOT NULL AND q.grouped <> '' AND q.at >= ?"
                " GROUP BY q.grouped ORDER BY asked DESC, last DESC LIMIT ?",
                (since, since, gaps),
            )
            found = tuple(Gap(str(question), int(asked)) for question, asked, _ in cur.fetchall())
        return Report(stats.answered, stats.abstained, votes.get("up", 0), votes.get("down", 0), found)

    # -- feedback ------------------------------------------------------------------------------

    def vote(self, chat: ChatKey, key: int, user_id: int, vote: Vote, now: float | None = None) -> Votes | None:
        """Insert or replace the person's vote on an answer the store still holds in `chat`."""
        at = _now(now)
        with self.backend.transaction(write=True, lock=f"vote:{key}") as cur:
            cur.execute(
                "SELECT 1 FROM answers WHERE id = ? AND platform = ? AND chat_id = ? AND created_at > ?",
                (key, *_chat(chat), self._cutoff(now)),
            )
            if cur.fetchone() is None:
                return None
            cur.execute("SELECT vote FROM votes WHERE answer_id = ? AND user_id = ?", (key, user_id))
            row = cur.fetchone()
            changed = row is None or row[0] != vote
            if row is None:
                cur.execute(
                    "INSERT INTO votes (answer_id, user_id, vote, at) VALUES (?, ?, ?, ?)", (key, user_id, vote, at)
                )
            elif changed:
                cur.execute(
                    "UPDATE votes SET vote = ?, at = ? WHERE answer_id = ? AND user_id = ?", (vote, at, key, user_id)
                )
            cur.execute("SELECT vote, COUNT(*) FROM votes WHERE answer_id = ? GROUP BY vote", (key,))
            counts = {kind: int(n) for kind, n in cur.fetchall()}
        return Votes(counts.get("up", 0), counts.get("down", 0), changed)

    # -- followed feeds ---------------------------------------------------------------------------

    def feed_sources(self) -> list[FeedSource]:
        """Every followed feed, oldest first, with how many item pages of it are known."""
        with self.backend.transaction(write=False) as cur:
            cur.execute(
                "SELECT f.url, f.added_at, f.etag, f.last_modified, f.failures, f.next_attempt, f.last_checked,"
                " f.last_error, (SELECT COUNT(*) FROM feed_items i WHERE i.feed_url = f.url)"
                " FROM feeds f ORDER BY f.added_at, f.url"
            )
            rows = cur.fetchall()
        return [
            FeedSource(str(url), float(added), etag, modified, int(failures), float(next_at),
                       None if checked is None else float(checked), error, int(items))
            for url, added, etag, modified, failures, next_at, checked, error, items in rows
        ]  # fmt: skip

    def follow_feed(self, url: str, now: float | None = None) -> bool:
        """Add a followed feed, due at once; False when it is followed already."""
        with self.backend.transaction(write=True) as cur:
            cur.execute(
                "INSERT INTO feeds (url, added_at) VALUES (?, ?) ON CONFLICT DO NOTHING", (url, _now(now))
            )
            return cur.rowcount == 1

    def unfollow_feed(self, url: str) -> bool:
        """Stop following a feed (its items stay known); False when it was not followed."""
        with self.backend.transaction(write=True) as cur:
            cur.execute("DELETE FROM feeds WHERE url = ?", (url,))
            return cur.rowcount == 1

    def save_feed(self, source: FeedSource) -> None:
        """Store a feed's validators, failures, next read and last error."""
        with self.backend.transaction(write=True) as cur:
            cur.execute(
                "UPDATE feeds SET etag = ?, last_modified = ?, failures = ?, next_attempt = ?, last_checked = ?,"
                " last_error = ? WHERE url = ?",
                (source.etag, source.last_modified, source.failures, source.next_attempt, source.last_checked,
                 source.last_error, source.url),
            )  # fmt: skip

    def seen_items(self, urls: Sequence[str]) -> dict[str, SeenItem]:
        """The known items among `urls`, by address."""
        found: dict[str, SeenItem] = {}
        with self.backend.transaction(write=False) as cur:
            for start in range(0, len(urls), SEEN_LOOKUP_CHUNK):
                chunk = list(urls[start : start + SEEN_LOOKUP_CHUNK])
                marks = ", ".join("?" * len(chunk))
                cur.execute(f"SELECT url, article_id, stamp FROM feed_items WHERE url IN ({marks})", chunk)
                found.update({str(u): SeenItem(str(u), str(a), s) for u, a, s in cur.fetchall()})
        return found

    def mark_seen(self, feed_url: str, items: Sequence[SeenItem], now: float | None = None) -> None:
        """Remember items read from `feed_url`, replacing what was known of the same addresses."""
        at = _now(now)
        with self.backend.transaction(write=True) as cur:
            for item in items:
                cur.execute(
                    "INSERT INTO feed_items (url, feed_url, article_id, stamp, seen_at) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (url) DO UPDATE SET feed_url = excluded.feed_url, article_id = excluded.article_id,"
                    " stamp = excluded.stamp, seen_at = excluded.seen_at",
                    (item.url, feed_url, item.article_id, item.stamp, at),
                )

    # -- upkeep ------------------------------------------------------------------------------

    def prune(self, now: float | None = None) -> None:
        """Delete expired answers, old rate-limit events and warnings, and log rows beyond the cap."""
        at = _now(now)
        self._last_prune = at
        with self.backend.transaction(write=True) as cur:
            cur.execute("DELETE FROM answers WHERE created_at <= ?", (at - self.retention.answer_ttl,))
            cur.execute("DELETE FROM rate_events WHERE at <= ?", (at - RATE_EVENTS_KEPT,))
            cur.execute("DELETE FROM votes WHERE at <= ?", (at - VOTES_KEPT,))
            cur.execute(
                "DELETE FROM rate_warnings WHERE NOT EXISTS (SELECT 1 FROM rate_events e WHERE"
                " e.platform = rate_warnings.platform AND e.chat_id = rate_warnings.chat_id"
                " AND e.user_id = rate_warnings.user_id)"
            )
            # ids only grow, so the newest rows are the highest ids: keep that many.
            cur.execute(
                "DELETE FROM questions WHERE id <= (SELECT MAX(id) FROM questions) - ?",
                (self.retention.question_log_rows,),
            )

    def _maybe_prune(self, now: float) -> None:
        if now - self._last_prune >= PRUNE_EVERY:
            self.prune(now)

    def close(self) -> None:
        """Close the backend."""
        self.backend.close()


def grouping_key(question: str) -> str:
    """Questions that differ only in case, accents, punctuation or spacing group together."""
    return " ".join(raw_tokens(fold(question).lower()))


def _chat(chat: ChatKey) -> tuple[str, int]:
    return chat.platform, chat.chat_id

