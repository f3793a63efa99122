"""Answers and citations composed once, rendered as Telegram HTML, Discord Markdown or plain text.

Composition works on raw text and escapes at the last step, so a long quote is
shortened as text and a tag or entity is never cut. Messages are lists of
blocks joined until the platform's limit; no single block can exceed it.
"""

from __future__ import annotations

import html
import re
from typing import Protocol

from bot.texts import date_text, reason_text, text
from retrieval.answer import Answer, Source
from retrieval.answer_spans import Span, answer_spans

MAX_QUOTE_CHARS = 900  # one quote, before markup
MAX_PARAGRAPH_CHARS = 1500  # one cited paragraph in /sumber, before markup
MAX_TITLE_CHARS = 200  # metadata comes from uploads: bound it so no block can outgrow a message


class Markup(Protocol):
    """How one platform writes emphasis, quotes and links."""

    def escape(self, raw: str) -> str:
        """Raw text made safe to show literally on this platform."""

    def bold(self, raw: str) -> str:
        """Raw text, escaped, in bold."""

    def emphasis(self, rendered: str) -> str:
        """Already rendered text (the answering part of a quote) made to stand out."""

    def highlight(self, rendered: str) -> str:
        """Already rendered text (a quoted sentence inside its cited paragraph) marked."""

    def quote(self, rendered: str) -> str:
        """Already rendered text as a block quote."""

    def collapsed_quote(self, rendered: str) -> str:
        """Already rendered text as a block quote the reader may expand, where the platform has one."""

    def link(self, label: str, url: str) -> str:
        """A link that shows `label` (raw text) and opens `url`."""


class TelegramHtml:
    """Telegram's HTML parse mode: only a few tags, `<`, `>` and `&` escaped."""

    def escape(self, raw: str) -> str:
        """`<`, `>` and `&` as entities (quotes stay: text is never put in an attribute)."""
        return html.escape(raw, quote=False)

    def bold(self, raw: str) -> str:
        """`<b>…</b>` around the escaped text."""
        return f"<b>{self.escape(raw)}</b>"

    def emphasis(self, rendered: str) -> str:
        """`<b>…</b>` around already rendered HTML."""
        return f"<b>{rendered}</b>"

    def highlight(self, rendered: str) -> str:
        """`<u>…</u>`: underlined, so the answer's bold inside it still shows."""
        return f"<u>{rendered}</u>"

    def quote(self, rendered: str) -> str:
        """`<blockquote>` around already rendered HTML."""
        return f"<blockquote>{rendered}</blockquote>"

    def collapsed_quote(self, rendered: str) -> str:
        """`<blockquote expandable>`: a few lines shown, the rest a tap away."""
        return f"<blockquote expandable>{rendered}</blockquote>"

    def link(self, label: str, url: str) -> str:
        """`<a href>` with the URL escaped for the attribute and the label as text."""
        return f'<a href="{html.escape(url, quote=True)}">{self.escape(label)}</a>'


_MD_SPECIAL = re.compile(r"([\\*_`~|>\[\]()#])")


class DiscordMarkdown:
    """Discord Markdown: special characters backslash-escaped."""

    def escape(self, raw: str) -> str:
        """Markdown's special characters backslash-escaped."""
        return _MD_SPECIAL.sub(r"\\\1", raw)

    def bold(self, raw: str) -> str:
        """`**…**` around the escaped text."""
        return f"**{self.escape(raw)}**"

    def emphasis(self, rendered: str) -> str:
        """`**…**` around already rendered Markdown."""
        return f"**{rendered}**"

    def highlight(self, rendered: str) -> str:
        """`__…__`: underlined, so the answer's bold inside it still shows."""
        return f"__{rendered}__"

    def quote(self, rendered: str) -> str:
        """`> ` before every line."""
        return "\n".join("> " + line for line in rendered.split("\n"))

    def collapsed_quote(self, rendered: str) -> str:
        """A plain block quote: Discord has no expandable one."""
        return self.quote(rendered)

    def link(self, label: str, url: str) -> str:
        """`[label](<url>)`: a masked link, the URL in angle brackets so Discord adds no preview."""
        return f"[{self.escape(label)}](<{url}>)"


class PlainText:
    """Terminal output: no markup. Quotes are `> ` lines, not quotation marks: a quoted sentence
    often opens with its own “ (quoted speech), and a reference marker must not sit inside them."""

    def escape(self, raw: str) -> str:
        """Unchanged: a terminal shows text as it is."""
        return raw

    def bold(self, raw: str) -> str:
        """Unchanged: a terminal has no bold."""
        return raw

    def emphasis(self, rendered: str) -> str:
        """Unchanged: a terminal has no bold, and marks around a number would read as part of it."""
        return rendered

    def highlight(self, rendered: str) -> str:
        """`»…«` around the quoted sentence."""
        return f"»{rendered}«"

    def quote(self, rendered: str) -> str:
        """`> ` before every line."""
        return "\n".join("> " + line for line in rendered.split("\n"))

    def collapsed_quote(self, rendered: str) -> str:
        """A `> ` quote, as every other."""
        return self.quote(rendered)

    def link(self, label: str, url: str) -> str:
        """The URL, after the label when they differ."""
        return url if label == url else f"{label} ({url})"


