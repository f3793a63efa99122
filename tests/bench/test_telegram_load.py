"""A burst from many chats: every question answered exactly once (figures printed, not asserted)."""

from __future__ import annotations

from pathlib import Path

from bench.telegram_load import format_result, run_burst
from bot.testing.telegram_harness import bot_env, running_bot
from config.settings import Settings


def test_burst_from_50_chats_is_answered_exactly_once(settings: Settings, tmp_path: Path) -> None:
    with running_bot(bot_env(settings.corpus_dir, settings.index_dir), tmp_path / "bot.log") as fake:
        result = run_burst(fake, total=200, chats=50, timeout=180)
    print("\n" + format_result(result))
    assert result.lost == 0
    assert result.duplicates == 0
    assert result.answered_once == 200
    assert fake.html_errors == []
