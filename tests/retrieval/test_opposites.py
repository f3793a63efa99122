"""Opposite words: a sentence that turns a question word around is evidence of a near miss."""

from __future__ import annotations

from retrieval.answer_features import term_set
from retrieval.opposites import OPPOSITES, says_opposite
from retrieval.text import question_terms


def groups_of(question: str) -> list[tuple[str, ...]]:
    return [g.terms for g in question_terms(question)]


def test_a_sentence_saying_the_reverse_is_found() -> None:
    sentence = term_set("Namun Rusia masih kekurangan amunisi dan unit manuver.")
    lacking = [terms for terms in groups_of("knp rusia kelebihan amunisi") if not set(terms) & sentence]
    assert lacking == [("lebih",)]
    assert says_opposite(lacking[0], sentence)


def test_english_questions_reach_the_opposite_through_the_glossary() -> None:
    sentence = term_set("Finlandia dan Swedia bergabung sebagai respons langsung terhadap invasi Rusia.")
    lacking = [terms for terms in groups_of("why did finland and sweden leave nato?") if not set(terms) & sentence]
    assert any(says_opposite(terms, sentence) for terms in lacking)


def test_a_sentence_that_agrees_is_not_an_opposite() -> None:
    assert not says_opposite(("lebih",), term_set("Rusia menimbun amunisi tahun ini."))
    assert not says_opposite(("amunisi",), term_set("Rusia kekurangan amunisi."))


def test_pairs_run_both_ways() -> None:
    assert all(word in OPPOSITES[other] for word, others in OPPOSITES.items() for other in others)
