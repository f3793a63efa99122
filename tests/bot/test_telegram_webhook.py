"""Webhook mode: updates arrive over HTTP and must carry the secret token."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bot.testing.fake_telegram import FakeTelegram, post_update
from bot.testing.telegram_harness import bot_env, free_port, running_bot
from config.settings import Settings

SECRET = "webhook-secret-42"


def question_message(fake: FakeTelegram, user: int, message_id: int) -> dict[str, object]:
    """A private-chat question from `user`, as Telegram delivers it."""
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": fake.chat(user),
        "from": {"id": user, "is_bot": False, "first_name": "A"},
        "text": "Siapa pengganti Stoltenberg?",
    }


def test_webhook_answers_with_secret_and_rejects_without(settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    env = bot_env(settings.corpus_dir, settings.index_dir)
    with running_bot(
        env,
        tmp_path / "bot.log",
        "--webhook",
        ready_on="setWebhook",
        WEBHOOK_URL=url,
        WEBHOOK_SECRET=SECRET,
        PORT=str(port),
    ) as fake:
        registered = fake.calls_of("setWebhook")[0].params
        assert registered["url"] == url and registered["secret_token"] == SECRET
        assert {"message", "callback_query", "inline_query"} <= set(json.loads(registered["allowed_updates"]))
        message = question_message(fake, 301, 5)
        status = fake.wait_for(lambda: post_update(url, {"update_id": 1, "message": message}, SECRET) == 200)
        assert status
        reply = fake.wait_for(lambda: fake.replies_to(301, 5))
        assert "Mark Rutte" in reply[0].params["text"]
        forged = {"update_id": 2, "message": {**message, "message_id": 6}}
        assert post_update(url, forged, "wrong-secret") == 403
        time.sleep(0.5)
        assert fake.replies_to(301, 6) == []


def test_webhook_without_a_configured_secret_still_refuses_forged_updates(settings: Settings, tmp_path: Path) -> None:
    """No WEBHOOK_SECRET: the bot registers a random one, so a forged update (say, an admin
    command) posted to the webhook without it is refused, while Telegram's own updates pass."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    env = bot_env(settings.corpus_dir, settings.index_dir)
    with running_bot(
        env, tmp_path / "bot.log", "--webhook", ready_on="setWebhook", WEBHOOK_URL=url, PORT=str(port)
    ) as fake:
        registered = fake.calls_of("setWebhook")[0].params["secret_token"]
        assert len(registered) >= 32
        message = question_message(fake, 302, 7)
        assert fake.wait_for(lambda: post_update(url, {"update_id": 1, "message": message}, registered) == 200)
        assert fake.wait_for(lambda: fake.replies_to(302, 7))
        forged = {"update_id": 2, "message": {**message, "message_id": 8, "text": "/hapus 1"}}
        assert post_update(url, forged, "") == 403
        time.sleep(0.5)
        assert fake.replies_to(302, 8) == []
    assert "WEBHOOK_SECRET is not set" in (tmp_path / "bot.log").read_text()
    assert registered not in (tmp_path / "bot.log").read_text()
