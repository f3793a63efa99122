"""A 500-item feed synced twice through the command line, as cron would run it.

A local site on 127.0.0.1 (`retrieval.feeds.testing.LocalSite`) serves one RSS feed of N items and
their N invented Indonesian article pages. `python -m bot feeds add` then `python -m bot feeds sync
--progress` run three times in child processes with their own corpus, index and state: the first
sync fetches and embeds every page; the second is answered 304; before the third the feed changes
(a new ETag) but lists the same items: both must fetch and embed nothing. Prints each command's
output and wall time. `python -m bench.feeds_sync [--items N]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from config.settings import PROJECT_ROOT
from retrieval.feeds.testing import LocalSite, article_page, rss

PLACES = ("Bandung", "Medan", "Makassar", "Denpasar", "Pontianak", "Kupang", "Ambon", "Jayapura", "Padang", "Manado")
TOPICS = ("jembatan", "pasar rakyat", "sekolah dasar", "puskesmas", "jalan provinsi", "terminal bus", "taman kota")


def paragraphs(i: int) -> list[str]:
    """Three invented paragraphs for article `i`, different for every `i`."""
    place, topic = PLACES[i % len(PLACES)], TOPICS[i % len(TOPICS)]
    return [
        f"{place.upper()} - Pemerintah daerah {place} meresmikan {topic} nomor {i} pada pekan ini.",
        f"Proyek {topic} nomor {i} menelan biaya Rp{(i % 90) + 10} miliar dan dikerjakan selama {i % 11 + 2} bulan.",
        f"Warga {place} berharap {topic} nomor {i} dirawat dengan baik, kata seorang tokoh masyarakat.",
    ]


def run(args: list[str], env: dict[str, str]) -> float:
    """Run `python -m bot …`, echo its output, return the wall time in seconds."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=PROJECT_ROOT, capture_output=True,
                          text=True)  # fmt: skip
    seconds = time.perf_counter() - started
    print(f"$ python -m bot {' '.join(args)}   # exit {done.returncode}, {seconds:.1f} s")
    for line in (done.stdout + done.stderr).splitlines():
        if "\r" in line:  # a progress bar redrawn in place: its last state
            line = line.rsplit("\r", 1)[-1]
        print("  " + line)
    return seconds


def main() -> None:
    """Serve the feed, follow it, sync three times; print what each run said."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=500)
    items = parser.parse_args().items
    now = datetime.now(UTC)
    with LocalSite() as site, tempfile.TemporaryDirectory() as work:
        site.put("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
        entries: list[tuple[str, str, str | None]] = []
        for i in range(items):
            path = f"/berita/{i}"
            site.put(path, article_page(f"Peresmian proyek nomor {i}", paragraphs(i)))
            entries.append((site.url(path), f"Peresmian proyek nomor {i}", format_datetime(now - timedelta(hours=i))))
        site.put("/rss", rss(entries), "application/rss+xml")
        env = {
            **os.environ,
            "CORPUS_DIR": str(Path(work) / "corpus"),
            "INDEX_DIR": str(Path(work) / "index"),
            "SEEDS_DIR": "none",
            "DATABASE_URL": f"sqlite:///{Path(work) / 'state.db'}",
            "FEED_MAX_NEW_PER_SYNC": str(items),
            "FEED_HOST_DELAY_SECONDS": "0",
            "HF_HUB_OFFLINE": "1",
        }
        run(["feeds", "add", site.url("/rss")], env)
        first = run(["feeds", "sync", "--progress"], env)
        second = run(["feeds", "sync", "--progress"], env)
        site.put("/rss", rss(entries, title="Warta Uji (diperbarui)"), "application/rss+xml")  # a new ETag, same items
        third = run(["feeds", "sync", "--progress"], env)
        pages = sum(site.requests[f"/berita/{i}"] for i in range(items))
        print(
            f"{items} items: first sync {first:.1f} s, second (304) {second:.1f} s, third (feed changed, items "
            f"known) {third:.1f} s; page requests {pages}, feed answered 304 {site.not_modified['/rss']}×"
        )


if __name__ == "__main__":
    main()
