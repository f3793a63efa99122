"""A news site on 127.0.0.1 for tests and benchmarks: feeds, sitemaps, pages and robots.txt written by the
caller, with ETag/Last-Modified answered by 304, and failures queued per path. Shipped beside the feeds
code so tests and `bench/` share it (they never import each other)."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


@dataclass
class Resource:
    """What one path serves."""

    body: bytes
    content_type: str
    last_modified: str

    @property
    def etag(self) -> str:
        """A strong ETag from the body."""
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


class LocalSite:
    """`with LocalSite() as site:` serves what `site.put(path, …)` says until the block ends."""

    def __init__(self) -> None:
        self._resources: dict[str, Resource] = {}
        self._failures: dict[str, list[int]] = {}
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()  # path → GETs answered (304s and failures included)
        self.not_modified: Counter[str] = Counter()  # path → 304s answered
        self.user_agents: set[str] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LocalSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        """The full address of `path`."""
        return self.base + path

    def put(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8") -> None:
        """Serve `body` at `path` from now on (a new Last-Modified and ETag when it changed)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            old = self._resources.get(path)
            if old is None or old.body != data:
                self._resources[path] = Resource(data, content_type, formatdate(usegmt=True))

    def fail(self, path: str, *statuses: int) -> None:
        """Answer the next requests of `path` with these statuses, one each, then serve it again."""
        with self._lock:
            self._failures.setdefault(path, []).extend(statuses)

    def _answer(self, path: str, headers: dict[str, str]) -> tuple[int, Resource | None]:
        with self._lock:
            self.requests[path] += 1
            self.user_agents.add(headers.get("user-agent", ""))
            queued = self._failures.get(path)
            if queued:
                return queued.pop(0), None
            resource = self._resources.get(path)
            if resource is None:
                return 404, None
            if headers.get("if-none-match") == resource.etag or (
                "if-none-match" not in headers and headers.get("if-modified-since") == resource.last_modified
            ):
                self.not_modified[path] += 1
                return 304, resource
            return 200, resource


def _handler(site: LocalSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, resource = site._answer(self.path, {k.lower(): v for k, v in self.headers.items()})
            self.send_response(status)
            body = resource.body if resource is not None and status == 200 else b""
            if resource is not None:
                self.send_header("ETag", resource.etag)
                self.send_header("Last-Modified", resource.last_modified)
            if status == 200 and resource is not None:
                self.send_header("Content-Type", resource.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return  # quiet: tests read the counters instead

    return Handler


def rss(items: list[tuple[str, str, str | None]], title: str = "Warta Uji") -> str:
    """An RSS 2.0 feed of (link, title, RFC 822 pubDate or None) items."""
    parts = [f"<item><title>{escape(t)}</title><link>{escape(link)}</link>" + (
        f"<pubDate>{date}</pubDate>" if date else "") + "</item>" for link, t, date in items]  # fmt: skip
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://127.0.0.1/</link><description>uji</description>"
        + "".join(parts)
        + "</channel></rss>"
    )


def article_page(title: str, paragraphs: list[str], date: str | None = None) -> str:
    """A news page: navigation, the article (headline, date, paragraphs) and a footer."""
    meta = f'<meta property="article:published_time" content="{date}">' if date else ""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='id'><head><title>{escape(title)}</title>{meta}</head><body>"
        "<nav><a href='/'>Beranda</a> <a href='/politik'>Politik</a></nav>"
        f"<article><h1>{escape(title)}</h1>{body}</article>"
        "<footer>Hak cipta Warta Uji</footer></body></html>"
    )
