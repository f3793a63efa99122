"""Following news sites from the bot: the admin commands' logic (CLI, Telegram, Discord) and the poller.

The reading itself is `retrieval.feeds.FeedSyncer`; the followed feeds and the items already read live
in the state store. A running bot reads the feeds that are due every POLL_TICK_SECONDS at most (a
failing feed is due again after its back-off pause), in a worker thread: questions keep being answered,
and a sync that fails for any reason is logged and tried again on the next tick.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.state import StateStore
from bot.texts import feed_list, refusal_text, sync_summary, text
from config.settings import Settings
from retrieval.feeds import FeedParseError, FeedSyncer, FetchError, SyncReport, http_url_problem
from retrieval.index import SearchIndex
from retrieval.ingest import Ingestor
from retrieval.refusals import Refusal, Why

log = logging.getLogger(__name__)

POLL_TICK_SECONDS = 60.0  # the poller looks for due feeds this often (or every FEED_POLL_MINUTES, if shorter)


class FeedDesk:
    """Follow, list, stop following and read feeds; each call blocks (run it off the event loop)."""

    def __init__(self, settings: Settings, store: StateStore, ingestor: Ingestor) -> None:
        self.settings = settings
        self.store = store
        self.syncer = FeedSyncer(settings, store, ingestor.ingest_documents)

    def follow(self, url: str) -> tuple[bool, str]:
        """Read `url` once (it must be a feed or sitemap), then follow it: (followed, what happened)."""
        url = url.strip()
        problem = http_url_problem(url)
        if problem is None and any(s.url == url for s in self.store.feed_sources()):
            problem = Refusal.of(Why.FEED_FOLLOWED, url=url)
        if problem is None:
            try:
                parsed = self.syncer.check(url)
            except (FetchError, FeedParseError) as exc:
                problem = exc.refusal
            else:
                self.store.follow_feed(url)
                minutes = self.settings.feed_poll_minutes
                schedule = text("feed_schedule", minutes=f"{minutes:g}") if minutes else text("feed_schedule_off")
                items = len(parsed.entries) + len(parsed.sitemaps)
                return True, text("feed_followed", url=url, kind=parsed.kind, items=items, schedule=schedule)
        return False, text("feed_follow_failed", problem=refusal_text(problem))

    def unfollow(self, url: str) -> tuple[bool, str]:
        """Stop following `url`; its articles stay: (stopped, what happened)."""
        url = url.strip()
        if self.store.unfollow_feed(url):
            return True, text("feed_unfollowed", url=url)
        return False, text("feed_unfollow_failed", problem=refusal_text(Refusal.of(Why.FEED_NOT_FOLLOWED, url=url)))

    def listing(self) -> str:
        """Every followed feed, one line each (two when it is failing)."""
        return feed_list(self.store.feed_sources())

    def sync(self, *, only_due: bool = False, progress: Callable[[int, int], None] | None = None) -> SyncReport:
        """Read the followed feeds (only those due, for the poller) and ingest what is new."""
        return self.syncer.sync(only_due=only_due, progress=progress)


class FeedPoller:
    """The running bot's side: one sync at a time, the new index served as soon as it is made."""

    def __init__(self, desk: FeedDesk, serve: Callable[[SearchIndex], None]) -> None:
        self.desk = desk
        self.serve = serve
        self._lock = asyncio.Lock()

    async def sync(self, *, only_due: bool = False) -> SyncReport:
        """One sync in a worker thread; its new index (if any) is swapped in for the next questions."""
        async with self._lock:
            report = await asyncio.to_thread(self.desk.sync, only_due=only_due)
        if report.ingest.index is not None:
            self.serve(report.ingest.index)
        return report

    async def follow_text(self, url: str) -> str:
        """`/ikuti`: follow `url` after reading it once; what happened, in words."""
        return (await asyncio.to_thread(self.desk.follow, url))[1]

    async def unfollow_text(self, url: str) -> str:
        """`/berhenti_ikuti`: stop following `url`; what happened, in words."""
        return (await asyncio.to_thread(self.desk.unfollow, url))[1]

    async def listing_text(self) -> str:
        """`/daftar_feed`: the followed feeds."""
        return await asyncio.to_thread(self.desk.listing)

    async def sync_text(self) -> str:
        """`/baca_feed`: read every followed feed now; what happened, in words."""
        return sync_summary(await self.sync())

    async def run(self) -> None:
        """Read the due feeds on every tick until cancelled; nothing a feed does stops it."""
        interval = self.desk.settings.feed_poll_minutes * 60.0
        tick = min(interval, POLL_TICK_SECONDS)
        while True:
            try:
                report = await self.sync(only_due=True)
            except asyncio.CancelledError:
                raise
            except Exception:  # the state database down, the disk full …: log, answer questions, try again
                log.exception("feed sync failed; trying again in %.0f s", tick)
            else:
                if report.feeds:
                    log.info(
                        "feeds read: %d, pages fetched %d, added %d, updated %d, failed feeds %d",
                        len(report.feeds), report.fetched, len(report.ingest.added),
                        len(report.ingest.updated), len(report.failed),
                    )  # fmt: skip
            await asyncio.sleep(tick)
