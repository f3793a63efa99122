"""`python -m bot` as a user runs it: ask --json, ask --file, index, chat."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from bot.testing.cli import run_bot


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


def test_local_chat_remembers_its_last_answer_across_a_restart(
    tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    env = {**subprocess_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'state.db'}"}
    first = run_bot(["chat"], env, stdin="/sumber\nSiapa pengganti Stoltenberg?\n")
    assert first.returncode == 0, first.stderr
    assert "Belum ada jawaban" in first.stdout.split("Mark Rutte")[0]  # nothing to cite before the question
    again = run_bot(["chat"], env, stdin="/sumber\n")  # a new process: the answer comes from state.db
    assert again.returncode == 0, again.stderr
    assert "»Stoltenberg akan mengundurkan diri" in again.stdout


def test_chat_commands_are_commands_not_questions(subprocess_env: dict[str, str]) -> None:
    script = "/help\n/start\n/bantuan\n/foo\n/keluar\nSiapa pengganti Stoltenberg?\n"
    out = run_bot(["chat"], subprocess_env, stdin=script).stdout
    assert out.count("/keluar untuk selesai") == 5  # welcome, three help replies, the unknown-command hint
    assert "Perintah /foo tidak dikenal" in out
    assert "Mark Rutte" not in out and "Sumber" not in out  # no quotes for commands; /keluar ended the chat


def test_plain_quotes_keep_their_own_quotation_marks_and_the_marker_outside() -> None:
    from bot.plain import render_answer, render_citations
    from retrieval.answer import Answer, Quote, Reason, Source

    sentence = "“Sekutu memahami urgensinya,” kata Stoltenberg."
    source = Source(1, "a", "Judul", "Outlet", 2, sentence, 1.0, url="https://contoh.id/a", quote_spans=((0, 47),))
    answer = Answer("q", True, (Quote(sentence, 1),), (source,), Reason.ANSWERED)
    shown = render_answer(answer)
    assert f"> {sentence} [1]" in shown and "““" not in shown
    assert shown.count("https://contoh.id/a") == 1
    cited = render_citations(answer)
    assert f"> »{sentence}«" in cited and cited.count("https://contoh.id/a") == 1


def test_ask_takes_several_quoted_questions_and_reports_a_missing_file(subprocess_env: dict[str, str]) -> None:
    two = run_bot(["ask", "--json", "Siapa pengganti Stoltenberg?", "Berapa anggota awal NATO?"], subprocess_env)
    first, second = (json.loads(line) for line in two.stdout.strip().splitlines())
    assert "Mark Rutte" in first["quotes"][0]["text"] and "12 anggota" in second["quotes"][0]["text"]
    unquoted = run_bot(["ask", "--json", "Siapa", "pengganti", "Stoltenberg?"], subprocess_env)
    assert len(unquoted.stdout.strip().splitlines()) == 1 and "Mark Rutte" in unquoted.stdout
    missing = run_bot(["ask", "--file", "tidak-ada.txt"], subprocess_env)
    assert missing.returncode == 2 and "tidak ditemukan: tidak-ada.txt" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_run_without_tokens_opens_local_chat(subprocess_env: dict[str, str]) -> None:
    result = run_bot(["run"], subprocess_env, stdin="Siapa pengganti Stoltenberg?\n")
    assert result.returncode == 0, result.stderr
    assert "obrolan lokal" in result.stderr and "Mark Rutte" in result.stdout


def test_report_lists_the_most_asked_unanswered_question_and_writes_csv(
    tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    env = {**subprocess_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'state.db'}"}
    asked = (
        "Siapa juara Liga Inggris musim lalu?\nSiapa pengganti Stoltenberg?\nsiapa JUARA liga inggris musim lalu\n"
        "Berapa harga cabai di Bandung?\nSiapa juara Liga Inggris musim lalu??\n"
    )
    assert run_bot(["chat"], env, stdin=asked).returncode == 0
    out = tmp_path / "laporan.csv"
    result = run_bot(["report", "--days", "7", "--csv", str(out)], env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "7 hari terakhir: 5 pertanyaan"
    assert "Dijawab: 1 (20%)" in lines and "Tidak ditemukan: 4 (80%)" in lines
    assert "Penilaian: 👍 0 · 👎 0" in lines
    top = lines.index("Paling sering tidak terjawab:")
    assert lines[top + 1] == "1. 3× Siapa juara Liga Inggris musim lalu??"  # grouped, as last asked
    assert lines[top + 2] == "2. 1× Berapa harga cabai di Bandung?"
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[:5] == [
        ["section", "item", "count"],
        ["outcome", "answered", "1"],
        ["outcome", "not_found", "4"],
        ["feedback", "up", "0"],
        ["feedback", "down", "0"],
    ]
    assert rows[5] == ["unanswered", "Siapa juara Liga Inggris musim lalu??", "3"]


def test_with_question_log_off_no_text_is_kept_and_the_report_says_so(
    tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    state = tmp_path / "state.db"
    env = {**subprocess_env, "DATABASE_URL": f"sqlite:///{state}", "QUESTION_LOG": "off"}
    secret = "Siapa juara lomba zorblatt musim lalu?"
    assert run_bot(["chat"], env, stdin=f"{secret}\n").returncode == 0
    result = run_bot(["report"], env)
    assert result.returncode == 0, result.stderr
    assert "Tidak ditemukan: 1 (100%)" in result.stdout and "QUESTION_LOG=off" in result.stdout
    assert "zorblatt" not in result.stdout
    with sqlite3.connect(state) as db:
        assert db.execute("SELECT COUNT(*), COUNT(question) FROM questions").fetchone() == (1, 0)
