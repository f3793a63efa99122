"""The Telegram bot end to end: real PTB stack over HTTP against a fake Bot API server."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.testing.fake_telegram import BOT_ID, BOT_USERNAME, TOKEN, FakeTelegram
from bot.testing.telegram_harness import bot_env, run_until_exit, running_bot
from tests.conftest import SEEDS

RATE_LIMIT = 3


@pytest.fixture(scope="module")
def log_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("telegram") / "bot.log"


@pytest.fixture(scope="module")
def fake(settings: Any, log_path: Path) -> Iterator[FakeTelegram]:
    env = bot_env(settings.corpus_dir, settings.index_dir)
    limit = str(RATE_LIMIT)
    with running_bot(env, log_path, GROUP_QUESTIONS_PER_MINUTE=limit, INLINE_QUERIES_PER_MINUTE=limit) as server:
        yield server


def only_reply(fake: FakeTelegram, chat_id: int, message_id: int, timeout: float = 20) -> dict[str, Any]:
    calls = fake.wait_for(lambda: fake.replies_to(chat_id, message_id), timeout)
    return fake.sent_message(calls[0])


def visible(body: str) -> str:
    """What the reader sees of an HTML message: tags gone, entities turned back into characters."""
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_start_registers_commands_and_polls(fake: FakeTelegram) -> None:
    commands = fake.wait_for(lambda: fake.calls_of("setMyCommands"))
    names = {c["command"] for c in json.loads(commands[0].params["commands"])}
    assert {"tanya", "sumber", "bantuan"} <= names


def test_private_question_gets_quote_and_source(fake: FakeTelegram) -> None:
    asked = fake.send_text(101, "Siapa pengganti Stoltenberg?")
    reply = only_reply(fake, 101, asked["message_id"])
    assert "<blockquote>" in reply["text"] and "Mark Rutte" in reply["text"]
    assert "paragraf 11" in reply["text"]
    button = reply["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == "📚 Sumber" and button["callback_data"].startswith("src:")


def test_tanya_in_group_and_addressed_command(fake: FakeTelegram) -> None:
    fake.chat(-201, "group")
    first = fake.send_text(-201, "/tanya Berapa personel yang direkrut Rusia per bulan?", user_id=11)
    assert "30.000" in only_reply(fake, -201, first["message_id"])["text"]
    second = fake.send_text(-201, f"/tanya@{BOT_USERNAME} Di mana pusat komando baru NATO?", user_id=12)
    assert "Wiesbaden" in only_reply(fake, -201, second["message_id"])["text"]


def test_mention_in_group_is_a_question(fake: FakeTelegram) -> None:
    fake.chat(-202, "supergroup")
    asked = fake.send_text(-202, f"@{BOT_USERNAME} siapa dua anggota terbaru NATO?", user_id=21)
    assert "Finlandia dan Swedia" in visible(only_reply(fake, -202, asked["message_id"])["text"])


def test_group_chatter_is_ignored(fake: FakeTelegram) -> None:
    fake.chat(-203, "group")
    chatter = [
        fake.send_text(-203, "Siapa pengganti Stoltenberg?", user_id=31),  # not addressed to the bot
        fake.send_text(-203, "@someoneelse lihat berita ini", user_id=31),
        fake.send_text(-203, "/tanya@OtherBot Siapa pengganti Stoltenberg?", user_id=31),
    ]
    marker = fake.send_text(-203, "/tanya Siapa pengganti Stoltenberg?", user_id=32)
    only_reply(fake, -203, marker["message_id"])
    for message in chatter:
        assert fake.replies_to(-203, message["message_id"]) == []
    assert len([c for c in fake.calls_of("sendMessage") if int(c.params["chat_id"]) == -203]) == 1


def test_reply_to_an_answer_is_a_follow_up(fake: FakeTelegram) -> None:
    fake.chat(-204, "group")
    asked = fake.send_text(-204, "/tanya Siapa pengganti Stoltenberg?", user_id=41)
    answer = only_reply(fake, -204, asked["message_id"])
    follow = fake.send_text(-204, "kapan dia mundur?", user_id=41, reply_to=answer)
    assert "musim gugur" in only_reply(fake, -204, follow["message_id"])["text"]


def test_sumber_last_answer_numbered_and_as_reply(fake: FakeTelegram) -> None:
    empty = fake.send_text(105, "/sumber")
    assert "Belum ada jawaban" in only_reply(fake, 105, empty["message_id"])["text"]
    asked = fake.send_text(105, "Apa yang diminta Sybiha dan berapa sistem pertahanan udara?")
    answer = only_reply(fake, 105, asked["message_id"])
    full = only_reply(fake, 105, fake.send_text(105, "/sumber")["message_id"])["text"]
    assert "paragraf" in full and "<b>" in full and "002_ca4a7a2906fd2bee" in full
    one = only_reply(fake, 105, fake.send_text(105, "/sumber 1")["message_id"])["text"]
    assert one.startswith("<b>[1]")
    missing = only_reply(fake, 105, fake.send_text(105, "/sumber 9")["message_id"])["text"]
    assert "Tidak ada sumber nomor 9" in missing
    for bad in ("/sumber abc", "/sumber -1", "/sumber 1 2", "/sumber 0", "/sumber ²"):
        told = only_reply(fake, 105, fake.send_text(105, bad)["message_id"])["text"]
        assert "satu nomor" in told and "002_ca4a7a2906fd2bee" not in told, bad
    fake.send_text(105, "Di mana pusat komando baru NATO?")  # a newer answer
    replied = fake.send_text(105, "/sumber", reply_to=answer)
    assert "002_ca4a7a2906fd2bee" in only_reply(fake, 105, replied["message_id"])["text"]


def test_sources_button_shows_citations(fake: FakeTelegram) -> None:
    asked = fake.send_text(106, "Berapa bantuan militer NATO pada paruh pertama 2024?")
    answer = only_reply(fake, 106, asked["message_id"])
    data = answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    query_id = fake.press_button(106, answer, data)
    fake.wait_for(
        lambda: [c for c in fake.calls_of("answerCallbackQuery") if c.params["callback_query_id"] == query_id]
    )
    citation = only_reply(fake, 106, answer["message_id"])["text"]
    assert "<b>20,9 miliar euro" in citation or "20,9 miliar euro" in citation
    assert "003_0d97bd401b206dcc" in citation


def _press(fake: FakeTelegram, chat_id: int, message_id: int, data: str, user_id: int) -> str:
    """Press a button under the message as it is now; the toast the bot answered with."""
    query_id = fake.press_button(chat_id, fake.messages[(chat_id, message_id)], data, user_id=user_id)
    answers = fake.wait_for(lambda: fake.query_answers(query_id))
    assert answers[0].params.get("show_alert") in (None, False, "False", "false")  # a toast, not a dialog
    return str(answers[0].params["text"])


def _labels(fake: FakeTelegram, chat_id: int, message_id: int) -> list[str]:
    return [b["text"] for b in fake.messages[(chat_id, message_id)]["reply_markup"]["inline_keyboard"][0]]


def test_votes_count_once_per_person_change_in_place_and_send_nothing(fake: FakeTelegram) -> None:
    asked = fake.send_text(140, "Siapa pengganti Stoltenberg?")
    answer = only_reply(fake, 140, asked["message_id"])
    row = answer["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in row] == ["📚 Sumber", "👍", "👎"]  # beside the sources button
    up, down = row[1]["callback_data"], row[2]["callback_data"]
    mid = answer["message_id"]

    def edits() -> int:
        return len([c for c in fake.calls_of("editMessageReplyMarkup") if int(c.params["message_id"]) == mid])

    assert "Terima kasih" in _press(fake, 140, mid, up, user_id=51)
    fake.wait_for(lambda: edits() == 1)
    assert _labels(fake, 140, mid) == ["📚 Sumber", "👍 1", "👎"]
    assert "sudah tercatat" in _press(fake, 140, mid, up, user_id=51)  # the same vote again: counted once
    assert "Terima kasih" in _press(fake, 140, mid, up, user_id=52)
    fake.wait_for(lambda: edits() == 2)
    assert _labels(fake, 140, mid) == ["📚 Sumber", "👍 2", "👎"]
    assert "Terima kasih" in _press(fake, 140, mid, down, user_id=51)  # changes their vote
    fake.wait_for(lambda: edits() == 3)
    assert _labels(fake, 140, mid) == ["📚 Sumber", "👍 1", "👎 1"]
    assert edits() == 3  # the repeated vote edited nothing
    assert len([c for c in fake.calls_of("sendMessage") if int(c.params["chat_id"]) == 140]) == 1  # no spam


def test_a_vote_on_an_answer_no_longer_kept_gets_a_polite_toast(fake: FakeTelegram) -> None:
    asked = fake.send_text(141, "Siapa pengganti Stoltenberg?")
    answer = only_reply(fake, 141, asked["message_id"])
    assert "terlalu lama" in _press(fake, 141, answer["message_id"], "fb:99999999:up", user_id=53)
    assert len([c for c in fake.calls_of("sendMessage") if int(c.params["chat_id"]) == 141]) == 1


def test_inline_query_returns_cited_quotes_ready_to_send(fake: FakeTelegram) -> None:
    polls = fake.wait_for(lambda: [c for c in fake.calls_of("getUpdates") if c.params.get("allowed_updates")])
    assert "inline_query" in json.loads(polls[0].params["allowed_updates"])  # Telegram must send them
    answer = fake.inline_answer(fake.inline_query(81, "Siapa pengganti Stoltenberg?"))
    results = answer["results"]
    assert 1 <= len(results) <= 3 and answer.get("button") is None
    assert int(answer["cache_time"]) > 0
    first = results[0]
    content = first["input_message_content"]
    assert first["type"] == "article" and first["title"].rstrip("…") in content["message_text"]
    assert content["parse_mode"] == "HTML"
    assert content["message_text"].startswith("<blockquote>") and "Mark Rutte" in content["message_text"]
    cited = content["message_text"].split("</blockquote>\n— ")[1]  # the article it comes from
    assert cited.startswith(first["description"][:30])
    assert fake.html_errors == []


def test_inline_query_not_found_is_an_empty_list_with_a_hint(fake: FakeTelegram) -> None:
    answer = fake.inline_answer(fake.inline_query(82, "Siapa juara Liga Inggris musim lalu?"))
    assert answer["results"] == [] and answer["button"]["text"] == "Tidak ditemukan di artikel"
    empty = fake.inline_answer(fake.inline_query(82, "   "))
    assert empty["results"] == [] and "pertanyaan" in empty["button"]["text"]


def test_inline_queries_are_rate_limited_per_person_and_cached_ones_are_free(fake: FakeTelegram) -> None:
    questions = ["Siapa pengganti Jens Stoltenberg?", "Di mana pusat komando baru NATO?", "Siapa anggota terbaru NATO?"]
    for question in questions:  # RATE_LIMIT questions nobody asked a minute ago
        assert fake.inline_answer(fake.inline_query(83, question))["results"]
    refused = fake.inline_answer(fake.inline_query(83, "Berapa personel yang direkrut Rusia per bulan?"))
    assert refused["results"] == [] and "Pelan-pelan" in refused["button"]["text"]
    assert int(refused["cache_time"]) == 0  # Telegram must not keep the refusal for others
    again = fake.inline_answer(fake.inline_query(83, "siapa pengganti jens stoltenberg"))  # cached: no slot needed
    assert again["results"] and "Mark Rutte" in again["results"][0]["input_message_content"]["message_text"]
    other = fake.inline_answer(fake.inline_query(84, "Berapa personel yang direkrut Rusia per bulan?"))
    assert other["results"]  # someone else is not limited


def test_abstains_politely(fake: FakeTelegram) -> None:
    asked = fake.send_text(107, "Siapa juara Liga Inggris musim lalu?")
    reply = only_reply(fake, 107, asked["message_id"])
    assert "tidak ditemukan di artikel" in reply["text"] and "<blockquote>" not in reply["text"]
    labels = [b["text"] for b in reply["reply_markup"]["inline_keyboard"][0]]
    assert labels == ["👍", "👎"]  # nothing to show sources of, but the reply can be rated


def test_english_question_gets_english_wording(fake: FakeTelegram) -> None:
    asked = fake.send_text(108, "Who will replace Stoltenberg?")
    reply = only_reply(fake, 108, asked["message_id"])["text"]
    assert "Mark Rutte" in reply and "Sources:" in reply and "paragraph 11" in reply


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("<b>Siapa</b> pengganti & <i>Stoltenberg</i>?\"'", "Mark Rutte"),
        ("😀🔥🙏", "Tidak ada kata yang bisa dicari"),
        ("NATO " * 300, "terlalu panjang"),
        ("<script>alert(1)</script>", "tidak ditemukan"),
    ],
)
def test_odd_input_gets_sensible_valid_html_reply(fake: FakeTelegram, question: str, expected: str) -> None:
    asked = fake.send_text(109, question)
    assert expected in only_reply(fake, 109, asked["message_id"])["text"]
    assert fake.html_errors == []


def test_every_message_is_valid_telegram_html_and_short_enough(fake: FakeTelegram) -> None:
    for question in ("Apa yang dikatakan Stoltenberg?", "Apa kata Blinken tentang dukungan untuk Ukraina?"):
        asked = fake.send_text(110, question)
        only_reply(fake, 110, asked["message_id"])
        fake.send_text(110, "/sumber")
    fake.wait_for(lambda: len([c for c in fake.calls_of("sendMessage") if c.params["chat_id"] == "110"]) >= 4)
    assert fake.html_errors == []
    assert all(len(c.params["text"]) <= 4096 for c in fake.calls_of("sendMessage"))


def test_group_rate_limit_warns_once(fake: FakeTelegram) -> None:
    fake.chat(-211, "group")
    asked = [fake.send_text(-211, "/tanya Siapa pengganti Stoltenberg?", user_id=77) for _ in range(RATE_LIMIT + 3)]
    # Updates are handled concurrently: which of the questions is refused depends on timing, not order.
    fake.wait_for(lambda: len([m for m in asked if fake.replies_to(-211, m["message_id"])]) > RATE_LIMIT)
    other = fake.send_text(-211, "/tanya Siapa pengganti Stoltenberg?", user_id=78)  # someone else is fine
    only_reply(fake, -211, other["message_id"])
    replies = [fake.sent_message(c[0]) for m in asked if (c := fake.replies_to(-211, m["message_id"]))]
    assert len(replies) == RATE_LIMIT + 1  # the allowed ones and one polite warning
    assert len([r for r in replies if "Pelan-pelan" in r["text"]]) == 1


def test_ignored_update_kinds_cause_no_reply_and_no_crash(fake: FakeTelegram) -> None:
    fake.send_text(112, "Siapa pengganti Stoltenberg?", edited=True)
    fake.send_text(
        112,
        "",
        extra={
            "sticker": {
                "file_id": "x",
                "file_unique_id": "y",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
    )
    fake.send_text(112, "", extra={"photo": [{"file_id": "p", "file_unique_id": "q", "width": 1, "height": 1}]})
    fake.chat(-212, "group")
    fake.send_text(-212, "", kind="group", extra={"new_chat_members": [{"id": 9, "is_bot": False, "first_name": "A"}]})
    marker = fake.send_text(112, "Siapa pengganti Stoltenberg?")
    only_reply(fake, 112, marker["message_id"])
    sent_to = [c.params["chat_id"] for c in fake.calls_of("sendMessage")]
    assert sent_to.count("112") == 1 and "-212" not in sent_to


def test_blocked_by_user_is_survived(fake: FakeTelegram) -> None:
    fake.fail("sendMessage", "forbidden", chat_id=113)
    fake.send_text(113, "Siapa pengganti Stoltenberg?")
    after = fake.send_text(114, "Siapa pengganti Stoltenberg?")
    assert "Mark Rutte" in only_reply(fake, 114, after["message_id"])["text"]


def test_retry_after_is_waited_out(fake: FakeTelegram) -> None:
    fake.fail("sendMessage", "retry_after", chat_id=115)
    asked = fake.send_text(115, "Siapa pengganti Stoltenberg?")
    assert "Mark Rutte" in only_reply(fake, 115, asked["message_id"], timeout=30)["text"]


def test_migrated_group_gets_the_answer_in_the_supergroup(fake: FakeTelegram) -> None:
    fake.chat(-216, "group")
    fake.chat(-1000000000216, "supergroup")
    fake.fail("sendMessage", "migrate", chat_id=-216, migrate_to=-1000000000216)
    fake.send_text(-216, "/tanya Siapa pengganti Stoltenberg?", user_id=90)
    sent = fake.wait_for(lambda: [c for c in fake.delivered() if c.params["chat_id"] == "-1000000000216"])
    assert "Mark Rutte" in sent[0].params["text"]


def test_polling_survives_a_server_error(fake: FakeTelegram) -> None:
    fake.fail("getUpdates", "server_error", count=2)
    asked = fake.send_text(117, "Siapa pengganti Stoltenberg?")
    assert "Mark Rutte" in only_reply(fake, 117, asked["message_id"], timeout=40)["text"]


def test_token_never_logged(fake: FakeTelegram, log_path: Path) -> None:
    only_reply(fake, 118, fake.send_text(118, "Siapa pengganti Stoltenberg?")["message_id"])
    log = log_path.read_text()
    assert "ready" in log  # the log is being written
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


def test_bot_id_constant_matches(fake: FakeTelegram) -> None:
    assert fake.calls_of("getMe") and BOT_ID > 0


def test_render_bounds_every_block_even_with_huge_metadata() -> None:
    from bot.render import DiscordMarkdown, TelegramHtml, answer_blocks, citation_blocks, pack
    from retrieval.answer import Answer, Quote, Reason, Source

    text = "Kalimat yang sangat panjang tentang NATO & <Ukraina>. " * 200
    source = Source(1, "x", "Judul " * 500, "Outlet " * 100, 3, text, 0.5, dateline="KOTA " * 100,
                    url="https://contoh.id/a?b=<c>&d", quote_spans=((0, len(text)),))  # fmt: skip
    answer = Answer("q", True, (Quote(text, 1),) * 3, (source,), Reason.ANSWERED)
    for markup, limit in ((TelegramHtml(), 4096), (DiscordMarkdown(), 2000)):
        for blocks in (answer_blocks(answer, markup), citation_blocks(answer, markup, limit=limit)):
            assert all(len(m) <= limit for m in pack(blocks, limit))


def test_rejected_token_ends_with_a_clear_message_and_never_prints_it(settings: Any) -> None:
    """Telegram refuses the token: the bot says so and exits; the token appears in no output."""
    wrong = "7000001:WRONG-token-someone-pasted-abcdefgh"
    env = bot_env(settings.corpus_dir, settings.index_dir) | {"TELEGRAM_BOT_TOKEN": wrong}
    done = run_until_exit(env, timeout=120)
    assert done.returncode == 2
    assert "TELEGRAM_BOT_TOKEN ditolak" in done.stderr
    output = done.stdout + done.stderr
    assert wrong not in output and wrong.split(":")[1] not in output


def test_question_in_a_photo_caption_is_answered(fake: FakeTelegram) -> None:
    private = fake.send_photo(131, "Siapa pengganti Stoltenberg?")
    assert "Mark Rutte" in only_reply(fake, 131, private["message_id"])["text"]
    fake.chat(-231, "group")
    chatter = fake.send_photo(-231, "liburan kemarin, seru banget", kind="group", user_id=77)
    mention = fake.send_photo(-231, f"@{BOT_USERNAME} siapa pengganti Stoltenberg?", kind="group", user_id=77)
    assert "Mark Rutte" in only_reply(fake, -231, mention["message_id"])["text"]
    assert not fake.replies_to(-231, chatter["message_id"])  # a group photo without a mention is not for us


def test_unknown_button_is_answered_so_the_spinner_stops(fake: FakeTelegram) -> None:
    asked = fake.send_text(132, "Siapa pengganti Stoltenberg?")
    answer = only_reply(fake, 132, asked["message_id"])
    for data in ("zzz-garbage", "src:not-a-number", "src:999999"):
        query_id = fake.press_button(132, answer, data)

        def answered(q: str = query_id) -> list[Any]:
            return [c for c in fake.calls_of("answerCallbackQuery") if c.params["callback_query_id"] == q]

        assert fake.wait_for(answered)[0].params.get("text"), data


def test_broken_unicode_is_answered_and_never_logged(fake: FakeTelegram, log_path: Path) -> None:
    # The question itself is the private text that must not reach the log (a made-up marker word
    # would be a question word the articles lack, and the bot rightly stays quiet on those).
    asked = fake.send_text(133, "siapa \ud800 yang menjadi pengganti Stoltenberg?")
    reply = only_reply(fake, 133, asked["message_id"])["text"]
    assert "Mark Rutte" in reply
    log = log_path.read_text()
    assert "pengganti Stoltenberg" not in log and "UnicodeEncodeError" not in log


# --- layout: the answering part, evidence in an expandable quote, topics, link previews --------------

KHARKIV = "Berapa penduduk Kharkiv yang kehilangan aliran listrik akibat serangan drone?"


def test_answer_emphasises_the_number_and_keeps_the_quote_verbatim(fake: FakeTelegram) -> None:
    asked = fake.send_text(121, KHARKIV)
    reply = only_reply(fake, 121, asked["message_id"])["text"]
    assert "<b>350.000</b> penduduk" in reply
    quote = re.search(r"<blockquote>(.*?) \[1\]</blockquote>", reply, re.S)
    assert quote is not None
    sentence = visible(quote.group(1))
    assert sentence.startswith("Kamis malam") and "350.000 penduduk" in sentence
    assert sentence in "".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt"))  # verbatim
    assert "Sumber:" in reply and "paragraf" in reply


def test_answer_names_the_person_and_shows_the_derived_title(fake: FakeTelegram) -> None:
    asked = fake.send_text(122, "Siapa pengganti Stoltenberg?")
    reply = only_reply(fake, 122, asked["message_id"])["text"]
    assert "<b>Mark Rutte</b>" in reply
    assert "Sekretaris Jenderal NATO Jens Stoltenberg mengatakan NATO akan bekerja lebih erat" in reply
    assert "Jumat (5/7)…" not in reply


def test_sumber_shows_each_paragraph_in_an_expandable_quote_with_the_sentence_marked(fake: FakeTelegram) -> None:
    asked = fake.send_text(123, KHARKIV)
    answer = only_reply(fake, 123, asked["message_id"])
    citation = only_reply(fake, 123, fake.send_text(123, "/sumber")["message_id"])["text"]
    assert "<blockquote expandable>" in citation
    assert re.search(r"<u>Kamis malam[^<]*<b>350\.000</b> penduduk[^<]*</u>", citation)
    data = answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    fake.press_button(123, answer, data)
    pressed = only_reply(fake, 123, answer["message_id"])["text"]
    assert pressed == citation  # the button shows the same evidence
    assert fake.html_errors == []


def test_answers_and_sumber_carry_no_link_preview_without_a_url(fake: FakeTelegram) -> None:
    asked = fake.send_text(124, "Di mana pusat komando baru NATO?")
    answer_call = fake.wait_for(lambda: fake.replies_to(124, asked["message_id"]))[0]
    assert json.loads(answer_call.params["link_preview_options"]) == {"is_disabled": True}
    sumber = fake.send_text(124, "/sumber")
    citation_call = fake.wait_for(lambda: fake.replies_to(124, sumber["message_id"]))[0]
    assert json.loads(citation_call.params["link_preview_options"]) == {"is_disabled": True}


def test_forum_topic_question_is_answered_in_its_topic(fake: FakeTelegram) -> None:
    fake.chat(-1003, "supergroup", forum=True)
    asked = fake.send_text(-1003, "/tanya Siapa pengganti Stoltenberg?", user_id=61, topic=7)
    answer_call = fake.wait_for(lambda: fake.replies_to(-1003, asked["message_id"]))[0]
    assert str(answer_call.params["message_thread_id"]) == "7"
    answer = fake.sent_message(answer_call)
    sumber = fake.send_text(-1003, "/sumber", user_id=61, topic=7)
    sumber_call = fake.wait_for(lambda: fake.replies_to(-1003, sumber["message_id"]))[0]
    assert str(sumber_call.params["message_thread_id"]) == "7" and "Mark Rutte" in sumber_call.params["text"]
    fake.press_button(-1003, answer, answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"], user_id=61)
    pressed = fake.wait_for(lambda: fake.replies_to(-1003, answer["message_id"]))[0]
    assert str(pressed.params["message_thread_id"]) == "7"
    bad = fake.send_text(-1003, "/sumber abc", user_id=61, topic=9)  # a notice goes to its topic too
    notice = fake.wait_for(lambda: fake.replies_to(-1003, bad["message_id"]))[0]
    assert str(notice.params["message_thread_id"]) == "9" and "satu nomor" in notice.params["text"]
    general = fake.send_text(-1003, "/tanya Di mana pusat komando baru NATO?", user_id=62)  # the General topic
    assert "message_thread_id" not in fake.wait_for(lambda: fake.replies_to(-1003, general["message_id"]))[0].params
