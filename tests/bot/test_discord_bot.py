"""The Discord bot: real discord.py command tree and event handlers, gateway payloads in,
requests out over HTTP to a fake Discord API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

discord = pytest.importorskip("discord", reason="needs the 'discord' extra")

from bot.app import BotServices  # noqa: E402
from bot.conversation import ChatKey  # noqa: E402
from bot.discord_bot import BeritaDiscordBot  # noqa: E402
from bot.testing.discord_harness import ask_slash, discord_bot  # noqa: E402
from bot.testing.fake_discord import (  # noqa: E402
    APP_ID,
    BOT_USER_ID,
    GUILD_ID,
    FakeDiscord,
    button_payload,
    message_payload,
    slash_payload,
)
from config.settings import Settings  # noqa: E402
from retrieval.engine import QAEngine  # noqa: E402
from retrieval.feeds.testing import LocalSite, rss  # noqa: E402

Scenario = Callable[[BeritaDiscordBot, FakeDiscord], Awaitable[None]]


def run(settings: Settings, engine: QAEngine, tmp_path: Path, scenario: Scenario, **overrides: Any) -> None:
    """Log a real client in against the fake API (syncing commands), then play the scenario."""

    async def main() -> None:
        services = BotServices.build(settings.with_overrides(index_dir=tmp_path, **overrides), engine)
        async with discord_bot(services) as (client, fake):
            await scenario(client, fake)

    asyncio.run(main())


def test_login_syncs_commands_once_per_change(settings: Settings, engine: QAEngine, tmp_path: Path) -> None:
    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        synced = fake.of("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
        assert {c["name"] for c in synced[0].body["items"]} == {
            "tanya",
            "sumber",
            "tambah",
            "hapus",
            "artikel",
            "statistik",
            "ikuti",
            "berhenti_ikuti",
            "daftar_feed",
            "baca_feed",
        }
        assert await client.sync_commands() is False  # unchanged: no second sync
        assert len(fake.of("PUT", "/commands")) == 1

    run(settings, engine, tmp_path, scenario)


def test_slash_tanya_answers_with_quote_and_button(settings: Settings, engine: QAEngine, tmp_path: Path) -> None:
    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        ask_slash(client, "Siapa pengganti Stoltenberg?", channel_id=11)
        defer = (await fake.wait_for("POST", "/callback"))[0]
        assert defer.body["type"] == 5  # "thinking…" first: the answer may take a moment
        followup = (await fake.wait_for("POST", f"/webhooks/{APP_ID}/"))[0].body
        assert "Mark Rutte" in followup["content"] and "> " in followup["content"]
        assert followup["allowed_mentions"]["parse"] == []
        button = followup["components"][0]["components"][0]
        assert button["custom_id"].startswith("src:") and "Sumber" in button["label"]

    run(settings, engine, tmp_path, scenario)


def test_sumber_and_numbered_sumber(settings: Settings, engine: QAEngine, tmp_path: Path) -> None:
    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        state = client._connection
        state.parse_interaction_create(slash_payload("sumber", [], channel_id=12, user_id=5))
        empty = (await fake.wait_for("POST", "/callback"))[0].body
        assert "Belum ada jawaban" in empty["data"]["content"]
        ask_slash(client, "Berapa bantuan militer NATO di paruh pertama 2024?", channel_id=12)
        await fake.wait_for("POST", f"/webhooks/{APP_ID}/")
        state.parse_interaction_create(slash_payload("sumber", [], channel_id=12, user_id=5))
        full = (await fake.wait_for("POST", "/callback", count=3))[-1].body["data"]["content"]
        assert "0d97bd401b206dcc" in full and "**" in full
        state.parse_interaction_create(
            slash_payload("sumber", [{"name": "nomor", "type": 4, "value": 2}], channel_id=12, user_id=5)
        )
        numbered = (await fake.wait_for("POST", "/callback", count=4))[-1].body["data"]["content"]
        assert "Tidak ada sumber nomor 2" in numbered or numbered.startswith("**\\[2\\]")

    run(settings, engine, tmp_path, scenario)


def test_button_shows_citations_ephemerally(settings: Settings, engine: QAEngine, tmp_path: Path) -> None:
    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        ask_slash(client, "Di mana pusat komando baru NATO?", channel_id=13)
        answer = (await fake.wait_for("POST", f"/webhooks/{APP_ID}/"))[0].body
        custom_id = answer["components"][0]["components"][0]["custom_id"]
        message = fake.message(answer, "13")
        client._connection.parse_interaction_create(button_payload(custom_id, message, channel_id=13, user_id=6))
        shown = (await fake.wait_for("POST", "/callback", count=2))[-1].body["data"]
        assert shown["flags"] & 64  # ephemeral: only the person who clicked sees it
        assert "Wiesbaden" in shown["content"]

    run(settings, engine, tmp_path, scenario)


def test_votes_count_once_per_person_and_change_in_place(settings: Settings, engine: QAEngine, tmp_path: Path) -> None:
    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        ask_slash(client, "Siapa pengganti Stoltenberg?", channel_id=16)
        answer = (await fake.wait_for("POST", f"/webhooks/{APP_ID}/"))[0].body
        buttons = answer["components"][0]["components"]
        assert [b["label"] for b in buttons] == ["📚 Sumber", "👍", "👎"]
        up, down = buttons[1]["custom_id"], buttons[2]["custom_id"]
        message = fake.message(answer, "16")
        callbacks = 1  # the slash command's "thinking…"

        async def press(custom_id: str, user_id: int, under: dict[str, Any] = message) -> dict[str, Any]:
            nonlocal callbacks
            payload = button_payload(custom_id, under, channel_id=16, user_id=user_id)
            client._connection.parse_interaction_create(payload)
            callbacks += 1
            return (await fake.wait_for("POST", "/callback", count=callbacks))[-1].body

        def labels(body: dict[str, Any]) -> list[str]:
            assert body["type"] == 7  # the answer's own message updated, no new one
            return [b["label"] for b in body["data"]["components"][0]["components"]]

        assert labels(await press(up, 61)) == ["📚 Sumber", "👍 1", "👎"]
        repeated = await press(up, 61)  # the same vote again: counted once, told privately
        assert repeated["type"] == 4 and repeated["data"]["flags"] & 64
        assert "sudah tercatat" in repeated["data"]["content"]
        assert labels(await press(up, 62)) == ["📚 Sumber", "👍 2", "👎"]
        assert labels(await press(down, 61)) == ["📚 Sumber", "👍 1", "👎 1"]
        old_button = {"type": 2, "style": 2, "label": "👍", "custom_id": "fb:99999999:up"}
        old = {**message, "components": [{"type": 1, "components": [old_button]}]}  # an answer long forgotten
        gone = await press("fb:99999999:up", 63, old)
        assert gone["data"]["flags"] & 64 and "terlalu lama" in gone["data"]["content"]
        assert len(fake.of("POST", f"/webhooks/{APP_ID}/")) == 1  # nothing posted in the channel

    run(settings, engine, tmp_path, scenario)


def test_mention_and_follow_up_reply(settings: Settings, engine: QAEngine, tmp_path: Path) -> None:
    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        state = client._connection
        state.parse_message_create(
            message_payload(
                f"<@{BOT_USER_ID}> Siapa pengganti Stoltenberg?", channel_id=14, user_id=7, mentions_bot=True
            )
        )
        first = (await fake.wait_for("POST", "/channels/14/messages"))[0].body
        assert "Mark Rutte" in first["content"] and first["allowed_mentions"]["replied_user"] is False
        assert await client.memory.last_answered(ChatKey("discord", 14)) is not None
        sent_id = next(m["id"] for m in fake.sent if m["channel_id"] == "14")  # a bot message carrying the answer
        state.parse_message_create(
            message_payload("kapan dia mundur?", channel_id=14, user_id=7, reply_to=str(sent_id))
        )
        follow = (await fake.wait_for("POST", "/channels/14/messages", count=2))[-1].body
        assert "musim gugur" in follow["content"]
        await asyncio.sleep(0.5)  # let a multi-message answer finish
        before = len(fake.of("POST", "/channels/14/messages"))
        state.parse_message_create(message_payload("obrolan biasa tanpa menyebut bot", channel_id=14, user_id=8))
        await asyncio.sleep(0.5)
        assert len(fake.of("POST", "/channels/14/messages")) == before  # chatter ignored

    run(settings, engine, tmp_path, scenario)


def test_abstention(settings: Settings, engine: QAEngine, tmp_path: Path) -> None:
    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        ask_slash(client, "Siapa juara Liga Inggris musim lalu?", channel_id=15)
        body = (await fake.wait_for("POST", f"/webhooks/{APP_ID}/"))[0].body
        assert "tidak ditemukan di artikel" in body["content"]
        assert [b["label"] for b in body["components"][0]["components"]] == ["👍", "👎"]  # rated, no sources

    run(settings, engine, tmp_path, scenario)


def test_long_answer_and_everyone_never_ping(settings: Settings, engine: QAEngine, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shout = "berteriak @everyone serta @here dengan keras " * 25
    (corpus / "ping.txt").write_text(
        "".join(
            f"Ketua panitia festival Jakarta mengatakan warga {place} {shout}sepanjang malam festival.\n"
            for place in ("di alun-alun", "di stadion", "di pelabuhan")
        ),
        encoding="utf-8",
    )
    index_dir = tmp_path / "idx"
    own_settings = settings.with_overrides(corpus_dir=corpus, index_dir=index_dir)
    own_engine = QAEngine.load(own_settings, show_progress=False)

    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        option = [
            {
                "name": "pertanyaan",
                "type": 3,
                "value": "Apa kata ketua panitia festival Jakarta tentang warga yang berteriak?",
            }
        ]
        client._connection.parse_interaction_create(slash_payload("tanya", option, channel_id=16, user_id=5))
        await fake.wait_for("POST", f"/webhooks/{APP_ID}/")
        await asyncio.sleep(0.5)
        bodies = [r.body for r in fake.of("POST", f"/webhooks/{APP_ID}/")]
        assert len(bodies) >= 2, "three long quotes do not fit in one Discord message"
        assert all(len(b["content"]) <= 2000 for b in bodies)
        assert any("@everyone" in b["content"] for b in bodies)
        assert all(b["allowed_mentions"]["parse"] == [] for b in bodies)

    run(own_settings, own_engine, index_dir, scenario)


def test_missing_permissions_and_deleted_message_are_survived(
    settings: Settings, engine: QAEngine, tmp_path: Path
) -> None:
    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        state = client._connection
        fake.fail("POST", "/channels/17/messages", 403, {"message": "Missing Permissions", "code": 50013})
        state.parse_message_create(
            message_payload(
                f"<@{BOT_USER_ID}> Siapa pengganti Stoltenberg?", channel_id=17, user_id=7, mentions_bot=True
            )
        )
        await fake.wait_for("POST", "/channels/17/messages")
        fake.fail("POST", "/channels/18/messages", 404, {"message": "Unknown Message", "code": 10008})
        state.parse_message_create(
            message_payload(
                f"<@{BOT_USER_ID}> Siapa pengganti Stoltenberg?", channel_id=18, user_id=7, mentions_bot=True
            )
        )
        sent = await fake.wait_for("POST", "/channels/18/messages", count=2)
        assert "message_reference" not in sent[-1].body and "Mark Rutte" in sent[-1].body["content"]
        fake.fail("POST", "/callback", 404, {"message": "Unknown interaction", "code": 10062})
        ask_slash(client, "Siapa pengganti Stoltenberg?", channel_id=19)
        await fake.wait_for("POST", "/callback")
        fake.fail("POST", f"/webhooks/{APP_ID}/", 429, {"message": "You are being rate limited.", "retry_after": 0.1,
                                                         "global": False})  # fmt: skip
        ask_slash(client, "Siapa pengganti Stoltenberg?", channel_id=20)
        delivered = await fake.wait_for("POST", f"/webhooks/{APP_ID}/", count=2)
        assert "Mark Rutte" in delivered[-1].body["content"]  # retried after the 429

    run(settings, engine, tmp_path, scenario)


def test_admin_commands_are_for_admins_only(settings: Settings, engine: QAEngine, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(settings.corpus_dir, corpus)
    index_dir = tmp_path / "idx"
    shutil.copytree(settings.index_dir, index_dir)
    own = settings.with_overrides(corpus_dir=corpus, index_dir=index_dir, admin_user_ids=frozenset({42}))

    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        state = client._connection
        article = [{"name": "teks", "type": 3, "value": "Ceko mengirim 40 tank tua ke Ukraina pada musim semi."}]
        state.parse_interaction_create(slash_payload("tambah", article, channel_id=30, user_id=7))
        refused = (await fake.wait_for("POST", "/callback"))[0].body["data"]
        assert "hanya untuk admin" in refused["content"] and refused["flags"] & 64
        state.parse_interaction_create(slash_payload("tambah", article, channel_id=30, user_id=42))
        summary = (await fake.wait_for("POST", f"/webhooks/{APP_ID}/"))[0].body["content"]
        assert "Ditambahkan: 1" in summary
        question = [{"name": "pertanyaan", "type": 3, "value": "Berapa tank yang dikirim Ceko ke Ukraina?"}]
        state.parse_interaction_create(slash_payload("tanya", question, channel_id=30, user_id=7))
        answer = (await fake.wait_for("POST", f"/webhooks/{APP_ID}/", count=2))[-1].body["content"]
        assert "40 tank" in answer

    run(own, QAEngine.load(own, show_progress=False), index_dir, scenario)


def test_slash_question_over_the_rate_limit_is_refused_privately(
    settings: Settings, engine: QAEngine, tmp_path: Path
) -> None:
    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        ask_slash(client, "Siapa pengganti Stoltenberg?", channel_id=40, user_id=9)
        await fake.wait_for("POST", f"/webhooks/{APP_ID}/")
        ask_slash(client, "Siapa pengganti Stoltenberg?", channel_id=40, user_id=9)
        refused = (await fake.wait_for("POST", "/callback", count=2))[-1].body
        assert refused["type"] == 4 and refused["data"]["flags"] & 64  # a message to the asker alone
        assert "Pelan-pelan" in refused["data"]["content"]
        ask_slash(client, "Siapa pengganti Stoltenberg?", channel_id=40, user_id=10)  # someone else is fine
        assert len(await fake.wait_for("POST", f"/webhooks/{APP_ID}/", count=2)) == 2

    run(settings, engine, tmp_path, scenario, group_questions_per_minute=1)


# --- layout: the answering part, evidence, threads ----------------------------------------------------


def test_answer_bolds_the_answer_and_button_shows_the_evidence_in_markdown(
    settings: Settings, engine: QAEngine, tmp_path: Path
) -> None:
    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        ask_slash(
            client, "Berapa penduduk Kharkiv yang kehilangan aliran listrik akibat serangan drone?", channel_id=31
        )
        answer = (await fake.wait_for("POST", f"/webhooks/{APP_ID}/"))[0].body
        assert "**350.000** penduduk" in answer["content"]
        custom_id = answer["components"][0]["components"][0]["custom_id"]
        message = fake.message(answer, "31")
        client._connection.parse_interaction_create(button_payload(custom_id, message, channel_id=31, user_id=6))
        shown = (await fake.wait_for("POST", "/callback", count=2))[-1].body["data"]
        assert shown["flags"] & 64  # ephemeral: only the person who pressed sees the evidence
        assert "> " in shown["content"] and "__Kamis malam" in shown["content"] and "**350.000**" in shown["content"]
        assert len(shown["content"]) <= 2000

    run(settings, engine, tmp_path, scenario)


def test_question_in_a_thread_is_answered_in_that_thread(settings: Settings, engine: QAEngine, tmp_path: Path) -> None:
    thread = 990000000000777001

    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        state = client._connection
        mention = f"<@{BOT_USER_ID}> Siapa pengganti Stoltenberg?"
        state.parse_message_create(message_payload(mention, channel_id=thread, user_id=7, mentions_bot=True))
        first = (await fake.wait_for("POST", f"/channels/{thread}/messages"))[0].body
        assert "**Mark Rutte**" in first["content"]
        assert await client.memory.last_answered(ChatKey("discord", thread)) is not None
        sumber = slash_payload("sumber", [], channel_id=thread, user_id=7)
        sumber["channel"].update(type=11, parent_id="880000000000000555", owner_id="7", message_count=1,
                                 member_count=1, rate_limit_per_user=0, thread_metadata={
            "archived": False, "auto_archive_duration": 1440, "archive_timestamp": "2024-01-01T00:00:00+00:00",
            "locked": False})  # fmt: skip
        state.parse_interaction_create(sumber)
        shown = (await fake.wait_for("POST", "/callback"))[-1].body["data"]["content"]
        assert "Mark Rutte" in shown and "004\\_48468e831883892f" in shown  # the thread's own answer

    run(settings, engine, tmp_path, scenario)


def test_statistik_lists_the_most_asked_unanswered_question_first(
    settings: Settings, engine: QAEngine, tmp_path: Path
) -> None:
    own = settings.with_overrides(admin_user_ids=frozenset({42}))

    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        asked = ["Kapan Piala Asia 2031 digelar?", "kapan piala asia 2031 digelar", "Siapa wali kota Zorbaland?",
                 "Kapan  Piala Asia 2031 digelar??"]  # fmt: skip
        for user, question in enumerate(asked, start=60):  # one each: no one reaches the rate limit
            ask_slash(client, question, channel_id=50, user_id=user)
            await fake.wait_for("POST", f"/webhooks/{APP_ID}/", count=user - 59)
        client._connection.parse_interaction_create(slash_payload("statistik", [], channel_id=50, user_id=42))
        posts = await fake.wait_for("POST", f"/webhooks/{APP_ID}/", count=len(asked) + 1)
        lines = posts[-1].body["content"].strip("`\n").splitlines()
        assert "Tidak ditemukan: 4 (100%)" in lines
        top = lines.index("Paling sering tidak terjawab:")
        assert lines[top + 1].startswith("1. 3× ") and "Piala Asia 2031" in lines[top + 1]

    run(own, engine, tmp_path, scenario)


def test_admins_follow_list_and_stop_following_a_feed(settings: Settings, engine: QAEngine, tmp_path: Path) -> None:
    own = settings.with_overrides(admin_user_ids=frozenset({42}))

    async def scenario(client: BeritaDiscordBot, fake: FakeDiscord) -> None:
        state = client._connection
        with LocalSite() as site:
            site.put("/rss", rss([(site.url("/a"), "Berita", None)]), "application/rss+xml")
            url = [{"name": "alamat", "type": 3, "value": site.url("/rss")}]
            state.parse_interaction_create(slash_payload("ikuti", url, channel_id=30, user_id=7))
            refused = (await fake.wait_for("POST", "/callback"))[0].body["data"]
            assert "hanya untuk admin" in refused["content"] and refused["flags"] & 64
            state.parse_interaction_create(slash_payload("ikuti", url, channel_id=30, user_id=42))
            followed = (await fake.wait_for("POST", f"/webhooks/{APP_ID}/"))[0].body["content"]
            assert "Mengikuti" in followed and "1 item" in followed
            state.parse_interaction_create(slash_payload("daftar_feed", [], channel_id=30, user_id=42))
            listed = (await fake.wait_for("POST", f"/webhooks/{APP_ID}/", count=2))[-1].body["content"]
            assert site.url("/rss") in listed
            state.parse_interaction_create(slash_payload("berhenti_ikuti", url, channel_id=30, user_id=42))
            stopped = (await fake.wait_for("POST", f"/webhooks/{APP_ID}/", count=3))[-1].body["content"]
            assert "Berhenti mengikuti" in stopped

    run(own, engine, tmp_path, scenario)
