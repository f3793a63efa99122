"""`python -m bot` as a user runs it: ask --json, ask --file, index, chat."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from config.settings import PROJECT_ROOT


def run_bot(
    args: list[str], env: dict[str, str], stdin: str = "", preexec_fn: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m bot <args>` in a child process; `preexec_fn` runs in the child first (e.g. limits)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=180,
        preexec_fn=preexec_fn,
    )


def test_ask_json_prints_one_object_per_question(tmp_path: Path, subprocess_env: dict[str, str]) -> None:
    questions = tmp_path / "q.txt"
    questions.write_text(
        "Siapa pengganti Stoltenberg?\nSiapa juara Liga Inggris musim lalu?\n\nBerapa anggota awal NATO?\n",
        encoding="utf-8",
    )
    result = run_bot(["ask", "--json", "--file", str(questions)], subprocess_env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3
    first, second, third = (json.loads(line) for line in lines)
    assert first["question"] == "Siapa pengganti Stoltenberg?"
    assert first["answered"] and "Mark Rutte" in first["quotes"][0]["text"]
    cited = {s["n"]: s for s in first["sources"]}
    for quote in first["quotes"]:
        assert quote["text"] in cited[quote["source"]]["text"]
    assert not second["answered"] and second["quotes"] == [] and second["sources"] == []
    assert third["answered"] and "12 anggota" in third["quotes"][0]["text"]
    assert all(d["timings_ms"]["total"] > 0 for d in (first, third))


def test_ask_plain_is_readable(subprocess_env: dict[str, str]) -> None:
    result = run_bot(["ask", "Siapa", "pengganti", "Stoltenberg?"], subprocess_env)
    assert result.returncode == 0, result.stderr
    assert "Mark Rutte" in result.stdout and "paragraf 11" in result.stdout


def test_index_command_reports_what_it_did(subprocess_env: dict[str, str]) -> None:
    result = run_bot(["index"], subprocess_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("loaded:") and "5 artikel" in result.stdout


def test_chat_answers_and_shows_sources(subprocess_env: dict[str, str]) -> None:
    script = "Siapa pengganti Stoltenberg?\n/sumber\n/sumber 9\nresep rendang yang enak?\n/keluar\n"
    result = run_bot(["chat"], subprocess_env, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Mark Rutte" in out
    assert "»Stoltenberg akan mengundurkan diri" in out  # /sumber highlights the quoted sentence
    assert "Tidak ada sumber nomor 9" in out
    assert "tidak ditemukan di artikel" in out


def test_run_without_tokens_opens_local_chat(subprocess_env: dict[str, str]) -> None:
    result = run_bot(["run"], subprocess_env, stdin="Siapa pengganti Stoltenberg?\n")
    assert result.returncode == 0, result.stderr
    assert "obrolan lokal" in result.stderr and "Mark Rutte" in result.stdout
