"""Article dates: reading them, questions that ask for what is recent, and articles too old to answer from.

Dates come from feeds (RFC 822 in RSS, RFC 3339 in Atom and news sitemaps), from pages (trafilatura's
`2026-11-24`) or from front matter; `parse_date` reads all of them, `iso_date` writes them as ISO 8601.
A date without a time zone is taken as UTC. An article without a date has no known age: it is never
hidden as too old and sorts after dated ones when recency decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.search import Candidate
    from retrieval.store.base import Passages

# Words asking for what is new: Indonesian (with chat spellings) and English.
_RECENT_RE = re.compile(
    r"\b(terbaru|terbarunya|terkini|terakhir|terupdate|teranyar|baru[- ]baru ini|hari ini|hr ini|"
    r"minggu ini|pekan ini|bulan ini|tahun ini|kemarin|kmrn|semalam|tadi|sekarang|saat ini|"
    r"latest|recent|recently|newest|today|yesterday|this week|this month|now)\b",
    re.IGNORECASE,
)


def asks_for_recent(question: str) -> bool:
    """Whether the question asks for what is recent ("terbaru", "hari ini", "minggu ini", "latest" …)."""
    return _RECENT_RE.search(question) is not None


def parse_date(raw: str | None) -> datetime | None:
    """An aware datetime from ISO 8601 (`2026-11-24`, `…T08:30:00Z`, `…+07:00`) or RFC 822
    (`Tue, 24 Nov 2026 08:30:00 +0700`); None when `raw` is empty or neither."""
    text = (raw or "").strip()
    if not text:
        return None
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def iso_date(raw: str | None) -> str | None:
    """`raw` as ISO 8601 with its own offset (seconds precision), or None when it is not a date."""
    parsed = parse_date(raw)
    return parsed.isoformat(timespec="seconds") if parsed is not None else None


def age_cutoff(max_age_days: int | None, now: float) -> datetime | None:
    """The oldest publication time still answered from (None: no limit)."""
    if max_age_days is None:
        return None
    return datetime.fromtimestamp(now, UTC) - timedelta(days=max_age_days)


def too_old(date: str | None, cutoff: datetime | None) -> bool:
    """Whether an article dated `date` is older than `cutoff` (an undated article never is)."""
    if cutoff is None:
        return False
    published = parse_date(date)
    return published is not None and published < cutoff


def fresh_rows(rows: dict[int, float], passages: Passages, cutoff: datetime | None) -> dict[int, float]:
    """The hits (row → score) whose articles are not older than `cutoff`."""
    if cutoff is None:
        return rows
    articles, paragraphs = passages.articles, passages.paragraphs
    return {row: score for row, score in rows.items() if not too_old(articles[paragraphs[row].article_id].date, cutoff)}


def equally_good(a: Candidate, b: Candidate, cosine_margin: float, bm25_margin: float) -> bool:
    """Whether two paragraphs have the same evidence: paragraph and best-sentence cosines within
    `cosine_margin`, BM25 within `bm25_margin` (a share of the larger). Fused ranks are not compared:
    two paragraphs with equal scores still get ranks one apart in every ranking."""
    return (
        abs(a.dense - b.dense) <= cosine_margin
        and abs(a.best_sentence - b.best_sentence) <= cosine_margin
        and abs(a.bm25 - b.bm25) <= bm25_margin * max(a.bm25, b.bm25)
    )


def prefer_recent(
    candidates: Sequence[Candidate],
    published: Callable[[Candidate], datetime | None],
    cosine_margin: float,
    bm25_margin: float,
) -> list[Candidate]:
    """Candidates (best first) with the newest article first among equally good ones.

    A band is a run of consecutive candidates equally good as its first (`equally_good`). Inside a
    band newer articles come first (undated ones last, ties keep their order); bands keep their
    order, so a clearly better old paragraph still comes before a new weaker one. Ranks are renumbered.
    """
    ordered: list[Candidate] = []
    band: list[Candidate] = []
    for candidate in candidates:
        if band and not equally_good(band[0], candidate, cosine_margin, bm25_margin):
            ordered += _newest_first(band, published)
            band = []
        band.append(candidate)
    ordered += _newest_first(band, published)
    for rank, candidate in enumerate(ordered, start=1):
        candidate.rank = rank
    return ordered


_UNDATED = datetime.min.replace(tzinfo=UTC)


def _newest_first(band: list[Candidate], published: Callable[[Candidate], datetime | None]) -> list[Candidate]:
    return sorted(band, key=lambda c: published(c) or _UNDATED, reverse=True)  # sorted is stable
