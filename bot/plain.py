"""Plain-text rendering of answers for the terminal (CLI `ask` and the local chat)."""

from __future__ import annotations

import textwrap

from retrieval.answer import Answer, Reason, Source

_MESSAGES = {
    "id": {
        Reason.NOT_FOUND: "Maaf, jawabannya tidak ditemukan di artikel. Coba ajukan dengan kata lain.",
        Reason.EMPTY: 'Pertanyaannya kosong. Tulis pertanyaan tentang berita, mis. "Siapa pengganti Stoltenberg?"',
        Reason.NO_TEXT: "Tidak ada kata yang bisa dicari dalam pesan itu. Tulis pertanyaannya dengan kata-kata.",
        Reason.TOO_LONG: "Pertanyaannya terlalu panjang. Persingkat menjadi satu pertanyaan.",
    },
    "en": {
        Reason.NOT_FOUND: "Sorry, the articles don't answer that. Try rephrasing the question.",
        Reason.EMPTY: 'The question is empty. Ask something about the news, e.g. "Who replaces Stoltenberg?"',
        Reason.NO_TEXT: "There are no words to search for in that message. Please write the question in words.",
        Reason.TOO_LONG: "The question is too long. Please shorten it to a single question.",
    },
}


def reason_message(answer: Answer) -> str:
    return _MESSAGES.get(answer.language, _MESSAGES["id"]).get(answer.reason, _MESSAGES["id"][Reason.NOT_FOUND])


def source_line(source: Source, language: str = "id") -> str:
    """`[1] Title — Outlet, paragraf 3 (url)`."""
    para = "paragraph" if language == "en" else "paragraf"
    parts = [source.title]
    if source.outlet:
        parts.append(source.outlet)
    line = f"[{source.n}] " + " — ".join(parts) + f", {para} {source.paragraph} ({source.article_id})"
    return line + (f" {source.url}" if source.url else "")


def render_answer(answer: Answer) -> str:
    if not answer.answered:
        return reason_message(answer)
    lines = [f"“{q.text}” [{q.source}]" for q in answer.quotes]
    lines.append("")
    lines.append("Sources:" if answer.language == "en" else "Sumber:")
    lines.extend(source_line(s, answer.language) for s in answer.sources)
    return "\n".join(lines)


def render_citations(answer: Answer | None, number: int | None = None) -> str:
    """The full citations of an answer (`/sumber`), quoted sentences marked with »…«."""
    if answer is None or not answer.sources:
        return "Belum ada jawaban yang bisa dikutip sumbernya."
    sources = list(answer.sources)
    if number is not None:
        chosen = answer.source(number)
        if chosen is None:
            return f"Tidak ada sumber nomor {number}; jawaban terakhir punya {len(sources)} sumber."
        sources = [chosen]
    blocks = []
    for s in sources:
        header = source_line(s, answer.language)
        where = ", ".join(x for x in (s.dateline, s.date) if x)
        text = s.text
        for start, end in sorted(s.quote_spans, reverse=True):
            text = text[:start] + "»" + text[start:end] + "«" + text[end:]
        body = textwrap.fill(text, width=100, initial_indent="    ", subsequent_indent="    ")
        blocks.append(header + (f"\n    {where}" if where else "") + "\n" + body)
    return "\n\n".join(blocks)
