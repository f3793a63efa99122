"""Offline local chat: answers as the bot would, with `/sumber` for citations."""

from __future__ import annotations

from typing import TextIO

from bot.plain import render_answer, render_citations
from retrieval.answer import Answer
from retrieval.engine import QAEngine

WELCOME = (
    "Obrolan lokal — tanyakan apa saja tentang artikel berita.\n"
    "Perintah: /sumber [nomor] menampilkan kutipan lengkap jawaban terakhir, /bantuan pesan ini, /keluar untuk selesai."
)
HELP_COMMANDS = {"/bantuan", "/help", "/start"}
EXIT_COMMANDS = {"/keluar", "/exit", "/quit"}


def run_chat(engine: QAEngine, stdin: TextIO, stdout: TextIO) -> int:
    """Read questions line by line until EOF or /keluar."""
    interactive = stdin.isatty()
    print(WELCOME, file=stdout, flush=True)
    last: Answer | None = None
    while True:
        if interactive:
            print("\nAnda> ", end="", file=stdout, flush=True)
        line = stdin.readline()
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
            print(render_citations(last, number), file=stdout, flush=True)
            continue
        if command:
            print(f"Perintah {command} tidak dikenal. {WELCOME.splitlines()[1]}", file=stdout, flush=True)
            continue
        answer = engine.ask(text)
        if answer.answered:
            last = answer
        print(("Bot> " if interactive else "") + render_answer(answer), file=stdout, flush=True)
    return 0
