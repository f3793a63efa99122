"""Offline local chat: answers as the bot would, with `/sumber` for citations.

It runs on the same services as the chat bots (`bot.app.BotServices`): its answers are remembered
in the state store as chat ("local", 0), so `/sumber` still shows the last answer after a restart,
and its questions are logged like any other.
"""

from __future__ import annotations

import asyncio
from typing import TextIO

from bot.app import BotServices
from bot.plain import render_answer, render_citations
from bot.state import StateUnavailable
from bot.state.base import ChatKey
from bot.texts import text as say

WELCOME = say("chat_intro") + "\n" + say("chat_commands")
HELP_COMMANDS = {"/bantuan", "/help", "/start"}
EXIT_COMMANDS = {"/keluar", "/exit", "/quit"}
LOCAL_CHAT = ChatKey("local", 0)


def run_chat(services: BotServices, stdin: TextIO, stdout: TextIO) -> int:
    """Read questions line by line until EOF or /keluar."""
    return asyncio.run(chat_session(services, stdin, stdout))


async def _citations(services: BotServices, number: int | None) -> str:
    try:
        last = await services.memory.last_answered(LOCAL_CHAT)
    except StateUnavailable:
        return say("state_unavailable")
    return render_citations(last.answer if last else None, number)


async def chat_session(services: BotServices, stdin: TextIO, stdout: TextIO) -> int:
    """The chat loop; reading stdin happens off the event loop."""
    interactive = stdin.isatty()
    print(WELCOME, file=stdout, flush=True)
    while True:
        if interactive:
            print(say("chat_prompt"), end="", file=stdout, flush=True)
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        text = line.strip()
        first, arg = [*text.split(maxsplit=1), "", ""][:2]  # any whitespace after the command
        command = first.lower() if text.startswith("/") else ""
        if command in EXIT_COMMANDS:
            break
        if command in HELP_COMMANDS:
            print(WELCOME, file=stdout, flush=True)
            continue
        if command == "/sumber":
            arg = arg.strip()
            number = int(arg) if arg.isascii() and arg.isdigit() else None
            print(await _citations(services, number), file=stdout, flush=True)
            continue
        if command:
            print(say("chat_unknown_command", command=command, commands=say("chat_commands")), file=stdout, flush=True)
            continue
        asked = await services.questions.ask(text, chat=LOCAL_CHAT)
        if asked.answer.answered:
            await services.memory.remember_if_possible(LOCAL_CHAT, asked.question, asked.answer)
        print((say("chat_bot") if interactive else "") + render_answer(asked.answer), file=stdout, flush=True)
    return 0
