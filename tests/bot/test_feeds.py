"""`python -m bot feeds …` as an admin runs it (or cron), against a local news site on 127.0.0.1."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bot.testing.cli import run_bot
from config.settings import Settings
from retrieval.feeds.testing import LocalSite, article_page, rss

TOLL = [
    "SEMARANG - Jalan tol Semarang-Demak seksi dua dibuka untuk umum mulai Rabu pukul 06.00 WIB.",
    "Direktur utama badan usaha jalan tol mengatakan tarif seksi dua sebesar Rp18.000 untuk golongan satu.",
]


def feed_env(workspace: tuple[Settings, Path], tmp_path: Path) -> dict[str, str]:
    settings, _ = workspace
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_URL"))}
    return env | {
        "CORPUS_DIR": str(settings.corpus_dir),
        "INDEX_DIR": str(settings.index_dir),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'state.db'}",
        "FEED_HOST_DELAY_SECONDS": "0",
        "HF_HUB_OFFLINE": "1",
    }


def test_follow_sync_ask_and_stop_from_the_command_line(workspace: tuple[Settings, Path], tmp_path: Path) -> None:
    env = feed_env(workspace, tmp_path)
    with LocalSite() as site:
        site.put("/tol", article_page("Tol Semarang-Demak seksi dua dibuka", TOLL))
        site.put(
            "/rss", rss([(site.url("/tol"), "Tol dibuka", "Tue, 24 Nov 2026 07:15:00 +0700")]), "application/rss+xml"
        )
        site.put("/rusak.xml", '<?xml version="1.0"?><rss version="2.0"><channel><item>', "application/xml")

        for bad, said in ((site.url("/rusak.xml"), "bukan RSS, Atom atau sitemap"), ("ftp://contoh.id/rss", "http")):
            refused = run_bot(["feeds", "add", bad], env)
            assert refused.returncode == 1 and said in refused.stderr and "Traceback" not in refused.stderr
        added = run_bot(["feeds", "add", site.url("/rss")], env)
        assert added.returncode == 0 and "Mengikuti" in added.stdout and "1 item" in added.stdout, added.stderr
        again = run_bot(["feeds", "add", site.url("/rss")], env)
        assert again.returncode == 1 and "sudah diikuti" in again.stderr

        synced = run_bot(["feeds", "sync"], env)
        assert synced.returncode == 0, synced.stderr
        assert "Halaman diambil: 1" in synced.stdout and "Ditambahkan: 1" in synced.stdout
        nothing = run_bot(["feeds", "sync"], env)
        assert nothing.returncode == 0 and "Teks di-embed: 0" in nothing.stdout and "1 tidak berubah" in nothing.stdout

        asked = run_bot(["ask", "--json", "Kapan tol Semarang-Demak seksi dua dibuka?"], env)
        answer = json.loads(asked.stdout)
        assert answer["answered"] and "Rabu pukul 06.00" in answer["quotes"][0]["text"], asked.stdout
        source = answer["sources"][0]
        assert source["date"] == "2026-11-24T07:15:00+07:00" and source["url"] == site.url("/tol")
        assert {"n", "article_id", "title", "outlet", "paragraph", "text", "score"} <= set(source)
        plain = run_bot(["ask", "Kapan tol Semarang-Demak seksi dua dibuka?"], env)
        assert "terbit 24 Nov 2026 07.15 WIB" in plain.stdout

        site.put("/rss", "<rss><channel><item><title>rusak", "application/rss+xml")  # the site breaks its feed
        broken = run_bot(["feeds", "sync"], env)
        assert broken.returncode == 1 and "Traceback" not in broken.stdout + broken.stderr
        assert "Feed gagal" in broken.stdout and "bukan RSS, Atom atau sitemap" in broken.stdout
        listing = run_bot(["feeds", "list"], env)
        assert site.url("/rss") in listing.stdout and "gagal 1×" in listing.stdout

        stopped = run_bot(["feeds", "remove", site.url("/rss")], env)
        assert stopped.returncode == 0 and "tetap disimpan" in stopped.stdout
        assert "Belum ada feed" in run_bot(["feeds", "list"], env).stdout
        assert run_bot(["feeds", "remove", site.url("/rss")], env).returncode == 1
        assert "tol-" in run_bot(["list"], env).stdout  # the article stays
