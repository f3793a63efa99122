"""Run the Telegram and Discord bots side by side in one process, sharing one engine."""

from __future__ import annotations

import asyncio
import logging

from config.settings import Settings
from retrieval.engine import QAEngine

log = logging.getLogger(__name__)


async def _run_both(settings: Settings) -> None:
    from telegram import Update

    from bot.discord_bot import BeritaDiscordBot
    from bot.telegram_bot import build_application

    engine = await asyncio.to_thread(QAEngine.load, settings, show_progress=False)
    telegram_app = build_application(settings, engine)
    discord_client = BeritaDiscordBot(settings, engine)
    async with telegram_app:
        await telegram_app.start()
        assert telegram_app.updater is not None
        await telegram_app.updater.start_polling(allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY])
        try:
            await discord_client.start(settings.discord_token)
        finally:
            await telegram_app.updater.stop()
            await telegram_app.stop()
            await discord_client.close()


def run_both(settings: Settings) -> None:
    """Both bots until interrupted (Telegram by long polling)."""
    try:
        asyncio.run(_run_both(settings))
    except KeyboardInterrupt:
        log.info("stopped")
