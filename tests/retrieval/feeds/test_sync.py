"""Following feeds against a local site on 127.0.0.1: what a sync reads, adds, updates, skips and refuses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from bot.state.sql import SqlStore
from bot.state.sqlite import sqlite_store
from config.settings import Settings, settings_from_mapping
from retrieval.corpus import load_corpus
from retrieval.feeds import FeedSyncer, article_id_for
from retrieval.feeds.testing import LocalSite, article_page, rss
from retrieval.ingest import Ingestor
from retrieval.refusals import Why
from retrieval.testing import HashingEmbedder

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC).timestamp()


def paragraphs(topic: str) -> list[str]:
    return [
        f"JAKARTA - Pemerintah kota mengumumkan rencana baru tentang {topic} pada Senin pagi di balai kota.",
        f"Kepala dinas mengatakan program {topic} akan dimulai bulan depan dengan anggaran Rp12 miliar.",
        f"Warga menyambut baik rencana {topic} itu, meski sebagian meminta sosialisasi yang lebih luas.",
    ]


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def site() -> Iterator[LocalSite]:
    with LocalSite() as served:
        served.put("/robots.txt", "User-agent: *\nDisallow: /rahasia/\n", "text/plain")
        yield served


@pytest.fixture()
def state(tmp_path: Path) -> Iterator[SqlStore]:
    store = sqlite_store(tmp_path / "state.db")
    yield store
    store.close()


def make(tmp_path: Path, state: SqlStore, clock: Clock, **env: str) -> tuple[FeedSyncer, Settings]:
    settings = settings_from_mapping(
        {
            "CORPUS_DIR": str(tmp_path / "corpus"),
            "INDEX_DIR": str(tmp_path / "index"),
            "SEEDS_DIR": "none",
            "FEED_HOST_DELAY_SECONDS": "0",
            "FEED_TIMEOUT_SECONDS": "5",
            **env,
        }
    )
    ingestor = Ingestor(settings, HashingEmbedder())
    return FeedSyncer(settings, state, ingestor.ingest_documents, clock=clock, sleep=lambda s: None), settings


def rfc822(days_ago: float) -> str:
    return format_datetime(datetime.fromtimestamp(NOW, UTC) - timedelta(days=days_ago))


def articles(settings: Settings) -> dict[str, object]:
    return {a.article_id: a for a in load_corpus(settings.corpus_dir, None)}


def test_new_items_arrive_with_their_dates_and_a_second_sync_reads_nothing(
    tmp_path: Path, site: LocalSite, state: SqlStore
) -> None:
    clock = Clock()
    syncer, settings = make(tmp_path, state, clock)
    site.put("/a", article_page("Banjir di Kemang surut", paragraphs("banjir Kemang")))
    site.put("/b", article_page("Tarif bus listrik", paragraphs("bus listrik"), date="2026-11-20"))
    site.put("/c", article_page("Taman kota baru", paragraphs("taman kota")))
    site.put(
        "/rss",
        rss([(site.url("/a"), "Banjir di Kemang surut", rfc822(1)), (site.url("/b"), "Tarif bus listrik", None),
             (site.url("/c"), "Taman kota baru", None)]),
        "application/rss+xml",
    )  # fmt: skip
    state.follow_feed(site.url("/rss"), NOW)

    first = syncer.sync()
    assert (first.fetched, len(first.ingest.added), first.failed) == (3, 3, [])
    assert first.ingest.embedded > 0
    stored = articles(settings)
    a, b, c = (stored[article_id_for(site.url(p))] for p in ("/a", "/b", "/c"))
    assert (a.meta.date, a.meta.date_source) == ("2026-11-23T09:00:00+00:00", "feed")  # type: ignore[attr-defined]
    assert (b.meta.date, b.meta.date_source) == ("2026-11-20T00:00:00+00:00", "page")  # type: ignore[attr-defined]
    assert (c.meta.date, c.meta.date_source) == ("2026-11-24T09:00:00+00:00", "fetched")  # type: ignore[attr-defined]
    assert a.meta.url == site.url("/a")  # type: ignore[attr-defined]
    assert any("berita-qa-bot" in agent for agent in site.user_agents)

    second = syncer.sync()
    assert site.not_modified["/rss"] == 1  # conditional request answered 304
    assert (second.fetched, second.ingest.embedded, second.ingest.changed) == (0, 0, False)
    assert state.feed_sources()[0].items == 3


def test_a_failing_feed_backs_off_and_recovers(tmp_path: Path, site: LocalSite, state: SqlStore) -> None:
    clock = Clock()
    syncer, settings = make(tmp_path, state, clock)
    site.put("/a", article_page("Pasar murah", paragraphs("pasar murah")))
    site.put("/rss", rss([(site.url("/a"), "Pasar murah", rfc822(0))]), "application/rss+xml")
    state.follow_feed(site.url("/rss"), NOW)
    site.fail("/rss", 500, 503)

    failed = syncer.sync(only_due=True)
    assert failed.failed[0].failure is not None and failed.failed[0].failure.why is Why.HTTP_STATUS
    source = state.feed_sources()[0]
    assert (source.failures, source.next_attempt) == (1, NOW + 60)
    assert syncer.sync(only_due=True).feeds == []  # not due yet: nothing read

    clock.now += 61
    syncer.sync(only_due=True)
    assert state.feed_sources()[0].failures == 2 and state.feed_sources()[0].next_attempt == clock.now + 120

    clock.now += 121
    recovered = syncer.sync(only_due=True)
    assert recovered.failed == [] and recovered.ingest.added == [article_id_for(site.url("/a"))]
    source = state.feed_sources()[0]
    assert (source.failures, source.last_error) == (0, None)
    assert source.next_attempt == clock.now + settings.feed_poll_minutes * 60


def test_a_malformed_feed_is_reported_and_the_others_still_read(
    tmp_path: Path, site: LocalSite, state: SqlStore
) -> None:
    syncer, _ = make(tmp_path, state, Clock())
    site.put("/rusak", '<?xml version="1.0"?><rss version="2.0"><channel><item><title>Putus</titl', "application/xml")
    site.put("/a", article_page("Jalan tol baru", paragraphs("jalan tol")))
    site.put("/rss", rss([(site.url("/a"), "Jalan tol baru", rfc822(0))]), "application/rss+xml")
    for path in ("/rusak", "/rss"):
        state.follow_feed(site.url(path), NOW)
    report = syncer.sync()
    assert [f.failure.why for f in report.failed if f.failure] == [Why.FEED_MALFORMED]
    assert len(report.ingest.added) == 1
    broken = next(s for s in state.feed_sources() if s.url.endswith("/rusak"))
    assert broken.error is not None and broken.error.why is Why.FEED_MALFORMED and broken.failures == 1


def test_the_cap_holds_on_a_feed_of_1000_items_and_the_rest_follow(
    tmp_path: Path, site: LocalSite, state: SqlStore
) -> None:
    syncer, _ = make(tmp_path, state, Clock(), FEED_MAX_NEW_PER_SYNC="15")
    items: list[tuple[str, str, str | None]] = []
    for i in range(1000):
        path = f"/berita/{i}"
        site.put(path, article_page(f"Berita nomor {i}", paragraphs(f"proyek nomor {i}")))
        items.append((site.url(path), f"Berita nomor {i}", rfc822(i / 24)))  # item 0 is the newest
    site.put("/rss", rss(items), "application/rss+xml")
    state.follow_feed(site.url("/rss"), NOW)

    first = syncer.sync()
    assert (first.fetched, len(first.ingest.added), first.waiting) == (15, 15, 985)
    assert set(first.ingest.added) == {article_id_for(site.url(f"/berita/{i}")) for i in range(15)}  # newest first
    second = syncer.sync()  # the feed is read again in full (no 304) while items wait
    assert site.not_modified["/rss"] == 0
    assert (second.fetched, second.known, second.waiting) == (15, 15, 970)
    assert sum(site.requests[f"/berita/{i}"] for i in range(1000)) == 30


def test_a_page_that_is_not_html_is_refused_once(tmp_path: Path, site: LocalSite, state: SqlStore) -> None:
    syncer, _ = make(tmp_path, state, Clock())
    site.put("/laporan.pdf", b"%PDF-1.7 bukan halaman", "application/pdf")
    site.put("/a", article_page("Sekolah baru", paragraphs("sekolah")))
    site.put("/rss", rss([(site.url("/laporan.pdf"), "Laporan", rfc822(0)), (site.url("/a"), "Sekolah", rfc822(0))]))
    state.follow_feed(site.url("/rss"), NOW)
    report = syncer.sync()
    assert [(url, why.why) for url, why in report.refused] == [(site.url("/laporan.pdf"), Why.NOT_HTML)]
    assert len(report.ingest.added) == 1
    site.put(
        "/rss", rss([(site.url("/laporan.pdf"), "Laporan", rfc822(0)), (site.url("/a"), "Sekolah", rfc822(0))]) + " "
    )  # the feed changes (no 304), the refused page does not: not fetched again
    again = syncer.sync()
    assert again.fetched == 0 and again.refused == [] and site.requests["/laporan.pdf"] == 1


def sitemap(entries: list[tuple[str, str]]) -> str:
    urls = "".join(
        f"<url><loc>{loc}</loc><lastmod>{lastmod}</lastmod><news:news><news:publication><news:name>Warta Uji"
        f"</news:name><news:language>id</news:language></news:publication><news:publication_date>2026-11-22T07:00:00"
        f"+07:00</news:publication_date><news:title>Judul</news:title></news:news></url>"
        for loc, lastmod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        f' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    )


def test_an_updated_page_replaces_its_article(tmp_path: Path, site: LocalSite, state: SqlStore) -> None:
    syncer, settings = make(tmp_path, state, Clock())
    site.put("/a", article_page("Harga beras", paragraphs("harga beras")))
    site.put("/sitemap.xml", sitemap([(site.url("/a"), "2026-11-22T08:00:00+07:00")]), "application/xml")
    state.follow_feed(site.url("/sitemap.xml"), NOW)
    first = syncer.sync()
    article_id = article_id_for(site.url("/a"))
    assert first.ingest.added == [article_id]
    stored = articles(settings)[article_id]
    assert (stored.meta.date, stored.meta.outlet) == ("2026-11-22T07:00:00+07:00", "Warta Uji")  # type: ignore[attr-defined]

    site.put("/a", article_page("Harga beras", [*paragraphs("harga beras"), "Pembaruan: harga beras turun Rp500."]))
    site.put("/sitemap.xml", sitemap([(site.url("/a"), "2026-11-22T15:00:00+07:00")]), "application/xml")
    second = syncer.sync()
    assert second.ingest.updated == [article_id] and second.ingest.added == []
    texts = [p.text for p in articles(settings)[article_id].paragraphs]  # type: ignore[attr-defined]
    assert "Pembaruan: harga beras turun Rp500." in texts and len(articles(settings)) == 1


def test_robots_txt_is_respected(tmp_path: Path, site: LocalSite, state: SqlStore) -> None:
    syncer, _ = make(tmp_path, state, Clock())
    site.put("/rahasia/a", article_page("Dokumen", paragraphs("dokumen")))
    site.put("/rss", rss([(site.url("/rahasia/a"), "Dokumen", rfc822(0))]))
    state.follow_feed(site.url("/rss"), NOW)
    report = syncer.sync()
    assert [why.why for _, why in report.refused] == [Why.ROBOTS_DISALLOWED]
    assert site.requests["/rahasia/a"] == 0 and report.ingest.added == []


def test_the_same_text_under_another_address_is_not_added_twice(
    tmp_path: Path, site: LocalSite, state: SqlStore
) -> None:
    syncer, _ = make(tmp_path, state, Clock())
    page = article_page("Gempa di Cianjur", paragraphs("gempa"))
    site.put("/a", page)
    site.put("/a-amp", page)
    site.put("/rss", rss([(site.url("/a"), "Gempa", rfc822(1)), (site.url("/a-amp"), "Gempa", rfc822(0))]))
    state.follow_feed(site.url("/rss"), NOW)
    report = syncer.sync()
    assert len(report.ingest.added) == 1
    assert [why.why for _, why in report.ingest.skipped] == [Why.DUPLICATE]
    seen = state.seen_items([site.url("/a"), site.url("/a-amp")])
    assert seen[site.url("/a")].article_id == seen[site.url("/a-amp")].article_id


def test_a_feed_syncs_into_the_postgres_store_with_its_dates(
    postgres_uri: str, settings: Settings, tmp_path: Path, site: LocalSite, state: SqlStore
) -> None:
    from bot.testing.postgres import fresh_database
    from retrieval.engine import QAEngine
    from retrieval.store import ingestor_for

    pg = settings_from_mapping(
        {"CORPUS_DIR": str(tmp_path / "corpus"), "INDEX_DIR": str(settings.index_dir), "STORE": "postgres",
         "DATABASE_URL": fresh_database(postgres_uri), "SEEDS_DIR": str(settings.corpus_dir),
         "FEED_HOST_DELAY_SECONDS": "0"}
    )  # fmt: skip
    engine = QAEngine.load(pg, show_progress=False)
    try:
        syncer = FeedSyncer(pg, state, ingestor_for(pg, embedder=engine.embedder).ingest_documents, clock=Clock())
        site.put("/a", article_page("Bendungan Sadawarna diresmikan", [
            "SUBANG - Presiden meresmikan Bendungan Sadawarna yang mampu menampung 50 juta meter kubik air.",
            "Bendungan itu akan mengairi sawah seluas 6.000 hektare di Subang dan Indramayu.",
        ]))  # fmt: skip
        site.put("/rss", rss([(site.url("/a"), "Bendungan", rfc822(0.5))]), "application/rss+xml")
        state.follow_feed(site.url("/rss"), NOW)
        report = syncer.sync()
        assert report.ingest.added == [article_id_for(site.url("/a"))] and report.ingest.failure is None
        assert syncer.sync().ingest.embedded == 0
        answer = engine.ask("Berapa kapasitas Bendungan Sadawarna?")
        assert answer.answered and "50 juta meter kubik" in answer.quotes[0].text
        source = answer.sources[0]
        assert (source.date, source.date_source, source.url) == ("2026-11-23T21:00:00+00:00", "feed", site.url("/a"))
    finally:
        engine.close()


def test_a_sync_whose_storing_fails_loses_nothing(tmp_path: Path, site: LocalSite, state: SqlStore) -> None:
    syncer, settings = make(tmp_path, state, Clock())
    site.put("/a", article_page("Kereta bandara", paragraphs("kereta bandara")))
    site.put("/rss", rss([(site.url("/a"), "Kereta bandara", rfc822(0))]), "application/rss+xml")
    state.follow_feed(site.url("/rss"), NOW)
    settings.corpus_dir.write_text("not a folder")  # the corpus cannot be written: the command fails
    failed = syncer.sync()
    assert failed.ingest.failure is not None and failed.ingest.added == []
    settings.corpus_dir.unlink()
    retried = syncer.sync()  # the feed is read in full again (no 304) and the page stored now
    assert site.not_modified["/rss"] == 0 and retried.ingest.added == [article_id_for(site.url("/a"))]


def test_a_page_that_failed_is_fetched_again_even_when_the_feed_answers_304(
    tmp_path: Path, site: LocalSite, state: SqlStore
) -> None:
    syncer, _ = make(tmp_path, state, Clock())
    site.put("/a", article_page("Harga cabai naik", paragraphs("harga cabai")))
    site.put("/rss", rss([(site.url("/a"), "Harga cabai naik", rfc822(0))]), "application/rss+xml")
    state.follow_feed(site.url("/rss"), NOW)
    site.fail("/a", 503)

    first = syncer.sync()
    assert [why.why for _, why in first.refused] == [Why.HTTP_STATUS] and first.ingest.added == []
    second = syncer.sync()  # the feed itself did not change
    assert second.ingest.added == [article_id_for(site.url("/a"))]
    third = syncer.sync()  # now everything is in: the feed may answer 304 again
    assert site.not_modified["/rss"] == 1 and third.fetched == 0


def test_a_huge_crawl_delay_is_honoured_only_up_to_a_minute(tmp_path: Path, site: LocalSite, state: SqlStore) -> None:
    pauses: list[float] = []
    syncer, _ = make(tmp_path, state, Clock())
    syncer.sleep = pauses.append
    site.put("/robots.txt", "User-agent: *\nCrawl-delay: 3600\n", "text/plain")
    for path in ("/a", "/b"):
        site.put(path, article_page(f"Kabar {path}", paragraphs(f"kabar {path}")))
    site.put("/rss", rss([(site.url(p), f"Kabar {p}", rfc822(0)) for p in ("/a", "/b")]), "application/rss+xml")
    state.follow_feed(site.url("/rss"), NOW)

    report = syncer.sync()
    assert len(report.ingest.added) == 2
    assert pauses and all(50 < pause <= 60 for pause in pauses)  # a pause before every request but the first
