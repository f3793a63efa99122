"""Feeds and sitemaps read into items: RSS, Atom, news sitemaps, sitemap indexes; what is refused."""

from __future__ import annotations

import gzip

import pytest

from retrieval.feeds import FeedParseError, parse_feed
from retrieval.refusals import Why

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Warta Atom</title>
<entry><title>Jalan baru</title><link href="/2026/11/jalan-baru#komentar"/>
<published>2026-11-23T10:00:00+07:00</published><updated>2026-11-24T09:00:00+07:00</updated></entry>
<entry><title>Tanpa tautan</title></entry>
</feed>"""


def test_atom_items_have_absolute_addresses_their_dates_and_an_update_stamp() -> None:
    feed = parse_feed(ATOM.encode(), "https://warta.example.id/atom.xml")
    assert feed.kind == "atom" and len(feed.entries) == 1  # an entry without a link is no article
    entry = feed.entries[0]
    assert entry.url == "https://warta.example.id/2026/11/jalan-baru"  # fragment dropped
    assert (entry.published, entry.stamp) == ("2026-11-23T10:00:00+07:00", "2026-11-24T09:00:00+07:00")
    assert (entry.title, entry.outlet) == ("Jalan baru", "Warta Atom")


def test_a_gzipped_sitemap_index_lists_its_sitemaps() -> None:
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>https://warta.example.id/sitemap-1.xml</loc></sitemap>"
        "<sitemap><loc>/sitemap-2.xml</loc></sitemap></sitemapindex>"
    )
    feed = parse_feed(gzip.compress(index.encode()), "https://warta.example.id/sitemap.xml.gz")
    assert feed.kind == "sitemap" and feed.entries == []
    assert feed.sitemaps == ["https://warta.example.id/sitemap-1.xml", "https://warta.example.id/sitemap-2.xml"]


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&b;</loc></url></urlset>',
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "x">]><rss version="2.0"><channel><title>&a;</title>'
        b"<item><link>http://x.id/a</link></item></channel></rss>",
        b"<html><body>Halaman biasa, bukan feed</body></html>",
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://x.id/a</loc></url>',
    ],
    ids=["sitemap-entities", "rss-entities", "html-page", "truncated-sitemap"],
)
def test_what_is_not_a_safe_feed_or_sitemap_is_refused_as_malformed(body: bytes) -> None:
    with pytest.raises(FeedParseError) as refused:
        parse_feed(body, "https://warta.example.id/x")
    assert refused.value.refusal.why is Why.FEED_MALFORMED
