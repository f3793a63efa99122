"""Admin actions shared by Telegram and Discord: add/remove/list articles, statistics, hot index swap."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path

from bot.conversation import QuestionService
from bot.state import StateUnavailable
from bot.texts import article_list, megabytes, period_report, text
from config.settings import Settings
from retrieval.engine import STALE_ACTIONS, QAEngine, serve_index
from retrieval.index import current_version, load_version
from retrieval.ingest import CHAT_MAX_ARTICLES, IngestPolicy, IngestReport
from retrieval.store import ingestor_for

log = logging.getLogger(__name__)

INDEX_POLL_SECONDS = 5.0
MIN_PASTED_WORDS = 8  # shortest text `/tambah <teks>` takes as an article (a one-sentence news brief)
REPORT_DAYS = 7  # /statistik's period for rates, votes and unanswered questions
REPORT_GAPS = 10  # unanswered questions listed, most asked first
REFRESH_RETRY_SECONDS = 60.0  # after a failed refresh (disk full, read-only folder), try again this often


class AdminDesk:
    """What admins may do; one change at a time, the live engine swapped after each."""

    def __init__(self, settings: Settings, service: QuestionService) -> None:
        self.settings = settings
        self.service = service
        policy = IngestPolicy(max_articles=CHAT_MAX_ARTICLES)
        self.ingestor = ingestor_for(settings, embedder=service.engine.embedder, policy=policy)
        self._lock = asyncio.Lock()

    def is_admin(self, user_id: int | None) -> bool:
        """Whether `user_id` is one of ADMIN_USER_IDS (None, an unknown sender, never is)."""
        return user_id is not None and user_id in self.settings.admin_user_ids

    def upload_refusal(self, name: str, size: int | None) -> str | None:
        """Why an upload of `size` bytes is refused before downloading it, else None."""
        limit = self.ingestor.policy.max_bytes
        if size is None or size <= limit:
            return None
        return text("upload_too_big", name=name, size=megabytes(size), limit=megabytes(limit))

    @staticmethod
    def pasted_text_refusal(pasted: str) -> str | None:
        """`/tambah abc` is a slip, not an article: refuse text too short to be one."""
        words = len(pasted.split())
        if words >= MIN_PASTED_WORDS:
            return None
        return text("tambah_too_short", words=words, minimum=MIN_PASTED_WORDS)

    async def _apply(self, work: Callable[[], IngestReport]) -> IngestReport:
        async with self._lock:
            report = await asyncio.to_thread(work)
        if report.index is not None:
            self.service.engine.swap_index(report.index)  # questions in flight finish on the old one
        return report

    async def add_document(self, data: bytes, name: str) -> IngestReport:
        """Ingest an uploaded document (`name` is its file name) and serve the new index."""
        return await self._apply(lambda: self.ingestor.ingest_bytes(data, name))

    async def add_text(self, text: str) -> IngestReport:
        """Ingest pasted article text and serve the new index."""
        return await self._apply(lambda: self.ingestor.ingest_text(text))

    async def remove(self, article_id: str) -> IngestReport:
        """Remove an article by id and serve the new index."""
        return await self._apply(lambda: self.ingestor.remove(article_id))

    def articles_text(self) -> str:
        """`/artikel`: every article in the corpus, one line each."""
        return article_list(self.ingestor.list_articles())

    async def stats_text(self) -> str:
        """`/statistik`: the corpus's size, the questions answered since start and in the whole log, then
        the last REPORT_DAYS days' rates, votes and most-asked unanswered questions."""
        corpus = await asyncio.to_thread(self.service.engine.corpus_counts)
        counts = text("stats_index", articles=corpus.articles, paragraphs=corpus.paragraphs)
        try:
            stats = await self.service.stats()
            logged = await self.service.stats_all()  # the question log outlives restarts
            gaps = REPORT_GAPS if self.settings.question_log else 0
            report = await self.service.report(time.time() - REPORT_DAYS * 86400.0, gaps)
        except StateUnavailable:  # the index counts are still worth showing
            return counts + text("state_unavailable")
        return (
            counts
            + text("stats_since_start", answered=stats.answered, abstained=stats.abstained, median_ms=stats.median_ms)
            + text("stats_logged", answered=logged.answered, abstained=logged.abstained)
            + "\n"
            + period_report(report, REPORT_DAYS, question_log=self.settings.question_log)
        )


async def watch_index(settings: Settings, service: QuestionService) -> None:
    """Swap in an index another process (e.g. `python -m bot ingest`) made current, and retry a
    refresh that failed at start (disk full, read-only INDEX_DIR) until it succeeds."""
    index_dir = Path(settings.index_dir)
    last_retry = asyncio.get_running_loop().time()
    if service.engine.store is not None:
        return  # STORE=postgres: every question reads the database, changes included
    while True:
        await asyncio.sleep(INDEX_POLL_SECONDS)
        engine = service.engine
        now = asyncio.get_running_loop().time()
        if engine.stale_reason is not None and now - last_retry >= REFRESH_RETRY_SECONDS:
            last_retry = now
            await retry_refresh(settings, engine)
            continue
        version = current_version(index_dir)
        live = engine.index.path
        if version is None or (live is not None and version.name == live.name):
            continue
        try:
            index = await asyncio.to_thread(load_version, version)
        except Exception as exc:  # a damaged new version must not stop the bot
            log.warning("new index version %s is unusable: %s", version.name, exc)
            continue
        engine.swap_index(index)
        log.info("index %s swapped in: %d paragraphs", version.name, index.manifest.paragraphs)


async def retry_refresh(settings: Settings, engine: QAEngine) -> None:
    """One more try at bringing the index in line with the corpus; the live index stays on failure."""
    try:
        result = await asyncio.to_thread(serve_index, settings, engine.embedder, show_progress=False)
    except Exception as exc:  # nothing usable on disk: keep answering from what is live
        log.warning("index refresh failed again, still answering from the live index: %s", exc)
        return
    if result.action != "kept" or result.index.path != engine.index.path:
        engine.swap_index(result.index)
    engine.stale_reason = result.reason if result.action in STALE_ACTIONS else None
    if engine.stale_reason is None:
        log.info("index refresh succeeded: %s, %d paragraphs", result.action, result.index.manifest.paragraphs)
