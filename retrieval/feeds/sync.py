"""One sync: read the followed feeds, fetch the article pages that are new or updated, ingest them.

Per feed: a conditional GET (ETag / If-Modified-Since; 304 reads nothing more). Items whose address
was read before with the same stamp are left alone; new items, and items whose stamp changed
(Atom `updated`, sitemap `lastmod`), are fetched newest first, at most FEED_MAX_NEW_PER_SYNC pages
per sync over all feeds (the rest wait, and the feed's validators are not kept so the next sync
reads them again). Pages go through robots.txt and the per-host pause, are extracted with the HTML
reader of `retrieval.formats` and ingested in one command through the configured ingestor: the id
is made from the address, so an updated page replaces its article, and a page whose text is
already stored under another id is skipped as a duplicate.

A feed that fails (no answer, an error status, malformed XML) is recorded with its reason and tried
again after a pause that doubles with each failure in a row (FEED_RETRY_BASE_SECONDS up to
FEED_RETRY_MAX_SECONDS); nothing here raises for a bad feed or page.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from config.settings import Settings
from retrieval.feeds.fetch import MAX_FEED_BYTES, Fetched, Fetcher, FetchError, http_url_problem
from retrieval.feeds.model import FeedSource, FeedStateStore, SeenItem, refusal_to_json
from retrieval.feeds.parse import FeedEntry, FeedParseError, ParsedFeed, parse_feed
from retrieval.formats import RawArticle, RejectedDocument, read_html, slugify
from retrieval.ingest import MAX_BYTES, IngestReport
from retrieval.recency import iso_date, parse_date
from retrieval.refusals import Refusal, Why

log = logging.getLogger(__name__)

FEED_RETRY_BASE_SECONDS = 60.0  # after the first failure in a row; doubled after each further one
FEED_RETRY_MAX_SECONDS = 6 * 3600.0
HTML_TYPES = ("text/html", "application/xhtml+xml")

Ingest = Callable[[list[RawArticle]], IngestReport]
Progress = Callable[[int, int], None]  # (pages done, pages to fetch)


@dataclass
class FeedResult:
    """How one feed's read went."""

    url: str
    items: int = 0  # items the feed lists
    unchanged: bool = False  # 304: nothing read
    failure: Refusal | None = None


@dataclass
class SyncReport:
    """What one sync did: per feed, the pages fetched and refused, and what ingesting them did."""

    feeds: list[FeedResult] = field(default_factory=list)
    fetched: int = 0  # article pages downloaded
    known: int = 0  # items read before and unchanged: not fetched
    waiting: int = 0  # new or updated items over the cap, left for the next sync
    refused: list[tuple[str, Refusal]] = field(default_factory=list)  # (page address, why)
    ingest: IngestReport = field(default_factory=IngestReport)

    @property
    def failed(self) -> list[FeedResult]:
        """The feeds whose read failed."""
        return [f for f in self.feeds if f.failure is not None]


def article_id_for(url: str) -> str:
    """A stable article id for a page address: its last path words and a hash of the whole address."""
    parts = urlsplit(url)
    words = slugify(parts.path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0], limit=50) or slugify(
        parts.hostname or "", limit=50
    )
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:10]
    return f"{words}-{digest}" if words else f"feed-{digest}"


def retry_delay(failures: int) -> float:
    """Seconds to wait after `failures` failed reads in a row: 1, 2, 4 … minutes, at most 6 hours."""
    return min(FEED_RETRY_BASE_SECONDS * 2 ** max(failures - 1, 0), FEED_RETRY_MAX_SECONDS)


@dataclass
class _Candidate:
    entry: FeedEntry
    feed_url: str
    seen: SeenItem | None


