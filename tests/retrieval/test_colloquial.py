"""Casual chat Indonesian → the standard words the articles use."""

from __future__ import annotations

import re

import pytest

from retrieval.colloquial import _SLANG, standardize
from retrieval.text import flatten_terms, question_terms


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("siapa yg gantiin stoltenberg?", "siapa yang gantikan stoltenberg?"),
        ("brp jumlah tentara yg direkrut tiap bulan", "berapa jumlah tentara yang direkrut tiap bulan"),
        ("udh gabung nato blm?", "sudah gabung nato belum?"),
        ("kenapa rusia nyerang ukraina", "kenapa rusia menyerang ukraina"),
        ("ngasih bantuan apa aja", "memberi bantuan apa saja"),
        ("knp putin gk mau damai sm ukraina", "kenapa putin tidak mau damai sama ukraina"),
        ("dmn ktt nato diadain taun ini?", "di mana ktt nato diadakan tahun ini?"),
        ("Lavrov bilang apa soal Kyiv?", "Lavrov berkata apa soal Kyiv?"),
        ("NATO ngirim senjata apa aja ke ukraina", "NATO mengirim senjata apa saja ke ukraina"),
        ("emg bener NATO mau ngerekrut 30.000 org?", "memang benar NATO mau merekrut 30.000 orang?"),
        ("anggarannya udh Rp353,2 triliun blm sih", "anggarannya sudah Rp353,2 triliun belum sih"),
        ("ukraina dikirimin rudal patriot brp unit", "ukraina dikirimkan rudal patriot berapa unit"),
        ("gmn caranya eropa ngeluarin dana pertahanan", "bagaimana caranya eropa mengeluarkan dana pertahanan"),
        ("yg mimpin nato skrg sp ya", "yang memimpin nato sekarang siapa ya"),
        ("emang bener amerika mau mundurin pasukan?", "memang benar amerika mau mundurkan pasukan?"),
        ("dana bantuan ukraina dipake buat apa aja", "dana bantuan ukraina dipakai buat apa saja"),
        ("uni eropa ngumumin sanksi apa aja", "uni eropa mengumumkan sanksi apa saja"),
        ("polandia nambah anggaran militer brp persen", "polandia menambah anggaran militer berapa persen"),
        ("brp byk amunisi yg dijanjiin UE", "berapa banyak amunisi yang dijanjikan UE"),
        ("apa aja yg diomongin di ktt", "apa saja yang dibicarakan di ktt"),
        ("kapan perang ini kelar?", "kapan perang ini selesai?"),
        ("rusia nyari amunisi dr mana aja", "rusia mencari amunisi dari mana saja"),
        ("korea utara ngirimin senjata ke rusia gak", "korea utara mengirimkan senjata ke rusia tidak"),
        ("nato udh nyiapin pasukan brp banyak", "nato sudah menyiapkan pasukan berapa banyak"),
        ("siapa yg ngebom rumah sakit anak di kyiv", "siapa yang mengebom rumah sakit anak di kyiv"),
        ("kalo ga salah rutte itu mantan pm belanda kan", "kalau tidak salah rutte itu mantan pm belanda kan"),
        ("duitnya dr mana, kayaknya dr eropa", "uangnya dari mana, sepertinya dari eropa"),
        ("tentara rusia yg tewas brp org", "tentara rusia yang tewas berapa orang"),
        ("sapa yg nanya soal amunisi kemaren", "siapa yang bertanya soal amunisi kemarin"),
        ("nato ngecek apa aja", "nato mengecek apa saja"),
        ("siapa yg nulis laporan itu", "siapa yang menulis laporan itu"),
        ("rusia nyimpen senjata dmn", "rusia menyimpan senjata di mana"),
        # letters typed three times over
        ("gakkk tauuu", "tidak tahu"),
        ("siapaaa yg gantiinnn", "siapa yang gantikan"),
    ],
)
def test_chat_questions(question: str, expected: str) -> None:
    assert standardize(question) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Gimana sikap UE soal itu?", "Bagaimana sikap UE soal itu?"),
        ("Yg gantiin siapa?", "Yang gantikan siapa?"),
        ("Nyerang ukraina itu keputusan sp?", "Menyerang ukraina itu keputusan siapa?"),
        ("Dmn KTT NATO?", "Di mana KTT NATO?"),
        ("oke. Gmn kalo perang?", "oke. Bagaimana kalau perang?"),
        # every word capitalised: the capitals say nothing about names
        ("Siapa Yg Gantiin Stoltenberg?", "Siapa Yang Gantikan Stoltenberg?"),
    ],
)
def test_case_of_a_replaced_first_word_is_kept(question: str, expected: str) -> None:
    assert standardize(question) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("gantiin", "gantikan"),
        ("mundurin", "mundurkan"),
        ("kirimin", "kirimkan"),
        ("bayarin", "bayarkan"),
        ("masukin", "masukkan"),
        ("nyerang", "menyerang"),
        ("nyerangin", "menyerangkan"),
        ("ngambil", "mengambil"),
        ("ngirim", "mengirim"),
        ("ngurus", "mengurus"),
        ("ngejar", "mengejar"),
        ("ngebom", "mengebom"),
        ("nanyain", "menanyakan"),
        ("nulis", "menulis"),
        ("mukul", "memukul"),
        ("milih", "memilih"),
        ("nolak", "menolak"),
        ("nembak", "menembak"),
        ("dikirimin", "dikirimkan"),
        ("diusulin", "diusulkan"),
        ("dikasihin", "diberikan"),
        ("ngasih-in", "memberikan"),
        ("datengin", "datangkan"),
    ],
)
def test_colloquial_affixes(word: str, expected: str) -> None:
    assert standardize(word) == expected


