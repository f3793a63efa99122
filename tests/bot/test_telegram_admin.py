"""Admin commands over the fake Bot API: access control, adding and removing articles while running."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.testing.fake_telegram import FakeTelegram
from bot.testing.telegram_harness import bot_env, running_bot
from config.settings import Settings

ADMIN = 4242
NEW_ARTICLE = (
    "---\ntitle: Jerman kirim tank\noutlet: Kantor Berita Uji\nurl: https://berita.example.id/jerman-tank\n---\n"
    "BERLIN - Menteri Pertahanan Jerman Boris Pistorius mengumumkan pengiriman 14 tank Leopard ke Ukraina.\n\n"
    "Pistorius mengatakan tank-tank itu akan tiba sebelum musim dingin.\n"
)


@pytest.fixture(scope="module")
def admin_bot(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeTelegram, Path]]:
    root = tmp_path_factory.mktemp("admin")
    corpus, index = root / "corpus", root / "index"
    shutil.copytree(settings.corpus_dir, corpus)
    shutil.copytree(settings.index_dir, index)  # same corpus: loads without re-embedding
    with running_bot(bot_env(corpus, index), root / "bot.log", ADMIN_USER_IDS=str(ADMIN)) as fake:
        yield fake, corpus


def reply(fake: FakeTelegram, chat_id: int, message: dict[str, Any], timeout: float = 60) -> str:
    calls = fake.wait_for(lambda: fake.replies_to(chat_id, message["message_id"]), timeout)
    return str(calls[0].params["text"])


def test_non_admin_is_refused(admin_bot: tuple[FakeTelegram, Path]) -> None:
    fake, corpus = admin_bot
    for command in ("/tambah Teks artikel apa pun yang cukup panjang.", "/hapus 000_180dce794d162729", "/statistik"):
        assert "hanya untuk admin" in reply(fake, 501, fake.send_text(501, command, user_id=501))
    assert (corpus / "000_180dce794d162729.txt").exists()


def test_admin_commands_are_in_the_admins_menu_only(admin_bot: tuple[FakeTelegram, Path]) -> None:
    fake, _ = admin_bot
    calls = fake.wait_for(lambda: len(fake.calls_of("setMyCommands")) >= 2 and fake.calls_of("setMyCommands"))
    menus = {}
    for call in calls:
        scope = json.loads(call.params["scope"])
        menus[(scope["type"], scope.get("chat_id"))] = {c["command"] for c in json.loads(call.params["commands"])}
    everyone = {"tanya", "sumber", "bantuan", "start"}
    assert menus == {
        ("default", None): everyone,
        ("chat", ADMIN): everyone
        | {"tambah", "hapus", "artikel", "statistik", "ikuti", "berhenti_ikuti", "daftar_feed", "baca_feed"},
    }


def test_admin_adds_document_and_bot_answers_from_it(admin_bot: tuple[FakeTelegram, Path]) -> None:
    fake, corpus = admin_bot
    before = reply(fake, ADMIN, fake.send_text(ADMIN, "Berapa tank Leopard yang dikirim Jerman?", user_id=ADMIN))
    assert "tidak ditemukan" in before
    upload = fake.send_document(ADMIN, "jerman-tank.md", NEW_ARTICLE.encode(), user_id=ADMIN)
    summary = reply(fake, ADMIN, fake.send_text(ADMIN, "/tambah", user_id=ADMIN, reply_to=upload))
    assert "Ditambahkan: 1 (jerman-tank)" in summary and "Teks di-embed: 2" in summary
    assert (corpus / "jerman-tank.md").exists()
    question = fake.send_text(ADMIN, "Berapa tank Leopard yang dikirim Jerman?", user_id=ADMIN)
    after = reply(fake, ADMIN, question)
    assert "<b>14 tank</b> Leopard" in after and "Jerman kirim tank" in after
    # the link preview shows the cited article, small; so does /sumber's
    answer_call = fake.replies_to(ADMIN, question["message_id"])[0]
    wanted = {"url": "https://berita.example.id/jerman-tank", "prefer_small_media": True}
    assert json.loads(answer_call.params["link_preview_options"]) == wanted
    sumber = fake.send_text(ADMIN, "/sumber", user_id=ADMIN)
    reply(fake, ADMIN, sumber)
    assert json.loads(fake.replies_to(ADMIN, sumber["message_id"])[0].params["link_preview_options"]) == wanted
    again = reply(fake, ADMIN, fake.send_text(ADMIN, "/tambah", user_id=ADMIN, reply_to=upload))
    assert "Tidak ada perubahan: 1 artikel dilewati (sudah ada 1)." in again


def test_admin_rejections_keep_the_index(admin_bot: tuple[FakeTelegram, Path]) -> None:
    fake, _ = admin_bot
    binary = fake.send_document(ADMIN, "foto.txt", b"\x89PNG\x00\x00binary", user_id=ADMIN)
    assert "berkas biner" in reply(fake, ADMIN, fake.send_text(ADMIN, "/tambah", user_id=ADMIN, reply_to=binary))
    pdf = fake.send_document(ADMIN, "laporan.pdf", b"%PDF-1.4", user_id=ADMIN)
    assert "tidak didukung" in reply(fake, ADMIN, fake.send_text(ADMIN, "/tambah", user_id=ADMIN, reply_to=pdf))
    huge = fake.send_document(ADMIN, "arsip.jsonl", b"{}", user_id=ADMIN, declared_size=30_000_000)
    refused = reply(fake, ADMIN, fake.send_text(ADMIN, "/tambah", user_id=ADMIN, reply_to=huge))
    assert "30 MB" in refused and "tidak diunduh" in refused
    assert not [c for c in fake.calls_of("getFile") if c.params.get("file_id") == huge["document"]["file_id"]]
    slip = reply(fake, ADMIN, fake.send_text(ADMIN, "/tambah abc", user_id=ADMIN))
    assert "terlalu pendek" in slip and "Ditambahkan" not in slip
    answer = reply(fake, ADMIN, fake.send_text(ADMIN, "Siapa pengganti Stoltenberg?", user_id=ADMIN))
    assert "Mark Rutte" in answer


def test_admin_lists_stats_and_removes(admin_bot: tuple[FakeTelegram, Path]) -> None:
    fake, corpus = admin_bot
    listing = reply(fake, ADMIN, fake.send_text(ADMIN, "/artikel", user_id=ADMIN))
    assert "004_48468e831883892f" in listing and "paragraf" in listing
    stats = reply(fake, ADMIN, fake.send_text(ADMIN, "/statistik", user_id=ADMIN))
    assert "Paragraf:" in stats and "Pertanyaan dijawab sejak mulai:" in stats and "Median waktu jawab" in stats
    removed = reply(fake, ADMIN, fake.send_text(ADMIN, "/hapus 001_4081d66b315ef270", user_id=ADMIN))
    assert "Dihapus: 001_4081d66b315ef270" in removed and "Teks di-embed: 0" in removed
    assert not (corpus / "001_4081d66b315ef270.txt").exists()
    gone = reply(fake, ADMIN, fake.send_text(ADMIN, "Berapa personel yang direkrut Rusia tiap bulan?", user_id=ADMIN))
    assert "30.000" not in gone


def test_statistik_lists_the_most_asked_unanswered_question_first_and_the_votes(
    admin_bot: tuple[FakeTelegram, Path],
) -> None:
    fake, _ = admin_bot
    for wording in ("Kapan Piala Asia 2031 digelar?", "kapan piala asia 2031 digelar", "Siapa wali kota Zorbaland?",
                    "Kapan  Piala Asia 2031 digelar??"):  # fmt: skip
        assert "tidak ditemukan" in reply(fake, 503, fake.send_text(503, wording, user_id=503))
    answered = fake.send_text(503, "Siapa pengganti Stoltenberg?", user_id=503)
    reply(fake, 503, answered)
    answer = fake.sent_message(fake.replies_to(503, answered["message_id"])[0])
    up = answer["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
    query_id = fake.press_button(503, answer, up, user_id=503)
    fake.wait_for(lambda: fake.query_answers(query_id))
    stats = reply(fake, ADMIN, fake.send_text(ADMIN, "/statistik", user_id=ADMIN))
    lines = stats.removeprefix("<pre>").removesuffix("</pre>").splitlines()
    assert "7 hari terakhir:" in stats and "Dijawab:" in stats and "Tidak ditemukan:" in stats
    assert "Penilaian: 👍 1 · 👎 0" in lines
    top = lines.index("Paling sering tidak terjawab:")
    assert lines[top + 1] == "1. 3× Kapan  Piala Asia 2031 digelar??"
