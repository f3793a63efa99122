"""Mistyped names read as the corpus spells them, and nothing else corrected."""

from __future__ import annotations

from retrieval.spelling import corrected_groups, one_edit_away, spellings_to_look_up
from retrieval.text import TermGroup, question_terms

CORPUS_WORDS = frozenset({"stoltenberg", "kharkiv", "mundur", "undur", "lengser", "hongaria", "hungaria"})


def corrected(question: str) -> list[tuple[str, ...]]:
    return [g.terms for g in corrected_groups(question_terms(question), CORPUS_WORDS.__contains__)]


def test_one_edit_covers_swaps_slips_and_missing_letters() -> None:
    near = set(one_edit_away("stoltenbreg"))
    assert "stoltenberg" in near  # two letters swapped
    assert "kharkiv" in set(one_edit_away("kharkov"))  # one letter off
    assert "kharkiv" in set(one_edit_away("kharkv"))  # one letter missing
    assert "kharkiv" in set(one_edit_away("kharrkiv"))  # one letter doubled
    assert "stoltenberg" not in set(one_edit_away("stoltnebreg"))  # two slips: too far


def test_a_mistyped_name_also_searches_the_corpus_spelling() -> None:
    assert corrected("stoltenbreg lengser kapan") == [("stoltenbreg", "stoltenberg"), ("mundur", "undur", "lengser")]


def test_words_the_corpus_knows_or_a_dictionary_holds_stay_as_typed() -> None:
    assert corrected("kapan stoltenberg mundur") == [("stoltenberg",), ("mundur", "undur", "lengser")]
    # "demokrasi" is a real word: if the articles lack it, it is missing, not mistyped.
    words = frozenset({"demokrasa"})
    assert corrected_groups([TermGroup(("demokrasi",))], words.__contains__)[0].terms == ("demokrasi",)
    assert corrected_groups([TermGroup(("2024",), number=True)], {"2025"}.__contains__)[0].terms == ("2024",)


def test_short_or_ambiguous_words_are_not_guessed() -> None:
    assert corrected("siapa kallsa") == [("kallsa",)]  # too short to tell a slip from another name
    # "hongarie" lies one edit from two corpus spellings: no guess.
    words = frozenset({"hongaria", "hongarij"})
    groups = corrected_groups([TermGroup(("hongarie",))], words.__contains__)
    assert groups[0].terms == ("hongarie",)


def test_one_lookup_covers_every_spelling_a_correction_asks_about() -> None:
    """An article database is asked once: about the possibly mistyped words and their neighbours only."""
    groups = question_terms("stoltenbreg lengser kapan")
    spellings = spellings_to_look_up(groups)
    assert "stoltenbreg" in spellings and "stoltenberg" in spellings
    assert not {"lengser", "mundur"} & spellings  # several alternatives: never corrected, never asked
    asked: list[str] = []

    def known(term: str) -> bool:
        asked.append(term)
        return term in CORPUS_WORDS

    corrected_groups(groups, known)
    assert set(asked) <= spellings
    assert spellings_to_look_up(question_terms("kapan rutte mundur")) == frozenset()  # short or plain words
