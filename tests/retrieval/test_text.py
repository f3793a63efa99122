"""Indonesian sentence splitting and lexical terms."""

from __future__ import annotations

import pytest

from retrieval.text import (
    content_terms,
    flatten_terms,
    guess_language,
    has_searchable_text,
    normalize_number,
    normalize_question,
    question_terms,
    split_sentences,
    stem,
    strip_markup,
)


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "NATO memberikan bantuan senilai 20,9 miliar euro (sekitar Rp353,2 triliun). Aliansi tetap berkomitmen.",
            [
                "NATO memberikan bantuan senilai 20,9 miliar euro (sekitar Rp353,2 triliun).",
                "Aliansi tetap berkomitmen.",
            ],
        ),
        (
            "Rusia merekrut sekitar 30.000 personel per bulan. Namun Rusia kekurangan amunisi.",
            ["Rusia merekrut sekitar 30.000 personel per bulan.", "Namun Rusia kekurangan amunisi."],
        ),
        (
            "Jens Stoltenberg, Jumat (5/7), mengatakan NATO akan bekerja lebih erat. Ia berbicara di Washington.",
            ["Jens Stoltenberg, Jumat (5/7), mengatakan NATO akan bekerja lebih erat.", "Ia berbicara di Washington."],
        ),
        (
            "“Sekutu memahami urgensinya,” kata Stoltenberg. Kuleba meminta Patriot.",
            ["“Sekutu memahami urgensinya,” kata Stoltenberg.", "Kuleba meminta Patriot."],
        ),
        (
            '"Ukraina akan menjadi anggota NATO. Jadi pertanyaannya bukan waktu," ujar Rutte. Ia di Brussel.',
            ['"Ukraina akan menjadi anggota NATO. Jadi pertanyaannya bukan waktu," ujar Rutte.', "Ia di Brussel."],
        ),
        (
            "Dr. Budi dan Prof. J. Smith hadir di Jl. Merdeka No. 5 dll. pada pagi hari. Acara selesai.",
            ["Dr. Budi dan Prof. J. Smith hadir di Jl. Merdeka No. 5 dll. pada pagi hari.", "Acara selesai."],
        ),
        (
            "Apakah NATO siap? Stoltenberg yakin! Semua sekutu setuju.",
            ["Apakah NATO siap?", "Stoltenberg yakin!", "Semua sekutu setuju."],
        ),
        (
            "Pada 2022 perang dimulai. 2024 adalah tahun sulit.",
            ["Pada 2022 perang dimulai.", "2024 adalah tahun sulit."],
        ),
        (  # church and clergy titles
            "Kebaktian dipimpin Pdt. Yohanes Siahaan dan Mgr. Ignatius Suharyo. Umat memadati gereja.",
            ["Kebaktian dipimpin Pdt. Yohanes Siahaan dan Mgr. Ignatius Suharyo.", "Umat memadati gereja."],
        ),
        (  # circa
            "Candi itu dibangun (c. 850) oleh Wangsa Syailendra. Letaknya di Magelang.",
            ["Candi itu dibangun (c. 850) oleh Wangsa Syailendra.", "Letaknya di Magelang."],
        ),
        (  # reference marks glued to the full stop stay with their sentence
            "Kromatografi adalah teknik pemisah selektif.[1] Teknik ini tua.[2][3] Ia dipakai luas.",
            ["Kromatografi adalah teknik pemisah selektif.[1]", "Teknik ini tua.[2][3]", "Ia dipakai luas."],
        ),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_spans_are_verbatim() -> None:
    text = "  Satu kalimat.  Dua kalimat!  "
    for start, end in split_sentences(text):
        assert text[start:end] in {"Satu kalimat.", "Dua kalimat!"}


def test_numbers_are_normalised() -> None:
    assert normalize_number("30.000") == "30000"
    assert normalize_number("350.000") == "350000"
    assert normalize_number("20,9") == "20.9"
    assert normalize_number("2024") == "2024"
    assert "30000" in content_terms("sekitar 30.000 personel")
    assert "30000" in content_terms("brp 30000 personel")


