"""The question-answering core end to end on the seed articles (real model, real indexes)."""

from __future__ import annotations

import pytest

from retrieval.answer import Answer, Reason
from retrieval.engine import QAEngine


def quoted(answer: Answer) -> str:
    return " ".join(q.text for q in answer.quotes)


def test_answers_with_verbatim_cited_quote(engine: QAEngine) -> None:
    answer = engine.ask("Siapa pengganti Stoltenberg?")
    assert answer.answered and answer.reason is Reason.ANSWERED
    assert "Mark Rutte" in quoted(answer)
    for quote in answer.quotes:
        source = answer.source(quote.source)
        assert source is not None and quote.text in source.text
    assert [s.n for s in answer.sources] == list(range(1, len(answer.sources) + 1))
    assert answer.sources[0].article_id == "004_48468e831883892f"
    assert answer.sources[0].paragraph == 11


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("Berapa personel tambahan yang bisa direkrut Rusia setiap bulan?", "30.000"),
        ("Berapa nilai bantuan militer anggota NATO pada paruh pertama 2024?", "20,9 miliar euro"),
        ("Dimana NATO akan membangun pusat komando baru untuk Ukraina?", "Wiesbaden"),
        ("Berapa jumlah sistem pertahanan udara tambahan yang diminta Sybiha?", "20 sistem pertahanan udara"),
    ],
)
def test_key_fact_is_quoted(engine: QAEngine, question: str, fact: str) -> None:
    answer = engine.ask(question)
    assert answer.answered
    assert fact in quoted(answer)


def test_english_question_finds_indonesian_passage(engine: QAEngine) -> None:
    answer = engine.ask("How many personnel does Russia recruit each month?")
    assert answer.answered and answer.language == "en"
    assert "30.000" in quoted(answer)


@pytest.mark.parametrize(
    "question",
    [
        "Siapa juara Liga Inggris musim lalu?",
        "Bagaimana cara membuat rendang yang empuk?",
        "Berapa harga beras di Jakarta hari ini?",
        "What is the capital of Australia's best football club?",
    ],
)
def test_abstains_when_articles_do_not_know(engine: QAEngine, question: str) -> None:
    answer = engine.ask(question)
    assert not answer.answered
    assert answer.reason is Reason.NOT_FOUND
    assert answer.quotes == () and answer.sources == ()


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("", Reason.EMPTY),
        ("   \n ", Reason.EMPTY),
        ("😀🔥🙏", Reason.NO_TEXT),
        ("<b></b>", Reason.NO_TEXT),
        ("NATO " * 400, Reason.TOO_LONG),
    ],
)
def test_bad_input_gets_a_reason_not_an_exception(engine: QAEngine, question: str, reason: Reason) -> None:
    answer = engine.ask(question)
    assert not answer.answered and answer.reason is reason


def test_html_laden_question_is_answered_on_its_words(engine: QAEngine) -> None:
    answer = engine.ask("<b>Siapa</b> pengganti <i>Stoltenberg</i>?")
    assert answer.answered and "Mark Rutte" in quoted(answer)
    assert answer.question == "<b>Siapa</b> pengganti <i>Stoltenberg</i>?"


def test_follow_up_uses_previous_question(engine: QAEngine) -> None:
    answer = engine.ask("kapan dia mundur?", context="Siapa pengganti Stoltenberg?")
    assert answer.answered
    assert "musim gugur" in quoted(answer)


def test_quote_spans_point_at_the_quotes(engine: QAEngine) -> None:
    answer = engine.ask("Apa yang dikatakan Kremlin tentang hubungan Rusia dan NATO?")
    assert answer.answered
    for source in answer.sources:
        spans = [source.text[s:e] for s, e in source.quote_spans]
        assert spans == [q.text for q in answer.quotes if q.source == source.n]


def test_json_contract(engine: QAEngine) -> None:
    data = engine.ask("Siapa pengganti Stoltenberg?").to_json()
    assert set(data) == {"question", "answered", "quotes", "sources", "timings_ms"}
    assert isinstance(data["timings_ms"]["total"], float)
    ns = {s["n"] for s in data["sources"]}
    for quote in data["quotes"]:
        assert set(quote) == {"text", "source"} and quote["source"] in ns
    for source in data["sources"]:
        fields = {"n", "article_id", "title", "outlet", "paragraph", "text", "score", "date", "date_source", "url"}
        assert set(source) == fields
        assert isinstance(source["paragraph"], int) and source["paragraph"] >= 1
        assert source["outlet"] is None or isinstance(source["outlet"], str)
        assert source["date"] is None and source["url"] is None  # the seeds have neither


@pytest.mark.parametrize(
    "question", ["Siapa pengganti Stoltenberg", "berapa personel tambahan yang bisa direkrut Rusia setiap bulan"]
)
def test_trailing_punctuation_does_not_change_the_answer(engine: QAEngine, question: str) -> None:
    engine.clear_query_cache()
    plain = engine.ask(question)
    for variant in (question + "?", question + " ?!", question + "..."):
        engine.clear_query_cache()
        answer = engine.ask(variant)
        assert [q.text for q in answer.quotes] == [q.text for q in plain.quotes]
        assert answer.sources == plain.sources
    assert plain.answered