@pytest.mark.parametrize(
    ("word", "root"),
    [
        ("gantiin", "ganti"),
        ("nyerang", "serang"),
        ("ngasih", "beri"),
        ("ngirim", "kirim"),
        ("ngambil", "ambil"),
        ("nulis", "tulis"),
        ("mukul", "pukul"),
        ("nanyain", "tanya"),
        ("dikirimin", "kirim"),
        ("ngebom", "bom"),
        ("mundurin", "mundur"),
        ("nyari", "cari"),
        ("mimpin", "pimpin"),
        ("ngeluarin", "keluar"),
    ],
)
def test_sastrawi_stems_the_standard_form_to_the_root(word: str, root: str) -> None:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    stemmer = StemmerFactory().create_stemmer()
    assert stemmer.stem(standardize(word)) == root


@pytest.mark.parametrize(
    "text",
    [
        # standard words ending in -in, and standard derived forms of them
        "makin ingin lain angin dingin kemarin main yakin mungkin cairan",
        "semakin pemain bermain permainan memainkan kemungkinan keyakinan diizinkan termiskin",
        "mesin bensin vaksin latin rutin disiplin miskin izin cermin protein vitamin",
        # standard words a nasal rule could misread (nanti → tanti, nyata → syata)
        "nanti nasional negara nilai nyata nyawa menteri minyak musim nuklir mekanisme nama nasib",
        "menyerang memberikan mengatakan dikirimkan gantikan menanyakan mengebom",
        # names, capitalised or typed in lower case
        "Kyiv Lavrov Putin Berlin Kremlin Stoltenberg Rutte Kallas Macron Netanyahu",
        "rutte kallas putin berlin kremlin nato macron nasa",
        # numbers and amounts
        "30.000 personel, Rp353,2 triliun, 20,9 miliar euro, (5/7), 2024",
        "rusia merekrut 30rb tentara dan 5jt peluru",
        # English questions are left to the glossary
        "Who is the EU foreign policy chief?",
        "When did Finland join NATO and how many soldiers will it make available?",
        "What is the market price of the medal the miner won?",
        # acronyms, URLs, mentions, hashtags
        "NATO UE PBB KTT YG",
        "baca www.nato.int atau tulis ke org@nato.int #gantiin @udh",
        "",
        "   ",
        "🙏🙏",
        "👍 ✅",
        "?!...",
    ],
)
def test_left_unchanged(text: str) -> None:
    assert standardize(text) == text


def test_only_words_change() -> None:
    text = "  brp  jumlah (tentara) yg direkrut—tiap bulan?!\n\nudh 30.000 blm… 👍 "
    out = standardize(text)
    assert out == "  berapa  jumlah (tentara) yang direkrut—tiap bulan?!\n\nsudah 30.000 belum… 👍 "
    assert re.sub(r"\w+", "", out) == re.sub(r"\w+", "", text)


def test_title_dr_and_capitalised_names_mid_sentence_stay() -> None:
    assert standardize("Dr. Budi bilang gmn") == "Dr. Budi berkata bagaimana"
    assert standardize("siapa Sapa di sini") == "siapa Sapa di sini"


def test_reduplication() -> None:
    assert standardize("org-org nato") == "orang-orang nato"
    assert standardize("cuma-cuma") == "cuma-cuma"


def test_a_word_doubled_with_a_2_is_no_number() -> None:
    """ "besar2an" is "besar-besaran"; the 2 must not become a number the article has to hold."""
    assert standardize("rusia kurang apa buat nyerang besar2an") == "rusia kurang apa buat menyerang besar-besaran"
    assert standardize("negara2 mana aja, org2nya siapa") == "negara-negara mana saja, orang-orangnya siapa"
    assert standardize("berapa jet f16 dan rudal r2") == "berapa jet f16 dan rudal r2"
    assert "2" not in flatten_terms(question_terms("negara2 mana aja yg bantuin rusia"))


def test_repeated_calls_give_the_same_answer() -> None:
    question = "siapa yg gantiin stoltenberg?"
    assert standardize(question) == standardize(question) == "siapa yang gantikan stoltenberg?"


def test_word_list_is_lower_case_and_leaves_ambiguous_words_out() -> None:
    assert all(key == key.lower() and key.isalpha() for key in _SLANG)
    assert all(value and value != key for key, value in _SLANG.items())
    # each of these is also a common standard word with another meaning
    for ambiguous in ("buat", "mau", "kasih", "kaya", "liat", "bakal", "kali", "pas", "gua", "balik", "tak"):
        assert ambiguous not in _SLANG
