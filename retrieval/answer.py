"""What the question-answering core returns: quotes, their sources, timings.

These types are the contract between `retrieval/` and the chat adapters in
`bot/`; `Answer.to_json()` is the `ask --json` wire format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Reason(str, Enum):
    """Why an answer is what it is; adapters pick their wording from it."""

    ANSWERED = "answered"
    NOT_FOUND = "not_found"  # the articles do not answer it: abstain
    EMPTY = "empty"  # nothing but whitespace
    NO_TEXT = "no_text"  # only emoji, symbols or markup: nothing to search for
    TOO_LONG = "too_long"  # longer than the configured maximum
    UNAVAILABLE = "unavailable"  # the article database cannot be reached right now: try again later


@dataclass(frozen=True)
class Source:
    """One cited paragraph. `n` is its 1-based number in citation order."""

    n: int
    article_id: str
    title: str
    outlet: str | None
    paragraph: int  # 1-based within the article
    text: str  # the whole paragraph, verbatim
    score: float
    dateline: str | None = None
    url: str | None = None
    date: str | None = None
    date_source: str | None = None  # "feed", "page" or "fetched" (the date is when it was fetched)
    heading: str | None = None  # section heading the paragraph sits under
    quote_spans: tuple[tuple[int, int], ...] = ()  # char offsets of the quoted sentences in `text`

    def to_json(self) -> dict[str, Any]:
        """The source as `ask --json` prints it (no dateline or quote spans); `date` ISO 8601 or null."""
        return {
            "n": self.n,
            "article_id": self.article_id,
            "title": self.title,
            "outlet": self.outlet,
            "paragraph": self.paragraph,
            "text": self.text,
            "score": round(float(self.score), 6),
            "date": self.date,
            "date_source": self.date_source,
            "url": self.url,
        }


@dataclass(frozen=True)
class Quote:
    """A verbatim sentence (or run of sentences) from `Source` number `source`."""

    text: str
    source: int


@dataclass(frozen=True)
class Answer:
    """What the bot says to one question: quotes and their sources, or the reason there are none."""

    question: str
    answered: bool
    quotes: tuple[Quote, ...] = ()
    sources: tuple[Source, ...] = ()
    reason: Reason = Reason.NOT_FOUND
    language: str = "id"  # "id" or "en": the language the bot should reply in
    timings_ms: dict[str, float] = field(default_factory=dict)
    confidence: float | None = None  # the answer model's probability for its best sentence (None: rules)

    def source(self, n: int) -> Source | None:
        """The source numbered `n`, if the answer has one."""
        return next((s for s in self.sources if s.n == n), None)

    def to_json(self) -> dict[str, Any]:
        """The `ask --json` wire format: question, answered, quotes, sources and timings."""
        return {
            "question": self.question,
            "answered": self.answered,
            "quotes": [{"text": q.text, "source": q.source} for q in self.quotes],
            "sources": [s.to_json() for s in self.sources],
            "timings_ms": {k: round(v, 3) for k, v in self.timings_ms.items()},
        }
