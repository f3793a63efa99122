"""Telegram and Discord in one process on one composition root: one statistics count, one memory
with each platform's chats apart. Both adapters run for real; only their servers are faked."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

pytest.importorskip("discord", reason="needs the 'discord' extra")

from bot.app import BotServices
from bot.discord_bot import BeritaDiscordBot
from bot.telegram_bot import build_application, polling
from bot.testing.discord_harness import ask_slash, discord_bot
from bot.testing.fake_discord import APP_ID, FakeDiscord, slash_payload
from bot.testing.fake_telegram import TOKEN, Call, FakeTelegram
from config.settings import Settings
from retrieval.engine import QAEngine

ADMIN = 4242  # the same id on both platforms, as ADMIN_USER_IDS lists it once
SAME_ID = 14  # a Telegram chat and a Discord channel with one number: still two chats


async def telegram_reply(fake: FakeTelegram, chat_id: int, body: str) -> str:
    """Send `body` from the chat's own user and wait (off the event loop) for the bot's reply."""
    asked = fake.send_text(chat_id, body)

    def replies() -> list[Call]:
        return fake.replies_to(chat_id, asked["message_id"])

    calls = await asyncio.to_thread(fake.wait_for, replies, 60)
    return str(calls[0].params["text"])


async def discord_statistik(client: BeritaDiscordBot, fake: FakeDiscord) -> str:
    before = len(fake.of("POST", f"/webhooks/{APP_ID}/"))
    client._connection.parse_interaction_create(slash_payload("statistik", [], channel_id=SAME_ID, user_id=ADMIN))
    return str((await fake.wait_for("POST", f"/webhooks/{APP_ID}/", count=before + 1))[-1].body["content"])


def test_statistik_counts_telegram_and_discord_questions_together(
    settings: Settings, engine: QAEngine, tmp_path: Path
) -> None:
    telegram = FakeTelegram().start()
    own = settings.with_overrides(
        index_dir=tmp_path,  # Discord's command-sync record goes here, not into the session index
        telegram_token=TOKEN,
        telegram_base_url=telegram.base_url,
        admin_user_ids=frozenset({ADMIN}),
    )

    async def main() -> None:
        services = BotServices.build(own, engine)
        async with discord_bot(services) as (client, discord_fake), polling(build_application(own, services)):
            assert "Mark Rutte" in await telegram_reply(telegram, SAME_ID, "Siapa pengganti Stoltenberg?")
            ask_slash(client, "Di mana pusat komando baru NATO?", channel_id=SAME_ID)
            answer = (await discord_fake.wait_for("POST", f"/webhooks/{APP_ID}/"))[0].body["content"]
            assert "Wiesbaden" in answer

            stats = await telegram_reply(telegram, ADMIN, "/statistik")
            assert "Pertanyaan dijawab sejak mulai: 2" in stats
            assert "Pertanyaan dijawab sejak mulai: 2" in await discord_statistik(client, discord_fake)

            # Discord's answer in channel 14 is not Telegram chat 14's last answer.
            sources = await telegram_reply(telegram, SAME_ID, "/sumber")
            assert "Rutte" in sources and "Wiesbaden" not in sources

    try:
        asyncio.run(main())
    finally:
        telegram.stop()
