"""Following news sites: RSS 2.0, Atom and XML sitemaps read on a schedule, their new articles ingested.

- `model`: what is remembered about followed feeds (`FeedSource`, `SeenItem`) and the store protocol
  the bot's state store implements (`FeedStateStore`);
- `fetch`: polite HTTP (User-Agent, robots.txt, a pause per host, timeouts, conditional requests);
- `parse`: feeds and sitemaps to items (`FeedEntry`);
- `sync`: one sync (`FeedSyncer`): read, choose, fetch, ingest, remember;
- `testing`: a local site on 127.0.0.1 serving feeds and pages, for tests and benchmarks.

No chat library here: the bot's poller and admin commands (`bot/feeds.py`) call `FeedSyncer`.
"""

from retrieval.feeds.fetch import USER_AGENT, FetchError, http_url_problem
from retrieval.feeds.model import FeedSource, FeedStateStore, SeenItem
from retrieval.feeds.parse import FeedEntry, FeedParseError, ParsedFeed, parse_feed
from retrieval.feeds.sync import FeedResult, FeedSyncer, SyncReport, article_id_for, retry_delay

__all__ = [
    "USER_AGENT",
    "FeedEntry",
    "FeedParseError",
    "FeedResult",
    "FeedSource",
    "FeedStateStore",
    "FeedSyncer",
    "FetchError",
    "ParsedFeed",
    "SeenItem",
    "SyncReport",
    "article_id_for",
    "http_url_problem",
    "parse_feed",
    "retry_delay",
]
