"""What following a feed remembers, and the store that keeps it (implemented by the bot's state store)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from retrieval.refusals import Refusal, Why


@dataclass(frozen=True)
class FeedSource:
    """A followed feed or sitemap and how its last reads went."""

    url: str
    added_at: float
    etag: str | None = None  # the server's validators from the last full read: the next read is conditional
    last_modified: str | None = None
    failures: int = 0  # reads failed in a row (0 after a success)
    next_attempt: float = 0.0  # wall-clock seconds: the poller reads it again from then on
    last_checked: float | None = None  # last read, successful or not
    last_error: str | None = None  # `refusal_to_json` of the last failure, None after a success
    items: int = 0  # item addresses of this feed the store remembers

    @property
    def error(self) -> Refusal | None:
        """Why the last read failed, or None."""
        return refusal_from_json(self.last_error) if self.last_error else None


@dataclass(frozen=True)
class SeenItem:
    """An article page a feed pointed to, and what became of it."""

    url: str
    article_id: str  # the article it is (or duplicates); "" when its page was refused (not HTML, no text)
    stamp: str | None  # the feed's updated/lastmod/published for it when it was read: a new one means re-read


class FeedStateStore(Protocol):
    """Followed feeds and the item addresses already read; survives restarts (SQLite or PostgreSQL)."""

    def feed_sources(self) -> list[FeedSource]:
        """Every followed feed, oldest first."""
        ...

    def follow_feed(self, url: str, now: float | None = None) -> bool:
        """Start following `url`; False when it is followed already."""
        ...

    def unfollow_feed(self, url: str) -> bool:
        """Stop following `url` (its articles stay); False when it was not followed."""
        ...

    def save_feed(self, source: FeedSource) -> None:
        """Store how the last read of a followed feed went (no effect when it is no longer followed)."""
        ...

    def seen_items(self, urls: Sequence[str]) -> dict[str, SeenItem]:
        """The items among `urls` read before, by address."""
        ...

    def mark_seen(self, feed_url: str, items: Sequence[SeenItem], now: float | None = None) -> None:
        """Remember items read from `feed_url` (replacing what was remembered of the same addresses)."""
        ...


def refusal_to_json(refusal: Refusal) -> str:
    """A refusal as JSON text, for the store."""
    return json.dumps({"why": refusal.why.value, "values": dict(refusal.values)}, ensure_ascii=False, default=str)


def refusal_from_json(raw: str) -> Refusal | None:
    """The refusal `refusal_to_json` wrote; None when it is not one (written by another version)."""
    try:
        data = json.loads(raw)
        return Refusal.of(Why(data["why"]), **data.get("values", {}))
    except (ValueError, KeyError, TypeError):
        return None
