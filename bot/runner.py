"""Run the Telegram and Discord bots side by side in one process, on one set of services."""

from __future__ import annotations

import asyncio
import logging

from bot.app import BotServices
from config.settings import Settings

log = logging.getLogger(__name__)


async def _run_both(settings: Settings) -> None:
    from bot.discord_bot import BeritaDiscordBot
    from bot.telegram_bot import build_application, polling

    services = await BotServices.load(settings)
    services.start_watching()
    discord_client = BeritaDiscordBot(settings, services)
    try:
        async with polling(build_application(settings, services)):
            try:
                await discord_client.start(settings.discord_token)
            finally:
                await discord_client.close()
    finally:
        services.close()


def run_both(settings: Settings) -> None:
    """Both bots until interrupted (Telegram by long polling)."""
    try:
        asyncio.run(_run_both(settings))
    except KeyboardInterrupt:
        log.info("stopped")
