"""Offline local chat: answers as the bot would, with `/sumber` for citations."""

from __future__ import annotations

from typing import TextIO

from bot.plain import render_answer, render_citations
from retrieval.answer import Answer
from retrieval.engine import QAEngine

WELCOME = (
    "Obrolan lokal — tanyakan apa saja tentang artikel berita.\n"
    "Perintah: /sumber [nomor] menampilkan kutipan lengkap jawaban terakhir, /keluar untuk selesai."
)


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
        if text in {"/keluar", "/exit", "/quit"}:
            break
        if text.startswith("/sumber"):
            arg = text.removeprefix("/sumber").strip()
            number = int(arg) if arg.isdigit() else None
            print(render_citations(last, number), file=stdout, flush=True)
            continue
        answer = engine.ask(text)
        if answer.answered:
            last = answer
        print(("Bot> " if interactive else "") + render_answer(answer), file=stdout, flush=True)
    return 0