class FeedSyncer:
    """Reads followed feeds into the corpus; one instance per process, one sync at a time."""

    def __init__(
        self,
        settings: Settings,
        state: FeedStateStore,
        ingest: Ingest,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.state = state
        self.ingest = ingest
        self.clock = clock
        self.sleep = sleep

    def _fetcher(self) -> Fetcher:
        return Fetcher(self.settings.feed_timeout_seconds, self.settings.feed_host_delay_seconds, sleep=self.sleep)

    # -- checking a feed before following it ----------------------------------------------

    def check(self, url: str) -> ParsedFeed:
        """Read `url` once as a feed or sitemap (robots.txt respected); FetchError or FeedParseError when it
        cannot be followed."""
        problem = http_url_problem(url)
        if problem is not None:
            raise FetchError(problem)
        with self._fetcher() as fetcher:
            _, parsed = self._read(fetcher, FeedSource(url, 0.0))
        return parsed if parsed is not None else ParsedFeed("rss")  # no validators sent: never a 304

    # -- a sync -----------------------------------------------------------------------------

    def sync(self, *, only_due: bool = False, progress: Progress | None = None) -> SyncReport:
        """Read every followed feed (only those due, for the poller) and ingest what is new."""
        now = self.clock()
        sources = [s for s in self.state.feed_sources() if not only_due or s.next_attempt <= now]
        report = SyncReport()
        if not sources:
            return report
        with self._fetcher() as fetcher:
            read: list[tuple[FeedSource, Fetched | None, ParsedFeed | None]] = []
            for source in sources:
                result = FeedResult(source.url)
                report.feeds.append(result)
                try:
                    answer, parsed = self._read(fetcher, source)
                except (FetchError, FeedParseError) as exc:
                    result.failure = exc.refusal
                    self._failed(source, exc.refusal, now)
                    continue
                result.unchanged = parsed is None
                result.items = len(parsed.entries) if parsed else 0
                read.append((source, answer, parsed))
            chosen, waiting = self._choose(read, report)
            documents, origins = self._fetch_pages(fetcher, chosen, report, progress)
        retry = _retried_later(report)  # their feeds are read in full next time, else a 304 would hide them
        waiting |= {c.feed_url for c in chosen if c.entry.url in retry}
        if documents:
            report.ingest = self.ingest(documents)
        self._remember(chosen, origins, report, retry)
        stored = report.ingest.failure is None  # else nothing was kept: the next read must not be a 304
        for source, answer, _ in read:
            self._succeeded(source, answer, now, keep_validators=stored and source.url not in waiting)
        return report

    def _read(self, fetcher: Fetcher, source: FeedSource) -> tuple[Fetched | None, ParsedFeed | None]:
        """The feed's answer and items (None, None … when it is unchanged: 304)."""
        if not fetcher.allowed(source.url):
            raise FetchError(Refusal.of(Why.ROBOTS_DISALLOWED, url=source.url))
        answer = fetcher.get(source.url, limit=MAX_FEED_BYTES, etag=source.etag, last_modified=source.last_modified)
        if answer.unchanged:
            return answer, None
        parsed = parse_feed(answer.body, answer.url)
        for child in parsed.sitemaps:  # a sitemap index: its sitemaps' items, read in full each time
            if fetcher.allowed(child):
                try:
                    parsed.entries += parse_feed(fetcher.get(child, limit=MAX_FEED_BYTES).body, child).entries
                except (FetchError, FeedParseError) as exc:
                    log.warning("sitemap %s of %s skipped: %s", child, source.url, exc)
        return answer, parsed

    def _choose(
        self, read: Sequence[tuple[FeedSource, Fetched | None, ParsedFeed | None]], report: SyncReport
    ) -> tuple[list[_Candidate], set[str]]:
        """The items to fetch now (new or updated, newest first, at most the cap) and the feeds with items left."""
        by_url: dict[str, _Candidate] = {}
        for source, _, parsed in read:
            for entry in parsed.entries if parsed else ():
                by_url.setdefault(entry.url, _Candidate(entry, source.url, None))
        seen = self.state.seen_items(list(by_url))
        wanted: list[_Candidate] = []
        for url, candidate in by_url.items():
            candidate.seen = seen.get(url)
            if candidate.seen is None or (candidate.entry.stamp and candidate.entry.stamp != candidate.seen.stamp):
                wanted.append(candidate)
            else:
                report.known += 1
        wanted.sort(key=lambda c: _timestamp(c.entry.published or c.entry.stamp), reverse=True)
        cap = self.settings.feed_max_new_per_sync
        report.waiting = max(len(wanted) - cap, 0)
        return wanted[:cap], {c.feed_url for c in wanted[cap:]}

    def _fetch_pages(
        self, fetcher: Fetcher, chosen: Sequence[_Candidate], report: SyncReport, progress: Progress | None
    ) -> tuple[list[RawArticle], dict[str, str]]:
        """The chosen pages read as articles, and each article's page address by id."""
        documents: list[RawArticle] = []
        origins: dict[str, str] = {}
        for done, candidate in enumerate(chosen, start=1):
            url = candidate.entry.url
            try:
                document = self._page(fetcher, candidate.entry)
            except (FetchError, RejectedDocument) as exc:
                report.refused.append((url, exc.refusal))
            else:
                report.fetched += 1
                documents.append(document)
                origins[str(document.article_id)] = url
            if progress is not None:
                progress(done, len(chosen))
        return documents, origins

    def _page(self, fetcher: Fetcher, entry: FeedEntry) -> RawArticle:
        """One article page as an article: the text from the page, the date from the feed, else the page,
        else the time it was fetched (marked `fetched`)."""
        if not fetcher.allowed(entry.url):
            raise FetchError(Refusal.of(Why.ROBOTS_DISALLOWED, url=entry.url))
        answer = fetcher.get(entry.url, limit=MAX_BYTES)
        kind = answer.content_type.split(";", 1)[0].strip().lower()
        if kind not in HTML_TYPES:
            raise FetchError(Refusal.of(Why.NOT_HTML, url=entry.url, kind=kind or "?"))
        page = read_html(answer.body, entry.url, article_id_for(entry.url))
        meta = {**page.meta, "url": entry.url}
        if entry.title:
            meta.setdefault("title", entry.title)
        if entry.outlet:
            meta.setdefault("outlet", entry.outlet)
        meta.update(_dated(entry.published, page.meta.get("date"), self.clock()))
        return replace(page, meta=meta)

    # -- remembering ------------------------------------------------------------------------

    def _remember(
        self, chosen: Sequence[_Candidate], origins: dict[str, str], report: SyncReport, retry: set[str]
    ) -> None:
        """Mark the fetched items seen, each with the article it became (or duplicates), so the next sync
        skips them until their stamp changes; refused pages are remembered too (as no article), except the
        pages in `retry` (`_retried_later`), which the next sync tries again."""
        if report.ingest.failure is not None:
            return  # nothing was stored: read them all again next time
        article_of: dict[str, str] = {}
        for article_id in (*report.ingest.added, *report.ingest.updated):
            article_of[origins[article_id]] = article_id
        for article_id, why in report.ingest.skipped:
            twin = dict(why.values).get("of", article_id) if why.why is Why.DUPLICATE else article_id
            article_of[origins.get(article_id, "")] = str(twin)
        by_feed: dict[str, list[SeenItem]] = {}
        for candidate in chosen:
            url = candidate.entry.url
            if url in retry:
                continue  # a page that failed or is disallowed now may work later
            item = SeenItem(url, article_of.get(url, ""), candidate.entry.stamp)
            by_feed.setdefault(candidate.feed_url, []).append(item)
        for feed_url, items in by_feed.items():
            self.state.mark_seen(feed_url, items, self.clock())

    def _failed(self, source: FeedSource, refusal: Refusal, now: float) -> None:
        failures = source.failures + 1
        log.warning("feed %s failed (%d in a row): %s", source.url, failures, refusal.why.value)
        self.state.save_feed(
            replace(
                source,
                failures=failures,
                next_attempt=now + retry_delay(failures),
                last_checked=now,
                last_error=refusal_to_json(refusal),
            )
        )

    def _succeeded(self, source: FeedSource, answer: Fetched | None, now: float, *, keep_validators: bool) -> None:
        etag, modified = source.etag, source.last_modified
        if answer is not None and not answer.unchanged:
            etag, modified = answer.etag, answer.last_modified
        if not keep_validators:
            etag = modified = None  # items wait beyond the cap: read the whole feed again next time
        interval = self.settings.feed_poll_minutes * 60.0
        self.state.save_feed(
            replace(
                source,
                etag=etag,
                last_modified=modified,
                failures=0,
                next_attempt=now + interval,
                last_checked=now,
                last_error=None,
            )
        )


# Pages refused for a reason that may pass (no answer, an error status, robots.txt today) are not
# remembered as seen: the next sync tries them again.
RETRIED_LATER = frozenset({Why.FETCH_FAILED, Why.HTTP_STATUS, Why.ROBOTS_DISALLOWED})


def _retried_later(report: SyncReport) -> set[str]:
    """The pages of this sync the next one tries again."""
    return {url for url, why in report.refused if why.why in RETRIED_LATER}


def _dated(feed_date: str | None, page_date: str | None, now: float) -> dict[str, str]:
    """`date` and `date_source`: the feed's date, else the page's, else now (marked as fetched)."""
    if feed_date:
        return {"date": feed_date, "date_source": "feed"}
    page = iso_date(page_date)
    if page:
        return {"date": page, "date_source": "page"}
    return {"date": datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds"), "date_source": "fetched"}


def _timestamp(raw: str | None) -> float:
    parsed = parse_date(raw)
    return parsed.timestamp() if parsed is not None else 0.0
