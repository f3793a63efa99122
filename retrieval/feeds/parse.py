"""Feeds and sitemaps to items: RSS 2.0 and Atom through feedparser, XML sitemaps (news sitemaps'
`<news:publication_date>` included, sitemap indexes one level deep) through the standard library's
parser, refused when they declare a DOCTYPE or entities (nothing is expanded) or grow too big."""

from __future__ import annotations

import gzip
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import feedparser

from retrieval.recency import iso_date
from retrieval.refusals import Refusal, RefusedError, Why

MAX_XML_BYTES = 10_000_000  # also after gunzip: a sitemap.xml.gz may not unpack into more than this
MAX_CHILD_SITEMAPS = 50  # a sitemap index's sitemaps read per sync

_PROLOG_RE = re.compile(rb"^(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_ROOT_RE = re.compile(rb"<(?:[\w.-]+:)?([\w.-]+)")
_DECLARATIONS_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class FeedParseError(RefusedError, ValueError):
    """Not readable as RSS, Atom or a sitemap; `refusal` says why."""


@dataclass(frozen=True)
class FeedEntry:
    """One item: the article page's address and what the feed says about it."""

    url: str
    title: str | None = None
    published: str | None = None  # ISO 8601, when the feed gives a publication date
    stamp: str | None = None  # what changes when the item is updated (updated, lastmod, else published)
    outlet: str | None = None  # the feed's title, or a news sitemap's publication name


@dataclass
class ParsedFeed:
    """A feed's items, or a sitemap index's child sitemaps (to read in turn)."""

    kind: str  # "rss", "atom" or "sitemap"
    entries: list[FeedEntry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def canonical_url(url: str, base: str | None = None) -> str:
    """An item's address made absolute (against `base`), without its #fragment and surrounding spaces."""
    absolute = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(absolute)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def parse_feed(data: bytes, url: str) -> ParsedFeed:
    """The items of a feed or sitemap read from `url`; FeedParseError when it is neither."""
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, url)
    head = data.lstrip(b"\xef\xbb\xbf")
    prolog = _PROLOG_RE.match(head)
    root = _ROOT_RE.match(head, prolog.end() if prolog else 0)
    if root is not None and root.group(1).lower() in (b"urlset", b"sitemapindex"):
        return _parse_sitemap(head, url)
    return _parse_syndication(data, url)


def _malformed(url: str, error: str) -> FeedParseError:
    return FeedParseError(Refusal.of(Why.FEED_MALFORMED, url=url, error=error[:200]))


def _gunzip(data: bytes, url: str) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacked:
            out = unpacked.read(MAX_XML_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise _malformed(url, f"gzip: {exc}") from exc
    if len(out) > MAX_XML_BYTES:
        raise FeedParseError(Refusal.of(Why.TOO_BIG, size=None, limit=MAX_XML_BYTES))
    return out


def _parse_syndication(data: bytes, url: str) -> ParsedFeed:
    if _DECLARATIONS_RE.search(data[:65536]) and b"<!ENTITY" in data.upper():
        raise _malformed(url, "entity declarations are not read")
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    version = str(parsed.get("version") or "")
    if not version:
        problem = parsed.get("bozo_exception")
        raise _malformed(url, str(problem) if problem else "not RSS, Atom or a sitemap")
    outlet = _clean(parsed.feed.get("title"))
    entries: list[FeedEntry] = []
    for item in parsed.entries:
        link = item.get("link") or ""
        if not link or urlsplit(canonical_url(link, url)).scheme not in ("http", "https"):
            continue
        updated = dict.get(item, "updated")  # plain dict lookup: feedparser's own maps a missing one to published
        published = iso_date(dict.get(item, "published")) or iso_date(updated)
        stamp = iso_date(updated) or published
        entries.append(FeedEntry(canonical_url(link, url), _clean(item.get("title")), published, stamp, outlet))
    if parsed.get("bozo") and not entries:  # feedparser's lenient reading found nothing usable
        raise _malformed(url, str(parsed.get("bozo_exception") or "malformed"))
    return ParsedFeed("atom" if version.startswith("atom") else "rss", entries)


def _local(tag: str) -> str:
    """`{http://www.sitemaps.org/schemas/sitemap/0.9}loc` → `loc`."""
    return tag.rsplit("}", 1)[-1]


def _parse_sitemap(data: bytes, url: str) -> ParsedFeed:
    if _DECLARATIONS_RE.search(data):  # no DTD, no entities: nothing can expand or reach out
        raise _malformed(url, "DOCTYPE or entity declarations are not read")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise _malformed(url, str(exc)) from exc
    feed = ParsedFeed("sitemap")
    if _local(root.tag) == "sitemapindex":
        for child in root:
            loc = _child_text(child, "loc")
            if loc:
                feed.sitemaps.append(canonical_url(loc, url))
        feed.sitemaps = feed.sitemaps[:MAX_CHILD_SITEMAPS]
        return feed
    for node in root:
        if _local(node.tag) != "url":
            continue
        loc = _child_text(node, "loc")
        if not loc or urlsplit(canonical_url(loc, url)).scheme not in ("http", "https"):
            continue
        news = next((n for n in node if _local(n.tag) == "news"), None)
        published = iso_date(_child_text(news, "publication_date")) if news is not None else None
        title = _clean(_child_text(news, "title")) if news is not None else None
        outlet = None
        if news is not None:
            publication = next((n for n in news if _local(n.tag) == "publication"), None)
            outlet = _clean(_child_text(publication, "name")) if publication is not None else None
        lastmod = iso_date(_child_text(node, "lastmod"))
        feed.entries.append(FeedEntry(canonical_url(loc, url), title, published, lastmod or published, outlet))
    return feed


def _child_text(node: ET.Element | None, name: str) -> str | None:
    if node is None:
        return None
    child = next((c for c in node if _local(c.tag) == name), None)
    return child.text.strip() if child is not None and child.text else None


def _clean(value: object) -> str | None:
    text = " ".join(str(value).split()) if isinstance(value, str) else ""
    return text or None