def test_terms_stem_expand_and_drop_stopwords() -> None:
    terms = content_terms("Siapa Menlu AS yang mendukung Ukraina?")
    assert {"menteri", "luar", "negeri", "amerika", "serikat", "dukung", "ukraina"} <= set(terms)
    assert "siapa" not in terms and "yang" not in terms
    # Lower-case "as" is not the United States.
    assert "amerika" not in content_terms("as good as new")


def test_accents_fold() -> None:
    assert "wladyslaw" in content_terms("Władysław Kosiniak-Kamysz")


def test_language_guess() -> None:
    assert guess_language("Who will replace Stoltenberg as NATO chief?") == "en"
    assert guess_language("Siapa pengganti Stoltenberg?") == "id"
    assert guess_language("brp bantuan NATO") == "id"


def test_searchable_text() -> None:
    assert not has_searchable_text("😀🔥🙏")
    assert not has_searchable_text("<b></b> &nbsp; ???")
    assert has_searchable_text("<b>NATO</b>?")
    assert strip_markup("<i>Siapa</i>   &amp; <b>apa</b>") == "Siapa & apa"


def test_question_framing_words_are_not_searched() -> None:
    """ "pengertian", "dimaksud", "definisi" would lift every paragraph that defines anything."""
    terms = flatten_terms(question_terms("Apa pengertian kromatografi? Apa yang dimaksud definisi reptil?"))
    assert {"kromatografi", "reptil"} <= set(terms)
    assert not {"erti", "pengertian", "maksud", "dimaksud", "definisi"} & set(terms)
    # In a passage the same words still count: "yang dimaksud dengan X adalah …" is content there.
    assert "definisi" in content_terms("Definisi resmi tercantum dalam undang-undang.")


def test_casual_modal_is_not_a_word_the_passage_must_contain() -> None:
    """ "mau" (want/will) frames the question like "akan"; the articles say "berupaya", "akan"."""
    assert "mau" not in flatten_terms(question_terms("apakah UE mau menggantikan peran NATO"))


def test_chat_spellings_reach_the_article_words() -> None:
    groups = [g.terms for g in question_terms("siapa yg gantiin stoltenberg?")]
    assert groups == [("ganti",), ("stoltenberg",)]
    assert "serang" in flatten_terms(question_terms("knp rusia nyerang ukraina"))
    assert "sudah" not in flatten_terms(question_terms("udh gabung nato blm?"))  # stopwords either way


def test_chat_question_words_and_the_union_in_lower_case() -> None:
    """ "keberapa" asks, like "berapa", and is no word to look for; "eu" typed in lower case is the EU."""
    assert flatten_terms(question_terms("nato ultah yg keberapa sih")) == ["nato", "ulang", "tahun"]
    assert {"uni", "eropa"} <= set(flatten_terms(question_terms("menhan eu rapat di mana")))


def test_prime_minister_abbreviated() -> None:
    assert {"perdana", "menteri"} <= set(flatten_terms(question_terms("kaja kallas dulunya pm negara mana")))


def test_chat_words_reach_the_news_words() -> None:
    """ "rapat", "kuatir", "pilpres": the articles write "pertemuan", "cemas", "pemilu … Presiden"."""
    terms = flatten_terms(question_terms("pemimpin eropa kuatir knp soal pilpres amrik"))
    assert {"cemas", "presiden", "amerika"} <= set(terms)
    assert stem("pemilu") in terms
    assert stem("pertemuan") in flatten_terms(question_terms("rapat menhan nato di brussel brp hari"))


def test_a_country_typed_in_lower_case_is_a_name() -> None:
    """ "menlu prancis": if no article names France, the articles do not know what is asked."""
    france = next(g for g in question_terms("menlu prancis ngomong apa soal bantuan") if "prancis" in g.terms)
    assert france.name
    english = next(g for g in question_terms("apa bahasa inggris dari kata itu") if "inggris" in g.terms)
    assert not english.name  # a language, not the country


def test_capitals_and_spelling_variants_are_alternatives() -> None:
    """The question names the capital, the article the country: either one counts as found."""
    kyiv = next(g for g in question_terms("Rudal buatan Amerika apa yang diminta Kyiv?") if "kyiv" in g.terms)
    assert "ukraina" in kyiv.terms and kyiv.name
    moscow = next(g for g in question_terms("Berapa tentara yang direkrut Moskow?") if "moskow" in g.terms)
    assert "rusia" in moscow.terms


