"""The answering part of a quoted sentence: spans found by the question's kind, the text untouched."""

from __future__ import annotations

from itertools import pairwise

import pytest

from retrieval.answer_spans import answer_spans

CASES = [
    (
        "Berapa penduduk Kharkiv yang kehilangan aliran listrik?",
        "Serangan itu memutus aliran listrik bagi 350.000 penduduk, kata para pejabat Ukraina.",
        ["350.000"],
    ),
    (
        "Berapa bantuan militer anggota NATO di paruh pertama 2024?",
        "Pada paruh pertama 2024 saja, para anggota NATO memberikan bantuan senilai 20,9 miliar euro "
        "(sekitar Rp353,2 triliun).",
        ["20,9 miliar euro", "Rp353,2 triliun"],
    ),
    (
        "Siapa pengganti Stoltenberg?",
        "Stoltenberg akan mundur, namun penggantinya, mantan perdana menteri Belanda Mark Rutte, sependapat "
        "dengan Stoltenberg.",
        ["Mark Rutte"],
    ),
    (
        "Siapa kepala kebijakan luar negeri Uni Eropa?",
        "Kepala kebijakan luar negeri UE, Kaja Kallas, menegaskan pentingnya pelatihan tentara Ukraina.",
        ["Kaja Kallas"],
    ),
    (
        "Di mana Stoltenberg menggelar konferensi pers itu?",
        "kata Stoltenberg pada konferensi pers di Washington.",
        ["Washington"],
    ),
    (
        "Kapan Stoltenberg menyampaikannya?",
        "Sekretaris Jenderal NATO Jens Stoltenberg, Jumat (5/7), mengatakan NATO akan bekerja lebih erat.",
        ["Jumat (5/7)"],
    ),
    (
        "kapan stoltenberg mundur",
        "Stoltenberg akan mundur pada musim gugur ini, namun penggantinya sependapat.",
        ["musim gugur ini"],
    ),
    (
        "Berapa hari pertemuan puncak aliansi?",
        "Keputusan diambil pada pertemuan puncak tiga hari aliansi tersebut.",
        ["tiga hari"],
    ),
    ("Mengapa NATO memperkuat pertahanan?", "NATO memperkuat pertahanan karena ancaman Rusia pada 2024.", []),
]


@pytest.mark.parametrize(("question", "sentence", "expected"), CASES)
def test_answer_spans(question: str, sentence: str, expected: list[str]) -> None:
    spans = answer_spans(question, sentence)
    assert [sentence[a:b] for a, b in spans] == expected
    assert all(0 <= a < b <= len(sentence) for a, b in spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in pairwise(spans))  # in order, never overlapping


def test_what_the_question_names_is_not_the_answer() -> None:
    assert answer_spans("Siapa Jens Stoltenberg?", "Jens Stoltenberg berbicara di Brussel.") == ()
