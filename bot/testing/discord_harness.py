"""Log the real Discord client in against the fake Discord API, in the test's own event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import discord

from bot.app import BotServices
from bot.discord_bot import BeritaDiscordBot
from bot.testing.fake_discord import GUILD_ID, TOKEN, FakeDiscord, slash_payload


@asynccontextmanager
async def discord_bot(services: BotServices) -> AsyncIterator[tuple[BeritaDiscordBot, FakeDiscord]]:
    """A client on `services`, logged in (commands synced to the test guild); gateway events are
    played with `client._connection.parse_*` and its HTTP requests land in the fake."""
    fake = await FakeDiscord().start()
    original = discord.http.Route.BASE
    discord.http.Route.BASE = fake.base
    settings = services.settings.with_overrides(discord_guild_id=GUILD_ID)
    client = BeritaDiscordBot(settings, services)
    try:
        await client.login(TOKEN)
        yield client, fake
    finally:
        discord.http.Route.BASE = original
        await client.close()
        await fake.stop()


def ask_slash(client: BeritaDiscordBot, question: str, *, channel_id: int, user_id: int = 5) -> None:
    """A user runs `/tanya pertanyaan:<question>` (gateway payload through discord.py's parser)."""
    option = [{"name": "pertanyaan", "type": 3, "value": question}]
    client._connection.parse_interaction_create(slash_payload("tanya", option, channel_id=channel_id, user_id=user_id))
