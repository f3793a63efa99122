"""Article parsing: boilerplate, headings, datelines, references."""

from __future__ import annotations

import json
import re
from pathlib import Path

from retrieval.corpus import load_article, load_corpus, parse_article
from tests.conftest import SEEDS


def test_seed_boilerplate_is_not_content() -> None:
    articles = {a.article_id: a for a in load_corpus(SEEDS)}
    assert len(articles) == 5
    texts = [p.text for a in articles.values() for p in a.paragraphs]
    for junk in ("Bagikan", "Baca juga", "Sumber:", "Didukung Ceko, Presiden Ukraina minta kejelasan"):
        assert not any(t.startswith(junk) for t in texts), junk


def test_source_line_and_dateline_become_reference() -> None:
    antara = load_article(SEEDS / "003_0d97bd401b206dcc.txt")
    assert antara.meta.outlet == "ANTARA"
    assert antara.meta.source_note == "Anadolu"
    assert antara.meta.dateline == "London (ANTARA)"
    assert antara.paragraphs[0].text.startswith("Para menteri pertahanan")
    athena = load_article(SEEDS / "004_48468e831883892f.txt")
    assert athena.meta.dateline == "ATHENA"
    assert athena.paragraphs[0].text.startswith("Sekretaris Jenderal Pakta")


def test_headings_label_paragraphs_and_are_never_paragraphs() -> None:
    article = load_article(SEEDS / "002_ca4a7a2906fd2bee.txt")
    texts = [p.text for p in article.paragraphs]
    assert "Kesimpulan" not in texts
    assert "Perlunya Dukungan Militer untuk Ukraina" not in texts
    first_under = next(p for p in article.paragraphs if p.text.startswith("Rutte menyatakan"))
    assert first_under.heading == "Perlunya Dukungan Militer untuk Ukraina"
    assert article.paragraphs[0].heading is None
    assert [p.number for p in article.paragraphs] == list(range(1, len(article.paragraphs) + 1))


SEED_TITLES = {
    "000_180dce794d162729": "UE menegaskan kembali pentingnya kerja sama dengan NATO",
    "001_4081d66b315ef270": "Anggota aliansi NATO sepakat untuk menjelajahi gudang senjata mereka",
    "002_ca4a7a2906fd2bee": (
        "Sekretaris Jenderal NATO, Mark Rutte, menyoroti pentingnya meningkatkan bantuan militer bagi Ukraina"
    ),
    "003_0d97bd401b206dcc": "Para menteri pertahanan negara-negara anggota NATO berkumpul di Brussel, ibu kota Belgia",
    "004_48468e831883892f": "Sekretaris Jenderal NATO Jens Stoltenberg mengatakan NATO akan bekerja lebih erat",
}


def test_seed_titles_read_as_headlines() -> None:
    """No title in the seeds: each is cut from the lead (no dateline, no "Jumat (5/7)", no ellipsis)."""
    assert {a.article_id: a.meta.title for a in load_corpus(SEEDS)} == SEED_TITLES


def test_title_from_lead_sentence_is_not_invented() -> None:
    for article in load_corpus(SEEDS):
        lead_words = re.findall(r"[\w-]+", article.paragraphs[0].text)
        title_words = re.findall(r"[\w-]+", article.meta.title)
        assert all(w in lead_words for w in title_words), article.article_id
        assert len(article.meta.title) <= 100 and not article.meta.title.endswith("…")


def test_title_from_sidecar_and_front_matter(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Isi berita pertama yang cukup panjang.\n", encoding="utf-8")
    (tmp_path / "a.json").write_text(
        json.dumps({"title": "Judul Resmi", "url": "https://contoh.id/a"}), encoding="utf-8"
    )
    article = load_article(tmp_path / "a.txt")
    assert article.meta.title == "Judul Resmi"
    assert article.meta.url == "https://contoh.id/a"
    md = parse_article("b", "---\ntitle: Judul MD\noutlet: Kompas\ndate: 2024-07-05\n---\nParagraf satu ada di sini.\n")
    assert (md.meta.title, md.meta.outlet, md.meta.date) == ("Judul MD", "Kompas", "2024-07-05")
    assert [p.text for p in md.paragraphs] == ["Paragraf satu ada di sini."]


def test_markdown_heading_becomes_title() -> None:
    article = parse_article("c", "# Judul Artikel\n\nJAKARTA, KOMPAS.com - Isi paragraf pertama.\n")
    assert article.meta.title == "Judul Artikel"
    assert article.meta.dateline == "JAKARTA, KOMPAS.com"
    assert article.paragraphs[0].text == "Isi paragraf pertama."


def test_sentences_cover_paragraph_verbatim() -> None:
    for article in load_corpus(SEEDS):
        for p in article.paragraphs:
            joined = " ".join(p.sentence_text(i) for i in range(len(p.sentences)))
            assert " ".join(joined.split()) == " ".join(p.text.split())


def test_one_line_article_ending_in_a_reference_mark_is_kept() -> None:
    """A short text whose last line ends in "[1]" is content, not a trailing related headline."""
    article = parse_article("kromatografi", "Kromatografi adalah teknik pemisah selektif.[1]")
    assert [p.text for p in article.paragraphs] == ["Kromatografi adalah teknik pemisah selektif.[1]"]
    motto = parse_article("motto", "Satuan Bravo 90 memiliki Motto: Catya Wihikan Awacyama Kapala")
    assert len(motto.paragraphs) == 1


def test_a_sentence_opening_with_a_credit_word_is_content() -> None:
    article = parse_article("injil", "Penulis Injil ini adalah Markus, yang disebut juga Yohanes.[1]\nEditor: Budi")
    assert [p.text for p in article.paragraphs] == ["Penulis Injil ini adalah Markus, yang disebut juga Yohanes.[1]"]
