"""Telegram inline mode (`@NamaBot <pertanyaan>` in any chat): the answer's quotes as results the
person can send, each with its article's title and outlet; answers cached for a short while.

Telegram sends an inline query at each pause in typing, so these questions are not logged (half-typed
ones would fill /statistik's unanswered list) and a cached answer costs no engine call and no
rate-limit slot.
"""

from __future__ import annotations

import hashlib
import threading
import time

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions
from telegram.constants import ParseMode

from bot.render import TelegramHtml
from bot.texts import text
from retrieval.answer import Answer, Source

MAX_RESULTS = 3
CACHE_SECONDS = 60  # ours and Telegram's (`cache_time`): news answers may change when articles are added
TITLE_CHARS = 100  # a result's first line in Telegram's list
QUOTE_CHARS = 3500  # a sent message stays under Telegram's 4096 characters with its citation


class InlineCache:
    """Answers by normalised question for `ttl` seconds, at most `size` of them (oldest dropped first)."""

    def __init__(self, ttl: float = CACHE_SECONDS, size: int = 512) -> None:
        self.ttl = ttl
        self.size = size
        self._answers: dict[str, tuple[float, Answer]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, now: float | None = None) -> Answer | None:
        """The answer cached for `key`, if it is younger than `ttl`."""
        at = time.monotonic() if now is None else now
        with self._lock:
            cached = self._answers.get(key)
            if cached is None or at - cached[0] >= self.ttl:
                self._answers.pop(key, None)
                return None
            return cached[1]

    def put(self, key: str, answer: Answer, now: float | None = None) -> None:
        """Keep `answer` for `key`; beyond `size` entries the oldest goes."""
        at = time.monotonic() if now is None else now
        with self._lock:
            self._answers.pop(key, None)
            self._answers[key] = (at, answer)
            while len(self._answers) > self.size:
                del self._answers[next(iter(self._answers))]


def _cut(raw: str, limit: int) -> str:
    return raw if len(raw) <= limit else raw[: limit - 1].rstrip() + "…"


def citation(source: Source, html: TelegramHtml) -> str:
    """`— <title>, <outlet>`: the article linked when it has an address."""
    title = html.link(source.title, source.url) if source.url else html.escape(source.title)
    outlet = html.escape(source.outlet) if source.outlet else ""
    return text("inline_citation" if outlet else "inline_citation_no_outlet", title=title, outlet=outlet)


def inline_results(answer: Answer, html: TelegramHtml) -> list[InlineQueryResultArticle]:
    """Up to MAX_RESULTS results, one per quote: the quote and its article as a ready HTML message."""
    if not answer.answered:
        return []
    sources = {source.n: source for source in answer.sources}
    digest = hashlib.sha256(answer.question.encode("utf-8", "replace")).hexdigest()[:16]
    results = []
    for i, quote in enumerate(answer.quotes[:MAX_RESULTS]):
        source = sources.get(quote.source)
        if source is None:
            continue
        body = html.quote(html.escape(_cut(quote.text, QUOTE_CHARS))) + "\n" + citation(source, html)
        content = InputTextMessageContent(
            body, parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        )
        about = f"{source.title} · {source.outlet}" if source.outlet else source.title
        results.append(
            InlineQueryResultArticle(
                f"{digest}-{i}", _cut(quote.text, TITLE_CHARS), content, description=_cut(about, TITLE_CHARS)
            )
        )
    return results
