"""What the bot remembers outlives the process: the real Telegram bot over the fake Bot API,
stopped and started again on the same INDEX_DIR (its default state file, `<INDEX_DIR>/state.db`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.testing.fake_telegram import FakeTelegram
from bot.testing.telegram_harness import bot_env, run_until_exit, running_bot
from bot.texts import text
from config.settings import Settings

NATO_AID = "Berapa bantuan militer NATO pada paruh pertama 2024?"


def only_reply(fake: FakeTelegram, chat_id: int, message_id: int) -> dict[str, Any]:
    calls = fake.wait_for(lambda: fake.replies_to(chat_id, message_id), 60)
    return fake.sent_message(calls[0])


def default_state_env(settings: Settings) -> dict[str, str]:
    env = bot_env(settings.corpus_dir, settings.index_dir)
    del env["DATABASE_URL"]  # the default: SQLite in <INDEX_DIR>/state.db
    return env


def test_restart_keeps_sumber_the_button_and_follow_ups(workspace: tuple[Settings, Path], tmp_path: Path) -> None:
    settings, _ = workspace
    env = default_state_env(settings)
    with running_bot(env, tmp_path / "first.log") as fake:
        aid = only_reply(fake, 301, fake.send_text(301, NATO_AID)["message_id"])
        rutte = only_reply(fake, 302, fake.send_text(302, "Siapa pengganti Stoltenberg?")["message_id"])
    assert (settings.index_dir / "state.db").is_file()

    with running_bot(env, tmp_path / "second.log") as fake:
        fake._next_message = 50_000  # a new server: its message ids must not meet the old ones
        data = aid["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        fake.press_button(301, aid, data)  # the 📚 button under the answer from before the restart
        citation = only_reply(fake, 301, aid["message_id"])["text"]
        assert "003_0d97bd401b206dcc" in citation and "20,9 miliar euro" in citation

        replied = fake.send_text(301, "/sumber 1", reply_to=aid)
        assert "003_0d97bd401b206dcc" in only_reply(fake, 301, replied["message_id"])["text"]
        last = fake.send_text(302, "/sumber")  # the chat's last answer, from the first process
        assert "Rutte" in only_reply(fake, 302, last["message_id"])["text"]
        follow = fake.send_text(302, "kapan dia mundur?", reply_to=rutte)  # a follow-up to an old answer
        assert "musim gugur" in only_reply(fake, 302, follow["message_id"])["text"]
        assert not fake.calls_of("answerCallbackQuery")[0].params.get("text")  # not "expired"


def test_a_corrupt_state_file_still_answers(workspace: tuple[Settings, Path], tmp_path: Path) -> None:
    settings, _ = workspace
    (settings.index_dir / "state.db").write_bytes(b"not a database " * 1000)
    log = tmp_path / "bot.log"
    with running_bot(default_state_env(settings), log) as fake:
        answer = only_reply(fake, 303, fake.send_text(303, "Siapa pengganti Stoltenberg?")["message_id"])
        assert "Mark Rutte" in answer["text"]
        sources = only_reply(fake, 303, fake.send_text(303, "/sumber")["message_id"])["text"]
        assert "Rutte" in sources  # remembered in memory meanwhile
    problems = [line for line in log.read_text().splitlines() if "state database" in line]
    assert len(problems) == 1 and "state.db" in problems[0], problems


def test_an_unreachable_postgres_stops_the_bot_with_a_clear_message(settings: Settings) -> None:
    pytest.importorskip("psycopg", reason="needs the 'postgres' extra")
    secret = "kata-sandi-rahasia"
    env = bot_env(settings.corpus_dir, settings.index_dir) | {
        "DATABASE_URL": f"postgresql://bot:{secret}@127.0.0.1:9/berita_state",  # port 9: nothing listens
    }
    done = run_until_exit(env)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Basis data status tidak bisa dipakai" in done.stderr and "berita_state" in done.stderr
    assert secret not in done.stdout + done.stderr


def test_a_postgres_outage_answers_questions_and_recovers_by_itself(
    workspace: tuple[Settings, Path], tmp_path: Path, own_postgres: tuple[Any, str]
) -> None:
    from bot.testing import postgres as pg

    settings, _ = workspace
    server, uri = own_postgres
    env = bot_env(settings.corpus_dir, settings.index_dir) | {"DATABASE_URL": uri}
    log = tmp_path / "bot.log"
    sorry = text("state_unavailable")
    with running_bot(env, log) as fake:
        before = only_reply(fake, 311, fake.send_text(311, "Siapa pengganti Stoltenberg?")["message_id"])
        assert "reply_markup" in before  # the database works: a 📚 button
        pg.stop(server)

        during = only_reply(fake, 311, fake.send_text(311, "Siapa pengganti Stoltenberg?")["message_id"])
        assert "Mark Rutte" in during["text"] and "reply_markup" not in during  # answered, without a button
        assert only_reply(fake, 311, fake.send_text(311, "/sumber")["message_id"])["text"] == sorry
        button = before["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        fake.press_button(311, before, button)
        fake.wait_for(lambda: fake.calls_of("answerCallbackQuery"), 30)
        assert fake.calls_of("answerCallbackQuery")[0].params.get("text") == sorry

        pg.start(server)
        # The pool reconnects by itself; until it has, /sumber may still say "try again".
        fake.wait_for(lambda: _sumber_works(fake, 312), 60)
        after = only_reply(fake, 313, fake.send_text(313, "Siapa pengganti Stoltenberg?")["message_id"])
        assert "reply_markup" in after
        assert "Rutte" in only_reply(fake, 313, fake.send_text(313, "/sumber")["message_id"])["text"]
    said = [line for line in log.read_text().splitlines() if "state database" in line]
    assert len(said) == 2 and "unavailable" in said[0] and "is back" in said[1], said  # not one per message


def _sumber_works(fake: FakeTelegram, chat_id: int) -> bool:
    """Send /sumber to an empty chat: True once the reply is no longer "try again"."""
    reply = only_reply(fake, chat_id, fake.send_text(chat_id, "/sumber")["message_id"])
    return reply["text"] != text("state_unavailable")