def test_opposing_reaches_the_word_news_uses() -> None:
    """ "menentang" leaves the stem "tentang"; the article says Hungary signalled "oposisi"."""
    opposing = next(g for g in question_terms("Negara mana yang menentang usulan dana NATO?") if "tentang" in g.terms)
    assert "oposisi" in opposing.terms
    assert "tentang" not in flatten_terms(question_terms("Apa yang dibahas tentang dana NATO?"))


def test_refusing_and_disagreeing_read_as_opposing() -> None:
    """ "nolak" and "tidak setuju" ask for the member that signalled "oposisi"; "setuju" alone is
    not searched when negated, since the article says the reverse."""
    refusing = flatten_terms(question_terms("negara mana yg kasih sinyal nolak dana itu"))
    assert "oposisi" in refusing
    disagreeing = flatten_terms(question_terms("Negara mana yang gak setuju dengan usulan dana itu?"))
    assert "oposisi" in disagreeing and "tuju" not in disagreeing
    assert "tuju" in flatten_terms(question_terms("Negara mana yang setuju dengan usulan itu?"))


def test_same_meaning_words_news_and_chat_use_differently() -> None:
    """Money for a cause, taking part in a war, now: the article and the group say it otherwise."""
    funding = next(g for g in question_terms("negara mana yg kasih dukungan dana gede") if "dana" in g.terms)
    assert "finansial" in funding.terms
    joining = next(g for g in question_terms("apakah nato ikut terjun dalam perang") if "terjun" in g.terms)
    assert stem("terlibat") in joining.terms
    assert "kini" in flatten_terms(question_terms("siapa sekjen nato sekarang"))


def test_english_words_translated_only_where_they_are_english() -> None:
    assert "luar" in flatten_terms(question_terms("Who is the EU foreign policy chief?"))
    # "air" is Indonesian for water: not the English word in an Indonesian question.
    assert "air" in flatten_terms(question_terms("Berapa suhu air laut?"))


def test_question_normalisation_makes_one_form() -> None:
    assert normalize_question("SIAPA PENGGANTI STOLTENBERG?") == "Siapa pengganti stoltenberg?"
    assert normalize_question("Siapa peng\u200bganti\x00 Stoltenberg?") == "Siapa pengganti Stoltenberg?"
    assert normalize_question("Berapa  bantuan\tNATO?") == "Berapa bantuan NATO?"
    assert normalize_question("NATO dan UE sepakat") == "NATO dan UE sepakat"  # acronyms alone are not shouting


@pytest.mark.parametrize(
    ("question", "kind_word"),
    [
        ("Negara mana saja yang memberi dukungan finansial besar?", "negara"),
        ("Di kota mana pertemuan informal menteri pertahanan UE diadakan?", "kota"),
        ("langkah apa yg diambil UE buat nekan Rusia", "langkah"),
        ("Which city hosted the meeting?", "kota"),
    ],
)
def test_the_word_naming_the_kind_of_answer_is_marked(question: str, kind_word: str) -> None:
    # The answer names a country or a city ("Prancis", "Brussels"), seldom the word "negara": the
    # answer model must not count it as something the passage lacks. Search still uses it.
    groups = question_terms(question)
    assert [g.terms for g in groups if g.asks_for] == [(kind_word,)]
    assert kind_word in flatten_terms(groups)


def test_names_and_plain_questions_have_no_kind_word() -> None:
    assert not any(g.asks_for for g in question_terms("Rudal buatan Amerika apa yang diminta Kyiv?"))
    assert not any(g.asks_for for g in question_terms("Apa yang dibahas Blinken dengan Rutte?"))
    assert not any(g.asks_for for g in question_terms("Di mana KTT NATO digelar?"))
    # Typed in lower case, a name before "apa" is the thing asked about, not the kind of answer:
    # a passage on Washington, "ibu kota AS", lacks it.
    assert not any(g.asks_for for g in question_terms("ibu kota australia apa ya"))
