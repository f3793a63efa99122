"""Titles cut from a lead sentence: no dateline, no weekday-and-date, bounded at a word, nothing invented."""

from __future__ import annotations

import pytest

from retrieval.titles import MAX_TITLE_CHARS, derived_title


@pytest.mark.parametrize(
    ("lead", "title"),
    [
        (
            "Presiden Joko Widodo, Senin (12/8), meresmikan bendungan baru.",
            "Presiden Joko Widodo meresmikan bendungan baru",
        ),
        ("Polisi pada Kamis malam menangkap dua tersangka.", "Polisi menangkap dua tersangka"),
        (
            "Menurut data terbaru, Badan Pusat Statistik (BPS) mencatat inflasi 2,1 persen.",
            "BPS mencatat inflasi 2,1 persen",
        ),
        ("harga beras naik.", "Harga beras naik"),
    ],
)
def test_main_clause_without_day_date_or_opening(lead: str, title: str) -> None:
    assert derived_title(lead) == title


def test_long_lead_ends_before_a_joining_word_never_on_a_preposition() -> None:
    lead = (
        "Pemerintah daerah mengumumkan rencana pembangunan jalan tol sepanjang seratus kilometer di wilayah "
        "selatan provinsi untuk mengurangi kemacetan yang parah setiap akhir pekan."
    )
    assert derived_title(lead) == (
        "Pemerintah daerah mengumumkan rencana pembangunan jalan tol sepanjang seratus kilometer di wilayah"
    )
    assert derived_title(lead, limit=90) == (  # a cut that would end on "di" drops it
        "Pemerintah daerah mengumumkan rencana pembangunan jalan tol sepanjang seratus kilometer"
    )
    words = " ".join(["kata"] * 60)
    bounded = derived_title(words)
    assert len(bounded) <= MAX_TITLE_CHARS and bounded.endswith("kata") and bounded.startswith("Kata")


def test_acronym_with_fewer_words_before_it_only_loses_its_brackets() -> None:
    assert derived_title("Kata mereka (NATO) benar.") == "Kata mereka benar"
