"""What a question asks for, and the answer-type evidence in a sentence."""

from __future__ import annotations

import pytest

from retrieval.answer_types import (
    asks_yes_no,
    has_number,
    has_time,
    name_tokens,
    question_kind,
    question_negated,
    sentence_evidence,
)
from retrieval.text import raw_tokens


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Berapa personel yang direkrut Rusia?", "number"),
        ("brp juta butir amunisi yg dikirim", "number"),
        ("Tahun berapa NATO didirikan?", "time"),
        ("NATO merayakan ulang tahun ke berapa?", "number"),
        ("nato ultah yg keberapa sih", "number"),
        ("Pada abad ke berapa candi itu dibangun?", "time"),
        ("kapan stoltenberg mundur", "time"),
        ("Siapa pengganti Stoltenberg?", "person"),
        ("Di kota mana pertemuan diadakan?", "place"),
        ("Negara mana yang menolak?", "place"),
        ("Mengapa Swedia bergabung?", "reason"),
        ("Apa yang dimaksud dengan herpetologi?", "definition"),
        ("How many troops does Russia recruit?", "number"),
        # "sebesar apa" asks how much, like "berapa"; "langkah apa" stays a "which".
        ("Buku Putih itu ngatur dana sebesar apa?", "number"),
        ("Langkah apa yang diambil UE?", "which"),
        ("Who replaces Stoltenberg?", "person"),
    ],
)
def test_question_kind(question: str, kind: str) -> None:
    assert question_kind(question) == kind


@pytest.mark.parametrize(
    "sentence",
    [
        "Kota itu jatuh pada 91 SM setelah pengepungan.",
        "Stoltenberg, Jumat (5/7), mengatakan NATO siap.",
        "Perjanjian ditandatangani pada 17 Agustus 1945.",
        "Ia mundur pada musim gugur ini.",
        "Kerajaan itu berdiri sejak abad ke-7.",
        "Hasilnya diumumkan hari ini oleh panitia.",
    ],
)
def test_time_expressions(sentence: str) -> None:
    assert has_time(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Rusia merekrut sekitar 30.000 personel.",
        # "Dingin" of the Cold War, "lalu" as "then", "sampai" as "as far as": no date in any of them.
        "NATO didirikan sebagai tanggapan atas ancaman Uni Soviet selama Perang Dingin.",
        "Para menteri bertemu, lalu mengumumkan paket bantuan baru.",
        "Bantuan itu sampai ke garis depan tanpa hambatan.",
        "Kuleba tidak ingin merusak pesta ulang tahun NATO.",
        # A rate says how often, not when: "kapan Rusia merekrut …" is not answered by it.
        "Rusia merekrut sekitar 30.000 personel tambahan per bulan.",
        "Anggaran itu naik tiap tahun.",
    ],
)
def test_not_a_time(sentence: str) -> None:
    assert not has_time(sentence)


def test_numbers_without_time() -> None:
    assert has_number("Rusia merekrut sekitar 30.000 personel.")
    assert has_number("Dua anggota terbaru NATO bergabung.")


def test_place_and_name_evidence() -> None:
    evidence = sentence_evidence("Pusat komando baru dibangun di Wiesbaden, Jerman.")
    assert evidence.place and evidence.matches("place") and evidence.names >= 2
    founder = sentence_evidence("HootSuite didirikan oleh Invoke Media pada 2008.")
    assert founder.matches("person") and not founder.matches("place")


def test_a_country_named_anywhere_answers_which_country() -> None:
    """ "Tentara negara mana …": the answer names the country with no "di"/"ke" before it."""
    assert sentence_evidence("Tentara Korea Utara dikerahkan dalam perang ilegal ini.").matches("place")
    assert sentence_evidence("Hongaria telah memberi isyarat kepada pihak oposisi.").matches("place")
    # A language, a person named Sri, or a country written as a common word is no place.
    assert not sentence_evidence("Buku itu ditulis dalam bahasa Inggris.").matches("place")
    assert not sentence_evidence("Menkeu Sri Mulyani hadir dalam rapat.").matches("place")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # The answer to "negara mana yang memberi isyarat …" opens the sentence.
        ("Hongaria telah memberi isyarat kepada pihak oposisi.", ["Hongaria"]),
        ("Stoltenberg mengatakan NATO siap.", ["Stoltenberg", "NATO"]),
        # An Indonesian or English word is capitalised only because it opens the sentence.
        ("Namun Rusia masih kekurangan amunisi.", ["Rusia"]),
        ("Kamis malam, serangan menghantam kota.", []),
        ("The alliance met in Brussels.", ["Brussels"]),
    ],
)
def test_names_include_a_name_that_opens_the_sentence(sentence: str, expected: list[str]) -> None:
    assert name_tokens(raw_tokens(sentence)) == expected


@pytest.mark.parametrize(
    "question",
    [
        "apakah UE mau menggantikan peran NATO?",
        "Apakah Uni Eropa berniat mengambil alih fungsi NATO?",
        "rutte bilang ukraina bakal masuk nato gak sih",
        "kalo perang di ukraina udh kelar rusia msh bahaya gak buat eropa",
        "eu emang mau gantiin nato ya?",
        "Is NATO going to join the war?",
        "benarkah Rutte jadi sekjen NATO?",
    ],
)
def test_yes_no_questions(question: str) -> None:
    assert asks_yes_no(question)


@pytest.mark.parametrize(
    "question",
    [
        "Apakah nama ilmiah kucing pasir?",  # IDK-MRC's formal "what"
        "Apa penyebab Korea bisa bersatu lagi?",
        "Apa yang masih kurang dimiliki Rusia untuk serangan besar?",
        "apakah kerajaan terbesar yang pernah ada di Korea?",
        "Seberapa sering komite itu akan bersidang?",
        "Is it true who won?",
        "siapa yg gantiin stoltenberg",
    ],
)
def test_questions_that_ask_what_are_not_yes_no(question: str) -> None:
    assert not asks_yes_no(question)


def test_the_negation_that_asks_yes_or_no_does_not_negate() -> None:
    assert not question_negated("rutte bilang ukraina bakal masuk nato gak sih")
    assert not question_negated("rusia msh bahaya gak buat eropa")
    assert not question_negated("Apakah NATO terlibat atau tidak?")
    assert question_negated("Negara mana yang gak setuju dengan usulan itu?")
    assert question_negated("Apa barang yang tidak untuk diperdagangkan?")
    assert question_negated("Hewan apa yang tidak mempelajari reptil?")
