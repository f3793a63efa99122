"""Rendering answers and evidence: the answering part emphasised, the quote verbatim, valid markup, limits."""

from __future__ import annotations

import html
import re

from bot.render import DiscordMarkdown, PlainText, TelegramHtml, answer_blocks, citation_blocks, pack, preview_url
from bot.testing.fake_telegram import TelegramHtmlChecker
from retrieval.answer import Answer, Quote, Reason, Source

SENTENCE = "Serangan itu memutus aliran listrik bagi 350.000 penduduk <Kharkiv> & sekitarnya, kata pejabat."
PARAGRAPH = "Kalimat pembuka paragraf ini. " + SENTENCE + " Kalimat penutup."


def answer(question: str = "Berapa penduduk yang kehilangan listrik?", url: str | None = None) -> Answer:
    start = PARAGRAPH.index(SENTENCE)
    source = Source(1, "a1", "Judul <uji> & lainnya", "Outlet", 4, PARAGRAPH, 0.9, date="2024-07-05", url=url,
                    quote_spans=((start, start + len(SENTENCE)),))  # fmt: skip
    return Answer(question, True, (Quote(SENTENCE, 1),), (source,), Reason.ANSWERED)


def visible(body: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_answer_emphasises_the_number_without_changing_a_character() -> None:
    quote_block = answer_blocks(answer(), TelegramHtml())[0]
    assert "<b>350.000</b>" in quote_block and "&lt;Kharkiv&gt; &amp;" in quote_block
    inner = re.fullmatch(r"<blockquote>(.*) \[1\]</blockquote>", quote_block)
    assert inner is not None and visible(inner.group(1)) == SENTENCE
    assert TelegramHtmlChecker().check("\n\n".join(answer_blocks(answer(), TelegramHtml()))) == []
    assert "**350.000**" in answer_blocks(answer(), DiscordMarkdown())[0]
    assert SENTENCE in answer_blocks(answer(), PlainText())[0]  # a terminal shows it as it is


def test_no_emphasis_when_the_question_asks_for_no_number_name_place_or_time() -> None:
    block = answer_blocks(answer("Mengapa listrik padam?"), TelegramHtml())[0]
    assert "<b>" not in block


def test_evidence_in_an_expandable_quote_with_the_sentence_underlined() -> None:
    body = "\n\n".join(citation_blocks(answer(), TelegramHtml()))
    assert TelegramHtmlChecker().check(body) == []
    assert "<blockquote expandable>Kalimat pembuka paragraf ini. <u>Serangan" in body
    assert "<b>350.000</b>" in body and "Judul &lt;uji&gt; &amp; lainnya" in body and "terbit 5 Jul 2024" in body
    quoted = re.search(r"<blockquote expandable>(.*)</blockquote>", body, re.S)
    assert quoted is not None and visible(quoted.group(1)) == PARAGRAPH
    markdown = "\n\n".join(citation_blocks(answer(), DiscordMarkdown()))
    assert "> Kalimat pembuka paragraf ini. __Serangan" in markdown and "**350.000**" in markdown


def test_huge_paragraphs_and_metadata_stay_within_each_platforms_limit_and_valid() -> None:
    sentence = "Sebanyak 350.000 orang & <warga> di Kharkiv kehilangan listrik pada Jumat (5/7). " * 40
    paragraph = sentence * 3
    source = Source(1, "x", "Judul " * 500, "Outlet " * 100, 3, paragraph, 0.5, dateline="KOTA " * 100,
                    url="https://contoh.id/a?b=<c>&d", quote_spans=((0, len(sentence)),))  # fmt: skip
    sources = tuple(Source(**{**source.__dict__, "n": n}) for n in (1, 2, 3))
    big = Answer("Berapa orang kehilangan listrik?", True, (Quote(sentence, 1),) * 3, sources, Reason.ANSWERED)
    for blocks in (answer_blocks(big, TelegramHtml()), citation_blocks(big, TelegramHtml())):
        messages = pack(blocks, 4096)
        assert all(len(m) <= 4096 and TelegramHtmlChecker().check(m) == [] for m in messages)
    for blocks in (answer_blocks(big, DiscordMarkdown()), citation_blocks(big, DiscordMarkdown(), limit=2000)):
        assert all(len(m) <= 2000 for m in pack(blocks, 2000))


def test_preview_url_is_the_first_cited_article_with_one() -> None:
    assert preview_url(answer()) is None
    assert preview_url(answer(url="https://contoh.id/a")) == "https://contoh.id/a"
    assert preview_url(answer(url="https://contoh.id/a"), 2) is None
    assert preview_url(Answer("q", False)) is None


def test_the_reference_line_and_citations_show_when_the_article_was_published_or_fetched() -> None:
    def dated(date: str | None, date_source: str | None, language: str = "id") -> Answer:
        source = Source(1, "a", "Bendungan diresmikan", "Warta Uji", 2, "Bendungan itu menampung 50 juta meter kubik.",
                        0.2, date=date, date_source=date_source)  # fmt: skip
        quote = Quote("Bendungan itu menampung 50 juta meter kubik.", 1)
        return Answer("Berapa kapasitasnya?", True, (quote,), (source,), Reason.ANSWERED, language)

    published = "\n".join(answer_blocks(dated("2026-11-24T08:30:00+07:00", "feed"), PlainText()))
    assert "Bendungan diresmikan — Warta Uji, terbit 24 Nov 2026 08.30 WIB, paragraf 2" in published
    fetched = "\n".join(citation_blocks(dated("2026-11-24T01:30:00+00:00", "fetched"), PlainText()))
    assert "diambil 24 Nov 2026 01.30 UTC" in fetched
    english = "\n".join(answer_blocks(dated("2026-11-20", "page", "en"), PlainText()))
    assert "published 20 Nov 2026, paragraph 2" in english
    undated = "\n".join(answer_blocks(dated(None, None), PlainText()))
    assert "Warta Uji, paragraf 2" in undated
