"""Inline mode's results and cache, without Telegram: HTML escaping, at most three, expiry."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent

from bot.inline import InlineCache, inline_results
from bot.render import TelegramHtml
from bot.testing.fake_telegram import TelegramHtmlChecker
from retrieval.answer import Answer, Quote, Reason, Source


def _answer(quotes: int = 1, answered: bool = True) -> Answer:
    sources = tuple(
        Source(n, f"00{n}_x", f"Harga <naik> & turun {n}", "Kompas & Co" if n % 2 else None, 2, "…", 0.9,
               url=f"https://example.id/a?b=1&c={n}" if n == 1 else None)
        for n in range(1, quotes + 1)
    )  # fmt: skip
    quoted = tuple(Quote(f"Harga cabai <b>naik</b> 5% & beras {n} turun.", n) for n in range(1, quotes + 1))
    reason = Reason.ANSWERED if answered else Reason.NOT_FOUND
    return Answer("Berapa harga cabai?", answered, quoted if answered else (), sources if answered else (), reason)


def _message(result: InlineQueryResultArticle) -> str:
    content = result.input_message_content
    assert isinstance(content, InputTextMessageContent) and content.parse_mode == "HTML"
    return content.message_text


def test_results_are_escaped_cited_and_valid_telegram_html() -> None:
    results = inline_results(_answer(quotes=2), TelegramHtml())
    assert len(results) == 2
    first = _message(results[0])
    assert first == (
        "<blockquote>Harga cabai &lt;b&gt;naik&lt;/b&gt; 5% &amp; beras 1 turun.</blockquote>\n"
        '— <a href="https://example.id/a?b=1&amp;c=1">Harga &lt;naik&gt; &amp; turun 1</a>, Kompas &amp; Co'
    )
    second = _message(results[1])
    assert second.endswith("\n— Harga &lt;naik&gt; &amp; turun 2")  # no outlet, no link
    for result in results:
        assert TelegramHtmlChecker().check(_message(result)) == []
    assert results[0].description == "Harga <naik> & turun 1 · Kompas & Co"  # plain text, not HTML
    assert len({r.id for r in results}) == 2


def test_at_most_three_results_and_none_when_not_found() -> None:
    assert len(inline_results(_answer(quotes=5), TelegramHtml())) == 3
    assert inline_results(_answer(answered=False), TelegramHtml()) == []


def test_cache_keeps_answers_for_a_while_and_drops_the_oldest() -> None:
    cache = InlineCache(ttl=60.0, size=2)
    cache.put("a", _answer(), now=0.0)
    assert cache.get("a", now=59.0) is not None
    assert cache.get("a", now=60.0) is None  # expired
    cache.put("a", _answer(), now=100.0)
    cache.put("b", _answer(), now=101.0)
    cache.put("c", _answer(), now=102.0)
    assert cache.get("a", now=103.0) is None and cache.get("c", now=103.0) is not None
