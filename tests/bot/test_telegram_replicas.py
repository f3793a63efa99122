"""Two webhook replicas of one bot behind a load balancer, sharing one PostgreSQL: whichever
replica an update reaches, it sees what the other remembered and counted. Real processes (`python
-m bot telegram --webhook`), real HTTP, a real PostgreSQL server; the fake Bot API posts updates to
the replica the test picks, with the secret header, as Telegram posts to the balancer."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.testing.fake_telegram import FakeTelegram
from bot.testing.postgres import fresh_database
from bot.testing.telegram_harness import bot_env, running_replicas
from config.settings import Settings

SECRET = "replica-secret-13"
RATE_LIMIT = 3
NATO_AID = "Berapa bantuan militer NATO pada paruh pertama 2024?"


@dataclass
class Replicas:
    """The shared fake Bot API and the two replicas' webhook URLs; `route` says where updates go."""

    fake: FakeTelegram
    urls: tuple[str, str]

    def to(self, replica: int) -> None:
        """Post every update from now on to one replica (0: A, 1: B)."""
        self.fake.deliver_to_webhook(lambda update: self.urls[replica], SECRET)

    def round_robin(self) -> None:
        """Post updates to A, B, A, B, … (a balancer without affinity)."""
        turn = itertools.cycle(self.urls)
        self.fake.deliver_to_webhook(lambda update: next(turn), SECRET)


@pytest.fixture(scope="module")
def replicas(settings: Settings, postgres_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    env = bot_env(settings.corpus_dir, settings.index_dir) | {"DATABASE_URL": fresh_database(postgres_uri)}
    logs = tmp_path_factory.mktemp("replicas")
    with running_replicas(env, logs, 2, SECRET, GROUP_QUESTIONS_PER_MINUTE=str(RATE_LIMIT)) as (fake, urls):
        yield Replicas(fake, (urls[0], urls[1]))


def only_reply(fake: FakeTelegram, chat_id: int, message_id: int) -> dict[str, Any]:
    calls = fake.wait_for(lambda: fake.replies_to(chat_id, message_id), 60)
    return fake.sent_message(calls[0])


def test_sumber_and_the_button_on_b_show_the_answer_a_gave(replicas: Replicas) -> None:
    fake = replicas.fake
    replicas.to(0)
    answer = only_reply(fake, 401, fake.send_text(401, NATO_AID)["message_id"])
    assert "reply_markup" in answer  # remembered: A offers the 📚 button

    replicas.to(1)  # B never saw the question: all it knows is in PostgreSQL
    replied = fake.send_text(401, "/sumber", reply_to=answer)
    sources = only_reply(fake, 401, replied["message_id"])["text"]
    assert "003_0d97bd401b206dcc" in sources and "20,9 miliar euro" in sources

    last = only_reply(fake, 401, fake.send_text(401, "/sumber 1")["message_id"])["text"]  # the chat's last answer
    assert "003_0d97bd401b206dcc" in last

    data = answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    fake.press_button(401, answer, data)
    citation = only_reply(fake, 401, answer["message_id"])["text"]  # B replies under A's answer
    assert "003_0d97bd401b206dcc" in citation and "20,9 miliar euro" in citation
    pressed = fake.wait_for(lambda: fake.calls_of("answerCallbackQuery"))
    assert not pressed[0].params.get("text")  # not "expired"
    assert fake.html_errors == []


def test_the_group_rate_limit_counts_questions_to_both_replicas(replicas: Replicas) -> None:
    fake = replicas.fake
    replicas.round_robin()
    fake.chat(-411, "group")
    asked = [fake.send_text(-411, "/tanya Siapa pengganti Stoltenberg?", user_id=87) for _ in range(RATE_LIMIT + 3)]
    # Per replica, 3 of these would pass: together they hit the limit at 3, as on one replica.
    fake.wait_for(lambda: len([m for m in asked if fake.replies_to(-411, m["message_id"])]) > RATE_LIMIT, 60)
    other = fake.send_text(-411, "/tanya Siapa pengganti Stoltenberg?", user_id=88)  # someone else is fine
    only_reply(fake, -411, other["message_id"])
    replies = [fake.sent_message(c[0]) for m in asked if (c := fake.replies_to(-411, m["message_id"]))]
    assert len(replies) == RATE_LIMIT + 1  # the allowed ones and one polite warning, over both replicas
    assert len([r for r in replies if "Pelan-pelan" in r["text"]]) == 1
    assert len([r for r in replies if "Mark Rutte" in r["text"]]) == RATE_LIMIT