def shorten(raw: str, limit: int) -> str:
    """Cut raw text at a word boundary with an ellipsis."""
    if len(raw) <= limit:
        return raw
    return raw[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def source_label(source: Source, language: str) -> str:
    """`Title — Outlet, terbit 24 Nov 2026 08.30 WIB, paragraf 3` (raw text; the date when the article has one)."""
    parts = [shorten(source.title, MAX_TITLE_CHARS)] + ([shorten(source.outlet, 80)] if source.outlet else [])
    dated = date_text(source.date, source.date_source, language)
    return " — ".join(parts) + (f", {dated}" if dated else "") + f", {text('paragraph', language)} {source.paragraph}"


def answer_blocks(answer: Answer, markup: Markup, *, question_limit: int = 1000) -> list[str]:
    """The reply to a question: quotes with reference numbers, then one line per source."""
    if not answer.answered:
        return [markup.escape(reason_text(answer, question_limit))]
    blocks = [markup.quote(f"{_quoted(answer.question, q.text, markup)} [{q.source}]") for q in answer.quotes]
    lines = [markup.bold(text("sources", answer.language) + ":")]
    for source in answer.sources:
        line = f"[{source.n}] {markup.escape(source_label(source, answer.language))}"
        if source.url:
            line += " · " + markup.link(source.url, source.url)
        lines.append(line)
    blocks.append("\n".join(lines))
    return blocks


def emphasised(raw: str, spans: tuple[Span, ...] | list[Span], markup: Markup) -> str:
    """`raw` escaped, the spans (in order, not overlapping, within `raw`) emphasised; nothing else changes."""
    out: list[str] = []
    cursor = 0
    for start, end in spans:
        if start < cursor or end > len(raw) or start >= end:
            continue
        out.append(markup.escape(raw[cursor:start]))
        out.append(markup.emphasis(markup.escape(raw[start:end])))
        cursor = end
    out.append(markup.escape(raw[cursor:]))
    return "".join(out)


def _quoted(question: str, sentence: str, markup: Markup) -> str:
    """A quote, shortened if very long, with the part that answers the question emphasised."""
    shown = shorten(sentence, MAX_QUOTE_CHARS)
    kept = len(shown) if shown == sentence else len(shown) - 1  # the ellipsis is not the sentence's
    spans = [(a, b) for a, b in answer_spans(question, sentence) if b <= kept]
    return emphasised(shown, spans, markup)


def _highlighted(source: Source, markup: Markup, question: str = "", most: int = MAX_PARAGRAPH_CHARS) -> str:
    """The cited paragraph with its quoted sentences marked (their answering part emphasised),
    shortened to `most` characters around them if long."""
    body = source.text
    spans = sorted(source.quote_spans)
    offset = 0
    if len(body) > most and spans:
        # Keep the window that starts a little before the first quote.
        offset = max(0, min(spans[0][0] - min(200, most // 5), len(body) - most))
    window = body[offset : offset + most]
    out: list[str] = ["…" if offset else ""]
    cursor = 0
    for start, end in spans:
        start, end = max(start - offset, 0), min(end - offset, len(window))
        if start >= end or start < cursor:
            continue
        out.append(markup.escape(window[cursor:start]))
        sentence = window[start:end]
        out.append(markup.highlight(emphasised(sentence, answer_spans(question, sentence), markup)))
        cursor = end
    out.append(markup.escape(window[cursor:]))
    if offset + most < len(body):
        out.append("…")
    return "".join(out)


def citation_blocks(
    answer: Answer | None, markup: Markup, number: int | None = None, *, limit: int = 4096
) -> list[str]:
    """Full citations (`/sumber`): reference, dateline/date, the paragraph (in a quote the reader can
    expand) with the quoted sentences marked; each block within `limit` characters of markup."""
    language = answer.language if answer else "id"
    if answer is None or not answer.sources:
        return [markup.escape(text("no_citations", language))]
    sources = list(answer.sources)
    if number is not None:
        chosen = answer.source(number)
        if chosen is None:
            return [markup.escape(text("bad_number", language, n=number, count=len(sources)))]
        sources = [chosen]
    blocks = []
    for s in sources:
        header = markup.bold(f"[{s.n}] {shorten(s.title, MAX_TITLE_CHARS)}")
        dated = date_text(s.date, s.date_source, language) or s.date  # a date we cannot read is shown as written
        details = [shorten(x, 80) for x in (s.outlet, s.dateline, dated) if x]
        details.append(f"{text('paragraph', language)} {s.paragraph}")
        if s.heading:
            details.append(f"“{s.heading}”")
        details.append(f"id {s.article_id}")
        meta = markup.escape(" · ".join(details))
        link = f"\n{markup.link(s.url, s.url)}" if s.url else ""
        for most in (MAX_PARAGRAPH_CHARS, 1000, 600, 300):  # escaping may lengthen it: shorten until it fits
            block = f"{header}\n{meta}{link}\n{markup.collapsed_quote(_highlighted(s, markup, answer.question, most))}"
            if len(block) <= limit:
                break
        blocks.append(block)
    return blocks


def preview_url(answer: Answer, number: int | None = None) -> str | None:
    """The page a link preview may show: the first cited article that has a URL (of source `number`
    when one is asked for); None when none has one."""
    if not answer.answered and number is None:
        return None
    sources = [s for s in answer.sources if number is None or s.n == number]
    return next((s.url for s in sources if s.url), None)


def pack(blocks: list[str], limit: int, separator: str = "\n\n") -> list[str]:
    """Join blocks into as few messages as fit in `limit` characters each."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        if len(block) > limit:  # cannot happen with the caps above; never cut markup
            raise ValueError(f"a single block of {len(block)} characters exceeds the limit {limit}")
        candidate = f"{current}{separator}{block}" if current else block
        if len(candidate) > limit:
            messages.append(current)
            current = block
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages
