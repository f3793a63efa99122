"""The English → Indonesian glossary used to search Indonesian articles with English questions."""

from __future__ import annotations

from collections import Counter

import pytest

import retrieval.glossary as glossary_module
from retrieval.glossary import GLOSSARY
from retrieval.text import question_terms

# Function and question words: stopwords, never translated. ("why" is an older entry kept
# on purpose: it becomes "alasan", the word articles use for reasons.)
ENGLISH_STOPWORDS = """
a an the what who whom whose which when where how is are was were be been being am of and or
but if in on at to for from by with about into onto than then it its this that these those
do does did doing done will would can could should shall may might must has have had not no
yes he she they them his her their we you your our me my i as so very too also just only
""".split()


def _pairs() -> list[str]:
    """Every english=indonesian pair as written in the module, sections included."""
    return [
        pair
        for name, value in vars(glossary_module).items()
        if name.startswith("_") and name.isupper() and isinstance(value, str)
        for pair in value.split()
    ]


def test_no_stopword_is_translated() -> None:
    assert [word for word in ENGLISH_STOPWORDS if word in GLOSSARY] == []


def test_every_value_is_a_single_lower_case_word() -> None:
    bad = {key: value for key, value in GLOSSARY.items() if not (value.isalpha() and value.islower())}
    assert bad == {}
    assert all(key.isalpha() and key.islower() for key in GLOSSARY)


def test_each_english_word_is_written_once() -> None:
    pairs = _pairs()
    assert len(pairs) == len(GLOSSARY)
    assert [key for key, n in Counter(pair.split("=")[0] for pair in pairs).items() if n > 1] == []


def test_size() -> None:
    assert len(GLOSSARY) >= 1200


@pytest.mark.parametrize(
    ("english", "indonesian"),
    [
        ("foreign", {"luar"}),
        ("chief", {"kepala", "ketua"}),
        ("invented", {"temukan", "cipta"}),
        ("capital", {"ibu"}),
        ("population", {"penduduk"}),
        ("language", {"bahasa"}),
        ("river", {"sungai"}),
        ("mountain", {"gunung"}),
        ("island", {"pulau"}),
        ("king", {"raja"}),
        ("queen", {"ratu"}),
        ("treaty", {"perjanjian"}),
        ("born", {"lahir"}),
        ("largest", {"terbesar"}),
        ("election", {"pemilihan"}),
        ("earthquake", {"gempa"}),
        ("january", {"januari"}),
        ("monday", {"senin"}),
        ("five", {"lima"}),
        ("hundred", {"ratus"}),
        ("egypt", {"mesir"}),
        ("german", {"jerman"}),
        ("court", {"pengadilan"}),
        ("vaccine", {"vaksin"}),
    ],
)
def test_spot_translations(english: str, indonesian: set[str]) -> None:
    assert GLOSSARY[english] in indonesian


@pytest.mark.parametrize(
    ("english", "indonesian"),
    [("aid", "bantuan"), ("missile", "rudal"), ("drone", "nirawak"), ("successor", "pengganti"), ("why", "alasan")],
)
def test_first_glossary_is_kept(english: str, indonesian: str) -> None:
    assert GLOSSARY[english] == indonesian


def test_indonesian_homographs_are_not_keys() -> None:
    # Question words are looked up here even in Indonesian questions.
    for word in ("main", "koran", "solar", "mayor", "online", "data", "kayak", "lama", "sore"):
        assert word not in GLOSSARY


@pytest.mark.parametrize(
    ("question", "expected", "not_expected"),
    [
        # "take" + "over" word by word is "ambil": the phrase means succeeding someone.
        ("Who will take over from Jens Stoltenberg as NATO Secretary General?", "ganti", "ambil"),
        # "how old" asks for an age; "old" alone is "lama".
        ("How old is Jens Stoltenberg?", "usia", "lama"),
        ("When did Stoltenberg step down?", "mundur", None),
        ("Is Russia running out of ammunition?", "kurang", None),
        # To join a war is to take part in it, not to become a member ("bergabung").
        ("Is NATO going to join the war?", "libat", "gabung"),
        ("Which EU countries disagree with the plan?", "oposisi", "tuju"),
        ("How many members does NATO have today?", "kini", None),
    ],
)
def test_english_phrases_are_read_as_one_word(question: str, expected: str, not_expected: str | None) -> None:
    terms = {t for g in question_terms(question) for t in g.terms}
    assert expected in terms
    assert not_expected is None or not_expected not in terms


def test_every_phrase_means_glossary_words() -> None:
    assert all(word in GLOSSARY for meaning in glossary_module._PHRASES for word in meaning.split())
