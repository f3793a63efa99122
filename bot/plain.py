"""Plain-text rendering for the terminal (CLI `ask` and the local chat)."""

from __future__ import annotations

from bot.render import PlainText, answer_blocks, citation_blocks
from retrieval.answer import Answer

_PLAIN = PlainText()


def render_answer(answer: Answer) -> str:
    """An answer (quotes and sources, or why there is none) as terminal text."""
    return "\n\n".join(answer_blocks(answer, _PLAIN))


def render_citations(answer: Answer | None, number: int | None = None) -> str:
    """`/sumber`'s citations (all, or source `number`) as terminal text."""
    return "\n\n".join(citation_blocks(answer, _PLAIN, number))
