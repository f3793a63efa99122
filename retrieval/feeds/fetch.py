"""Polite HTTP for feeds and article pages: a clear User-Agent, robots.txt, a pause per host, timeouts,
size caps and conditional requests (ETag / If-Modified-Since)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from retrieval.refusals import Refusal, RefusedError, Why

log = logging.getLogger(__name__)

USER_AGENT = "berita-qa-bot/0.1 (pembaca RSS; menghormati robots.txt)"
ROBOTS_AGENT = "berita-qa-bot"  # the name robots.txt rules address us by
MAX_FEED_BYTES = 10_000_000  # a feed or sitemap larger than this is refused, not read
MAX_ROBOTS_BYTES = 500_000
# A robots.txt Crawl-delay longer than this is honoured only up to it: a site asking for an hour
# between requests would otherwise hold every other feed's sync for hours (the items simply arrive
# one sync at a time more slowly when FEED_MAX_NEW_PER_SYNC is reached).
MAX_CRAWL_DELAY = 60.0


class FetchError(RefusedError, RuntimeError):
    """A request failed (no answer, an error status, too big); `refusal` says why."""


@dataclass(frozen=True)
class Fetched:
    """One answer: 200 with a body, or 304 (unchanged since the validators sent) without one."""

    url: str  # after redirects
    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def unchanged(self) -> bool:
        """Whether the server said the content is as when last read (304)."""
        return self.status == 304


def http_url_problem(url: str) -> Refusal | None:
    """Why `url` cannot be followed (not an http(s) address with a host), else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Refusal.of(Why.NOT_HTTP_URL, url=url)
    return None


class Fetcher:
    """One sync's HTTP client: robots.txt read once per site, at least `host_delay` seconds between two
    requests to one host (longer when robots.txt asks for a Crawl-delay)."""

    def __init__(
        self,
        timeout: float,
        host_delay: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.host_delay = host_delay
        self._sleep, self._clock = sleep, clock
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        )
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser] = {}
        self._site_delays: dict[str, float] = {}  # robots.txt's Crawl-delay, by host

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def allowed(self, url: str) -> bool:
        """Whether the site's robots.txt lets us fetch `url` (read once per site and sync)."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        robots = self._robots.get(site)
        if robots is None:
            robots = self._read_robots(site)
            self._robots[site] = robots
        return robots.can_fetch(ROBOTS_AGENT, url)

    def _read_robots(self, site: str) -> RobotFileParser:
        robots = RobotFileParser(f"{site}/robots.txt")
        try:
            answer = self._request(f"{site}/robots.txt", {}, MAX_ROBOTS_BYTES)
        except FetchError as exc:
            status = dict(exc.refusal.values).get("status")
            if isinstance(status, int) and 400 <= status < 500 and status not in (401, 403):
                robots.parse([])  # no robots.txt: everything is allowed
            else:  # unreachable, 401/403 or a server error: fetch nothing from the site this time
                log.info("robots.txt of %s unreadable (%s): nothing fetched from it this time", site, exc)
                robots.parse(["User-agent: *", "Disallow: /"])
            return robots
        robots.parse(answer.body.decode("utf-8", errors="replace").splitlines())
        delay = robots.crawl_delay(ROBOTS_AGENT)
        if delay is not None:
            if float(delay) > MAX_CRAWL_DELAY:
                log.info("Crawl-delay %s s of %s honoured as %.0f s", delay, site, MAX_CRAWL_DELAY)
            self._site_delays[urlsplit(site).netloc] = min(float(delay), MAX_CRAWL_DELAY)
        return robots

    def get(self, url: str, *, limit: int, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET `url` (conditional when validators are given); FetchError when it fails or is over `limit` bytes."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._request(url, headers, limit)

    def _wait_turn(self, host: str) -> None:
        """Sleep until this host may be asked again."""
        delay = max(self.host_delay, self._site_delays.get(host, 0.0))
        last = self._last_request.get(host)
        if last is not None and delay > 0:
            pause = last + delay - self._clock()
            if pause > 0:
                self._sleep(pause)
        self._last_request[host] = self._clock()

    def _request(self, url: str, headers: dict[str, str], limit: int) -> Fetched:
        self._wait_turn(urlsplit(url).netloc)
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return Fetched(str(response.url), 304, etag=etag_of(response))
                if response.status_code >= 400:
                    raise FetchError(Refusal.of(Why.HTTP_STATUS, url=url, status=response.status_code))
                body = _read_capped(response, url, limit)
                return Fetched(
                    str(response.url),
                    response.status_code,
                    body,
                    response.headers.get("content-type", ""),
                    etag_of(response),
                    response.headers.get("last-modified"),
                )
        except httpx.HTTPError as exc:
            raise FetchError(Refusal.of(Why.FETCH_FAILED, url=url, error=_describe(exc))) from exc


def etag_of(response: httpx.Response) -> str | None:
    """The response's ETag header, if any."""
    return response.headers.get("etag")


def _read_capped(response: httpx.Response, url: str, limit: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:  # said up front: not downloaded at all
        raise FetchError(Refusal.of(Why.TOO_BIG, size=int(declared), limit=limit))
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchError(Refusal.of(Why.TOO_BIG, size=None, limit=limit))
        chunks.append(chunk)
    return b"".join(chunks)


FETCH_ERROR_KINDS = ("timeout", "connect", "redirects")  # Why.FETCH_FAILED's `error` for these; else the system's words


def _describe(exc: httpx.HTTPError) -> str:
    """The kind of failure (one of FETCH_ERROR_KINDS), else the first line of its message."""
    kinds = {httpx.TimeoutException: "timeout", httpx.ConnectError: "connect", httpx.TooManyRedirects: "redirects"}
    for kind, label in kinds.items():
        if isinstance(exc, kind):
            return label
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return first[:200]
