"""Following a news site while the Telegram bot runs (real python-telegram-bot against the fake Bot API):
an admin follows a local feed, a new item appears, and within one poll interval a question about it is
answered with a quote and the article's date, without a restart."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from bot.testing.fake_telegram import FakeTelegram
from bot.testing.telegram_harness import bot_env, running_bot
from config.settings import Settings
from retrieval.feeds.testing import LocalSite, article_page, rss

ADMIN = 4343
POLL_MINUTES = 0.2  # 12 s
OLD = [
    "BOGOR - Pemerintah Kota Bogor membuka pendaftaran sekolah negeri secara daring mulai pekan depan.",
    "Kepala dinas pendidikan mengatakan kuota tiap sekolah diumumkan di laman resmi dinas.",
]
NEW = [
    "BOGOR - Wali Kota Bogor meresmikan jembatan gantung Cibeureum sepanjang 120 meter pada Selasa pagi.",
    "Jembatan itu menghubungkan dua kampung yang selama ini terpisah Sungai Cisadane, kata wali kota.",
    "Pembangunan jembatan menghabiskan dana Rp4,5 miliar dari anggaran kota tahun ini.",
]


def reply(fake: FakeTelegram, chat_id: int, message: dict[str, Any], timeout: float = 60) -> str:
    calls = fake.wait_for(lambda: fake.replies_to(chat_id, message["message_id"]), timeout)
    return str(calls[0].params["text"])


def test_an_article_that_arrives_by_feed_is_answered_with_its_date(settings: Settings, tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(settings.corpus_dir, corpus)
    shutil.copytree(settings.index_dir, index)  # the seeds' index: the bot starts without embedding
    with LocalSite() as site:
        site.put("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
        site.put("/sekolah", article_page("Pendaftaran sekolah daring dibuka", OLD))
        old_item = (site.url("/sekolah"), "Pendaftaran sekolah daring dibuka", "Mon, 23 Nov 2026 09:00:00 +0700")
        site.put("/rss", rss([old_item], title="Warta Bogor"), "application/rss+xml")
        env = bot_env(corpus, index)
        # every poll interval the bot reads the feed; no pause between requests to 127.0.0.1
        poll = {"FEED_POLL_MINUTES": str(POLL_MINUTES), "FEED_HOST_DELAY_SECONDS": "0"}
        with running_bot(env | poll, tmp_path / "bot.log", ADMIN_USER_IDS=str(ADMIN)) as fake:
            for command in (f"/ikuti {site.url('/rss')}", "/daftar_feed", "/baca_feed", "/berhenti_ikuti x"):
                assert "hanya untuk admin" in reply(fake, 77, fake.send_text(77, command, user_id=77))
            broken = reply(fake, ADMIN, fake.send_text(ADMIN, f"/ikuti {site.url('/tidak-ada')}", user_id=ADMIN))
            assert "Tidak bisa mengikuti" in broken and "HTTP 404" in broken
            followed = reply(fake, ADMIN, fake.send_text(ADMIN, f"/ikuti {site.url('/rss')}", user_id=ADMIN))
            assert "Mengikuti" in followed and "1 item" in followed
            listing = reply(fake, ADMIN, fake.send_text(ADMIN, "/daftar_feed", user_id=ADMIN))
            assert site.url("/rss") in listing

            question = "Berapa panjang jembatan gantung Cibeureum?"
            before = reply(fake, 77, fake.send_text(77, question, user_id=77))
            assert "tidak ditemukan" in before

            site.put("/jembatan", article_page("Jembatan gantung Cibeureum diresmikan", NEW))
            new_title = "Jembatan gantung Cibeureum diresmikan"
            new_item = (site.url("/jembatan"), new_title, "Tue, 24 Nov 2026 10:00:00 +0700")
            site.put("/rss", rss([new_item, old_item], title="Warta Bogor"), "application/rss+xml")
            appeared = time.monotonic()
            answer = ""
            while time.monotonic() - appeared < POLL_MINUTES * 60 + 45:  # one interval, plus embedding on 2 busy cores
                answer = reply(fake, 77, fake.send_text(77, question, user_id=77))
                if "120 meter" in answer:
                    break
                time.sleep(1.0)
            waited = time.monotonic() - appeared
            assert "120 meter" in answer, answer
            assert "terbit 24 Nov 2026 10.00 WIB" in answer
            assert site.url("/jembatan") in answer
            print(f"answered {waited:.1f} s after the item appeared (poll interval {POLL_MINUTES * 60:.0f} s)")

            sources = reply(fake, 77, fake.send_text(77, "/sumber", user_id=77))
            assert "Jembatan gantung Cibeureum diresmikan" in sources and "terbit 24 Nov 2026 10.00 WIB" in sources
        assert site.requests["/jembatan"] == 1  # read once, however many polls
