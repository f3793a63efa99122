"""Answer choice with the shipped answer model on a toy article and a fake embedder: no model files,
no seeds index, milliseconds. What the real pipeline does end to end is in tests/retrieval/test_answer_quality.py."""

from __future__ import annotations

import pytest

from retrieval.answer_model import AnswerModel
from retrieval.corpus import parse_article
from retrieval.index import SearchIndex, build_index
from retrieval.quotes import ModelSelector, Selection
from retrieval.search import HybridSearcher
from retrieval.testing import HashingEmbedder, query_for

# No date, month, weekday or other time anywhere: a "kapan" question has no answer here.
ARTICLE = (
    "Para petani di Temanggung menjual biji kopi arabika kepada koperasi desa. "
    "Koperasi itu dipimpin oleh Siti Rahayu. "
    "Harga biji kopi naik karena permintaan dari kafe di kota besar."
)


@pytest.fixture(scope="module")
def toy() -> tuple[SearchIndex, ModelSelector]:
    index = build_index([parse_article("kopi", ARTICLE)], HashingEmbedder(), show_progress=False)
    return index, ModelSelector(index, AnswerModel.load(), min_confidence=0.0, paragraphs=4)


def _select(toy: tuple[SearchIndex, ModelSelector], question: str) -> tuple[Selection, list[str]]:
    index, selector = toy
    query = query_for(question, HashingEmbedder())
    selection = selector.select(query, HybridSearcher(index).search(query).candidates)
    first = index.sentence_rows(0).start
    quoted = [index.paragraphs[0].sentence_text(row - first) for pick in selection.picks for row in pick.sentences]
    return selection, quoted


def test_the_quote_is_the_sentence_that_holds_the_answer(toy: tuple[SearchIndex, ModelSelector]) -> None:
    selection, quoted = _select(toy, "Siapa yang memimpin koperasi itu?")
    assert quoted and "Siti Rahayu" in quoted[0]
    assert selection.confidence > 0.0


def test_a_when_question_is_not_answered_by_a_passage_without_any_time(
    toy: tuple[SearchIndex, ModelSelector],
) -> None:
    selection, quoted = _select(toy, "Kapan petani menjual biji kopi kepada koperasi?")
    assert quoted  # the nearest sentence is still chosen (shown nowhere) ...
    assert not selection.confident and selection.confidence == 0.0  # ... but never offered


def test_a_name_the_article_never_mentions_is_not_answered(toy: tuple[SearchIndex, ModelSelector]) -> None:
    selection, _ = _select(toy, "Apakah Jokowi membeli biji kopi dari petani Temanggung?")
    assert not selection.confident and selection.confidence == 0.0
    known, _ = _select(toy, "Apakah Siti Rahayu memimpin koperasi desa?")
    assert known.confidence > 0.0  # the same kind of question about someone it does name is judged
