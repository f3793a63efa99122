"""Start-up against a Telegram that is briefly failing or unreachable: the bot waits it out, then answers."""

from __future__ import annotations

from pathlib import Path

from bot.testing.fake_telegram import FakeTelegram
from bot.testing.telegram_harness import bot_env, running_bot
from config.settings import Settings


def answers_a_question(fake: FakeTelegram) -> bool:
    asked = fake.send_text(301, "Siapa pengganti Stoltenberg?")
    calls = fake.wait_for(lambda: fake.replies_to(301, asked["message_id"]), 30)
    return "Mark Rutte" in fake.sent_message(calls[0])["text"]


def test_server_errors_on_getme_and_deletewebhook_are_retried(settings: Settings, tmp_path: Path) -> None:
    env = bot_env(settings.corpus_dir, settings.index_dir)
    log = tmp_path / "bot.log"
    failures = [("getMe", "error"), ("getMe", "error"), ("deleteWebhook", "error")]
    with running_bot(env, log, failures=failures) as fake:
        assert len(fake.calls_of("getMe")) >= 3 and len(fake.calls_of("deleteWebhook")) >= 2
        assert answers_a_question(fake)
    text = log.read_text()
    assert "Telegram not reachable, retrying with backoff" in text and "Traceback" not in text


def test_telegram_unreachable_at_start_is_waited_for(settings: Settings, tmp_path: Path) -> None:
    env = bot_env(settings.corpus_dir, settings.index_dir)
    log = tmp_path / "bot.log"
    with running_bot(env, log, api_down_for=4.0) as fake:  # nothing listens on the API port for 4 s
        assert answers_a_question(fake)
    assert "retrying with backoff" in log.read_text()
