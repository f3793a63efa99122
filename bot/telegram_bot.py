"""Telegram adapter (python-telegram-bot v22): handlers only, no retrieval logic.

Handler groups: group -2 refuses admin commands from anyone but ADMIN_USER_IDS, group -1
holds back group questions over the per-person rate limit (both stop the update with
`ApplicationHandlerStop`), group 0 holds the commands and the question handlers; an error
handler logs and keeps the bot running. The process's shared services (`bot.app.BotServices`)
sit in a typed `bot_data`: handed in by the composition root, or built in `post_init` when
Telegram runs alone, like python-telegram-bot's rules-bot.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeAlias

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, MessageEntityType, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.admin import AdminDesk
from bot.app import BotServices
from bot.conversation import AnswerMemory, ChatKey, Remembered
from bot.inline import CACHE_SECONDS, InlineCache, inline_results
from bot.logs import show_network_retries
from bot.render import TelegramHtml, answer_blocks, citation_blocks, pack, preview_url
from bot.state import StateUnavailable, Vote, Votes, grouping_key
from bot.texts import ingest_summary, text, vote_label, vote_notice
from config.settings import Settings
from retrieval.answer import Answer

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
HTML = TelegramHtml()
BUTTON_PREFIX = "src:"
VOTE_PREFIX = "fb:"  # "fb:<answer key>:up" / "fb:<answer key>:down"
VOTES: tuple[Vote, ...] = ("up", "down")
_SEND_ATTEMPTS = 3


def normalise_base_url(url: str) -> tuple[str, str]:
    """PTB `base_url` and `base_file_url` from TELEGRAM_BASE_URL (with or without a trailing /bot)."""
    url = url.strip().rstrip("/")
    if "{token}" in url:
        return url, url.replace("/bot", "/file/bot", 1)
    root = url[: -len("/bot")] if url.endswith("/bot") else url
    return f"{root}/bot", f"{root}/file/bot"


# --- state kept in bot_data ----------------------------------------------------------


@dataclass
class TelegramBotData:
    """`context.bot_data`: the shared services, and whether this application built them itself."""

    services: BotServices | None = None  # None until post_init when Telegram runs alone
    owns_services: bool = False  # built in post_init: this application starts and stops the watcher
    inline_cache: InlineCache = field(default_factory=InlineCache)  # inline mode's recent answers


_Data: TypeAlias = dict[Any, Any]  # user_data and chat_data: unused, left as PTB's plain dicts
Context: TypeAlias = CallbackContext[ExtBot[Any], _Data, _Data, TelegramBotData]
TelegramApplication: TypeAlias = Application[ExtBot[Any], Context, _Data, _Data, TelegramBotData, Any]
CONTEXT_TYPES = ContextTypes(bot_data=TelegramBotData)


def _services(context: Context) -> BotServices:
    services = context.bot_data.services
    if services is None:
        raise RuntimeError("no services yet: post_init has not run")
    return services


def _memory(context: Context) -> AnswerMemory:
    return _services(context).memory


def _settings(context: Context) -> Settings:
    return _services(context).settings


def _chat_key(chat_id: int) -> ChatKey:
    """Telegram's chat ids in the shared memory and rate limiter, apart from Discord's."""
    return ChatKey("telegram", chat_id)


# --- sending -------------------------------------------------------------------------


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def send_html(
    context: Context,
    chat_id: int,
    body: str,
    *,
    reply_to: int | None = None,
    keyboard: InlineKeyboardMarkup | None = None,
    thread_id: int | None = None,
    preview_url: str | None = None,
) -> Message | None:
    """Send one HTML message, surviving migration, flood limits, time-outs and blocked chats.

    `thread_id` is the forum topic the question came from; the only link preview is of
    `preview_url` (the cited article), small, and none without one.
    """
    for attempt in range(1, _SEND_ATTEMPTS + 1):
        try:
            return await context.bot.send_message(
                chat_id,
                body,
                parse_mode=ParseMode.HTML,
                reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None,
                reply_markup=keyboard,
                link_preview_options=_preview(preview_url),
                message_thread_id=thread_id,
            )
        except ChatMigrated as exc:
            log.info("chat %s migrated to %s", chat_id, exc.new_chat_id)
            await _memory(context).migrate(_chat_key(chat_id), _chat_key(exc.new_chat_id))
            chat_id, reply_to, thread_id = exc.new_chat_id, None, None  # message ids do not carry over
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            log.warning("flood limit in chat %s: waiting %.1f s", chat_id, wait)
            await asyncio.sleep(min(wait, 60.0))
        except Forbidden as exc:
            log.info("cannot write to chat %s (%s): skipping", chat_id, exc.message)
            return None
        except BadRequest:
            raise  # our request is wrong; retrying will not help
        except (TimedOut, NetworkError) as exc:
            log.warning("network trouble sending to %s (attempt %d): %s", chat_id, attempt, exc)
            await asyncio.sleep(0.5 * attempt)
    log.error("giving up sending to chat %s after %d attempts", chat_id, _SEND_ATTEMPTS)
    return None


def _preview(url: str | None) -> LinkPreviewOptions:
    """A small preview of the cited article's page, or none at all."""
    return LinkPreviewOptions(url=url, prefer_small_media=True) if url else LinkPreviewOptions(is_disabled=True)


def thread_of(message: Message | None) -> int | None:
    """The forum topic `message` was written in (None outside forums and in the General topic)."""
    return message.message_thread_id if message is not None and message.is_topic_message else None


async def send_blocks(
    context: Context,
    chat_id: int,
    blocks: list[str],
    *,
    reply_to: int | None,
    keyboard: InlineKeyboardMarkup | None = None,
    thread_id: int | None = None,
    preview_url: str | None = None,
) -> list[Message]:
    """Send blocks packed into as few messages as fit; the keyboard goes under the last one."""
    messages = pack(blocks, MESSAGE_LIMIT)
    sent: list[Message] = []
    for i, body in enumerate(messages):
        last = i == len(messages) - 1
        message = await send_html(
            context,
            chat_id,
            body,
            reply_to=reply_to if i == 0 else None,
            keyboard=keyboard if last else None,
            thread_id=thread_id,
            preview_url=preview_url if i == 0 else None,  # one preview, under the first message
        )
        if message is None:
            break
        sent.append(message)
    return sent


# --- answering -----------------------------------------------------------------------


def _is_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in {ChatType.GROUP, ChatType.SUPERGROUP}


async def answer_question(update: Update, context: Context, question: str, *, replied_to: int | None = None) -> None:
    """Ask the engine and reply with quotes, sources and a Sources button."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    try:
        asked = await _services(context).questions.ask(question, chat=_chat_key(chat.id), replied_to=replied_to)
    except StateUnavailable:  # a follow-up whose earlier answer cannot be read now
        await _say_state_unavailable(context, chat.id, message.message_id, thread_of(message))
        return
    await deliver_answer(
        context, chat.id, message.message_id, asked.question, asked.answer, thread_id=thread_of(message)
    )


async def deliver_answer(
    context: Context, chat_id: int, reply_to: int, question: str, answer: Answer, *, thread_id: int | None = None
) -> None:
    """Reply with an answer (a Sources button if the store kept it), linking its messages to it for follow-ups."""
    memory = _memory(context)
    item = await memory.remember_if_possible(_chat_key(chat_id), question, answer)
    keyboard = answer_keyboard(item) if item is not None else None  # no buttons for an answer not kept
    blocks = answer_blocks(answer, HTML, question_limit=_settings(context).max_question_chars)
    sent_messages = await send_blocks(
        context,
        chat_id,
        blocks,
        reply_to=reply_to,
        keyboard=keyboard,
        thread_id=thread_id,
        preview_url=preview_url(answer),
    )
    for sent in sent_messages:
        if item is not None:
            await memory.attach_message(_chat_key(sent.chat_id), item.key, sent.message_id)


def answer_keyboard(item: Remembered, votes: Votes | None = None) -> InlineKeyboardMarkup:
    """The buttons under an answer: 📚 Sumber (when it has quotes), then 👍 and 👎 with their counts."""
    row = []
    if item.answer.answered:
        sources = text("button", item.answer.language)
        row.append(InlineKeyboardButton(sources, callback_data=f"{BUTTON_PREFIX}{item.key}"))
    for vote in VOTES:
        count = 0 if votes is None else (votes.up if vote == "up" else votes.down)
        row.append(InlineKeyboardButton(vote_label(vote, count), callback_data=f"{VOTE_PREFIX}{item.key}:{vote}"))
    return InlineKeyboardMarkup([row])


async def _say_state_unavailable(
    context: Context, chat_id: int, reply_to: int | None, thread_id: int | None = None
) -> None:
    """The polite "try again shortly" while the state database is away."""
    await send_html(context, chat_id, HTML.escape(text("state_unavailable")), reply_to=reply_to, thread_id=thread_id)


def _body(message: Message) -> str:
    """What the person wrote: the text, or the caption of a photo, video or file."""
    return message.text or message.caption or ""


def _command_argument(message: Message) -> str:
    """Text after the leading `/command` or `/command@Bot`."""
    return re.sub(r"^/\S+\s*", "", _body(message), count=1).strip()


def _replied_to_bot(message: Message, bot_id: int) -> int | None:
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == bot_id:
        return reply.message_id
    return None


def _mentions_bot(message: Message, username: str, bot_id: int) -> bool:
    kinds: list[str | None] = [MessageEntityType.MENTION, MessageEntityType.TEXT_MENTION]
    entities = message.parse_entities(kinds) if message.text else message.parse_caption_entities(kinds)
    mention = f"@{username}".lower()
    for entity, value in entities.items():
        if entity.type == MessageEntityType.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            return True
        if entity.type == MessageEntityType.MENTION and value.lower() == mention:
            return True
    return False


def _without_mention(body: str, username: str) -> str:
    return re.sub(rf"@{re.escape(username)}\b", " ", body, flags=re.IGNORECASE).strip(" ,:\n")


# --- handlers --------------------------------------------------------------------------


async def on_private_text(update: Update, context: Context) -> None:
    """In a private chat every text message is a question (a reply to an answer is a follow-up)."""
    message = update.effective_message
    if message is None:
        return
    await answer_question(update, context, _body(message), replied_to=_replied_to_bot(message, context.bot.id))


class AddressedToBot(filters.MessageFilter):
    """A message that mentions this bot or replies to one of its messages: in a group, a question."""

    def filter(self, message: Message) -> bool:
        """Whether the message mentions this bot or replies to one of its messages."""
        bot = message.get_bot()
        return _mentions_bot(message, bot.username, bot.id) or _replied_to_bot(message, bot.id) is not None


async def on_group_text(update: Update, context: Context) -> None:
    """A group message addressed to the bot (`AddressedToBot`): the question without the mention."""
    message = update.effective_message
    if message is None:
        return
    question = _body(message)
    if _mentions_bot(message, context.bot.username, context.bot.id):
        question = _without_mention(question, context.bot.username)
    await answer_question(update, context, question, replied_to=_replied_to_bot(message, context.bot.id))


async def cmd_tanya(update: Update, context: Context) -> None:
    """`/tanya <pertanyaan>`; as a reply to someone's message, asks that message."""
    message = update.effective_message
    if message is None:
        return
    question = _command_argument(message)
    reply = message.reply_to_message
    replied = _replied_to_bot(message, context.bot.id)
    if not question and reply is not None and replied is None:
        question = reply.text or reply.caption or ""
    await answer_question(update, context, question, replied_to=replied)


async def cmd_sumber(update: Update, context: Context) -> None:
    """`/sumber [n]`: citations of the last answer, or of the answer this command replies to."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    memory = _memory(context)
    replied = _replied_to_bot(message, context.bot.id)
    where = _chat_key(chat.id)
    try:
        if replied is not None:
            item = await memory.by_message(where, replied, just_sent=True)
        else:
            item = await memory.last_answered(where)
    except StateUnavailable:
        await _say_state_unavailable(context, chat.id, message.message_id, thread_of(message))
        return
    argument = _command_argument(message)
    if argument and not (argument.isascii() and argument.isdigit() and int(argument) >= 1):
        # "/sumber abc", "/sumber -1", "/sumber 1 2": say what works rather than show everything
        notice = [HTML.escape(text("bad_source_argument"))]
        await send_blocks(context, chat.id, notice, reply_to=message.message_id, thread_id=thread_of(message))
        return
    number = int(argument) if argument else None
    await _send_citations(context, chat.id, message.message_id, item, number, thread_id=thread_of(message))


async def _send_citations(
    context: Context,
    chat_id: int,
    reply_to: int | None,
    item: Remembered | None,
    number: int | None,
    *,
    thread_id: int | None = None,
) -> None:
    """The citations of `item`'s answer (all, or source `number`), previewing the first cited article."""
    answer = item.answer if item else None
    blocks = citation_blocks(answer, HTML, number)
    url = preview_url(answer, number) if answer else None
    await send_blocks(context, chat_id, blocks, reply_to=reply_to, thread_id=thread_id, preview_url=url)


async def on_sources_button(update: Update, context: Context) -> None:
    """The "📚 Sumber" button: the citations of the answer it sits under."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    chat_id = query.message.chat.id if query.message else None
    item = None
    key = query.data.removeprefix(BUTTON_PREFIX)
    try:
        if chat_id is not None and key.isdigit():
            item = await _memory(context).by_key(_chat_key(chat_id), int(key))
    except StateUnavailable:
        await _answer_query(query, text("state_unavailable"))
        return
    try:
        if item is None:
            await query.answer(text("expired"), show_alert=False)
            return
        await query.answer()
    except TelegramError as exc:  # the query may have expired: the citations are still worth sending
        log.info("could not answer callback query: %s", exc)
        if item is None:
            return
    reply_to = query.message.message_id if query.message else None
    thread = thread_of(query.message) if isinstance(query.message, Message) else None
    await _send_citations(context, item.chat.chat_id, reply_to, item, None, thread_id=thread)


async def _answer_query(query: CallbackQuery, notice: str) -> None:
    """Answer a button press with a short notice; an expired query is not worth an error."""
    try:
        await query.answer(notice, show_alert=True)
    except TelegramError as exc:
        log.info("could not answer callback query: %s", exc)


async def on_vote_button(update: Update, context: Context) -> None:
    """👍/👎 under an answer: one vote per person (a tap on the other one changes it), acknowledged by
    a toast and the counts in the buttons, never by a new message."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    if not isinstance(query.message, Message):  # older than Telegram lets bots read (48 h): nothing to edit
        await _toast(query, text("vote_expired"))
        return
    _, key, picked = query.data.split(":")
    vote: Vote = "up" if picked == "up" else "down"  # the handler's pattern allows only these two
    try:
        voted = await _memory(context).vote(_chat_key(query.message.chat.id), int(key), query.from_user.id, vote)
    except StateUnavailable:
        await _answer_query(query, text("state_unavailable"))
        return
    if voted is None:
        await _toast(query, text("vote_expired"))
        return
    item, votes = voted
    await _toast(query, vote_notice(vote, item.answer.language, changed=votes.changed))
    if votes.changed:
        try:
            await query.edit_message_reply_markup(answer_keyboard(item, votes))
        except TelegramError as exc:  # the message was deleted, or a second tap raced this one
            log.info("could not update the vote counts: %s", exc)


async def _toast(query: CallbackQuery, notice: str) -> None:
    """A short notice over the chat that disappears by itself; an expired query is not worth an error."""
    try:
        await query.answer(notice)
    except TelegramError as exc:
        log.info("could not answer callback query: %s", exc)


async def on_unknown_button(update: Update, context: Context) -> None:
    """Any other button press (an old keyboard, forged data): answered, so the spinner stops."""
    query = update.callback_query
    if query is not None:
        await query.answer(text("unknown_button"))


INLINE_CHAT = ChatKey("telegram-inline", 0)  # inline queries come from no chat: their own rate-limit space


async def on_inline_query(update: Update, context: Context) -> None:
    """`@NamaBot <pertanyaan>` in any chat: up to three cited quotes ready to send, or a hint. Answers
    are cached a minute; an uncached question counts against the person's inline limit."""
    query = update.inline_query
    if query is None:
        return
    question = query.query.strip()
    if not question:
        await _answer_inline(query, [], text("inline_hint"))
        return
    key = grouping_key(question) or question
    cache = context.bot_data.inline_cache
    answer = cache.get(key)
    if answer is None:
        services = _services(context)
        allowed, _ = await services.inline_limiter.check(INLINE_CHAT, query.from_user.id)
        if not allowed:
            await _answer_inline(query, [], text("inline_slow_down"), cache_time=0)
            return
        answer = (await services.questions.ask(question, chat=INLINE_CHAT, logged=False)).answer
        cache.put(key, answer)
    results = inline_results(answer, HTML)
    await _answer_inline(query, results, None if results else text("inline_not_found", answer.language))


async def _answer_inline(
    query: InlineQuery, results: list[InlineQueryResultArticle], hint: str | None, cache_time: int = CACHE_SECONDS
) -> None:
    """Answer an inline query; `hint` is a button above the (maybe empty) results that opens the bot."""
    button = InlineQueryResultsButton(hint, start_parameter="inline") if hint else None
    try:
        await query.answer(results, cache_time=cache_time, button=button)
    except TelegramError as exc:  # a query answered too late (Telegram waits about 10 s) is simply gone
        log.info("could not answer inline query: %s", exc)


async def cmd_help(update: Update, context: Context) -> None:
    """`/bantuan`, `/start`, `/help`: how to use the bot."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    body = HTML.escape(text("help", mention=f"@{context.bot.username}"))
    reply_to = message.message_id if _is_group(update) else None
    await send_html(context, chat.id, body, reply_to=reply_to, thread_id=thread_of(message))


async def on_migration(update: Update, context: Context) -> None:
    """A group upgraded to a supergroup: keep its answers under the new id."""
    message = update.effective_message
    if message is not None and message.migrate_to_chat_id:
        await _memory(context).migrate(_chat_key(message.chat.id), _chat_key(message.migrate_to_chat_id))


async def on_error(update: object, context: Context) -> None:
    """Log and carry on: one bad update must never stop the bot."""
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    message = update.effective_message if isinstance(update, Update) else None
    if isinstance(error, StateUnavailable):  # already logged once by the store, when it went away
        if chat is not None and message is not None and message.text:
            await _say_state_unavailable(context, chat.id, message.message_id, thread_of(message))
        return
    if isinstance(error, Forbidden | TimedOut | RetryAfter):
        log.warning("Telegram refused or delayed a request: %s", error)
        return
    log.error("error while handling an update: %r", error, exc_info=error)
    if chat is not None and message is not None and message.text:
        notice = HTML.escape(text("error"))
        await send_html(context, chat.id, notice, reply_to=message.message_id, thread_id=thread_of(message))


# --- gatekeeping: handler groups before group 0 that stop what they refuse --------------------


async def refuse_non_admin(update: Update, context: Context) -> None:
    """An admin command from anyone else: a polite refusal, and no later handler sees the update."""
    message = update.effective_message
    if message is not None:
        notice = HTML.escape(text("admin_only"))
        await send_html(context, message.chat.id, notice, reply_to=message.message_id, thread_id=thread_of(message))
    raise ApplicationHandlerStop


async def limit_group_questions(update: Update, context: Context) -> None:
    """A group question over the per-person limit: one warning per burst, then silence."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    allowed, warn = await _services(context).rate_limiter.check(_chat_key(message.chat.id), user.id)
    if allowed:
        return
    if warn:
        limit = _settings(context).group_questions_per_minute
        notice = HTML.escape(text("rate_limited", limit=limit))
        await send_html(context, message.chat.id, notice, reply_to=message.message_id, thread_id=thread_of(message))
    raise ApplicationHandlerStop


# --- admin commands (only admins get here: see `refuse_non_admin`) -------------------------


def _desk(context: Context) -> AdminDesk:
    return _services(context).admin


async def _report(update: Update, context: Context, body: str) -> None:
    message = update.effective_message
    if message is not None:
        block = f"<pre>{HTML.escape(body[:3500])}</pre>"
        await send_blocks(context, message.chat.id, [block], reply_to=message.message_id, thread_id=thread_of(message))


async def cmd_tambah(update: Update, context: Context) -> None:
    """`/tambah` as a reply to a document, or `/tambah <teks artikel>`."""
    message = update.effective_message
    if message is None:
        return
    await _report(update, context, await _add_article(message, _desk(context)))


async def _add_article(message: Message, desk: AdminDesk) -> str:
    """The replied-to document or the pasted text added to the corpus; what happened, in words."""
    document = message.reply_to_message.document if message.reply_to_message else None
    argument = _command_argument(message)
    if document is not None:
        name = document.file_name or "dokumen.txt"
        refusal = desk.upload_refusal(name, document.file_size)
        if refusal:  # Telegram says the size up front: a huge file is never downloaded
            return refusal
        telegram_file = await document.get_file()
        data = bytes(await telegram_file.download_as_bytearray())
        return ingest_summary(await desk.add_document(data, name))
    if argument:
        return desk.pasted_text_refusal(argument) or ingest_summary(await desk.add_text(argument))
    return text("tambah_usage")


async def cmd_hapus(update: Update, context: Context) -> None:
    """`/hapus <id artikel>`: remove an article by id (admins only)."""
    message = update.effective_message
    article_id = _command_argument(message) if message is not None else ""
    if not article_id:
        await _report(update, context, text("hapus_usage"))
        return
    await _report(update, context, ingest_summary(await _desk(context).remove(article_id)))


async def cmd_artikel(update: Update, context: Context) -> None:
    """`/artikel`: list the articles (admins only)."""
    await _report(update, context, _desk(context).articles_text())


async def cmd_statistik(update: Update, context: Context) -> None:
    """`/statistik`: index size and question counts (admins only)."""
    await _report(update, context, await _desk(context).stats_text())


async def cmd_ikuti(update: Update, context: Context) -> None:
    """`/ikuti <alamat>`: follow a news site's RSS, Atom or sitemap (admins only)."""
    url = _command_argument(update.effective_message) if update.effective_message is not None else ""
    said = await _services(context).feeds.follow_text(url) if url else text("ikuti_usage")
    await _report(update, context, said)


async def cmd_berhenti_ikuti(update: Update, context: Context) -> None:
    """`/berhenti_ikuti <alamat>`: stop following a feed; its articles stay (admins only)."""
    url = _command_argument(update.effective_message) if update.effective_message is not None else ""
    said = await _services(context).feeds.unfollow_text(url) if url else text("berhenti_ikuti_usage")
    await _report(update, context, said)


async def cmd_daftar_feed(update: Update, context: Context) -> None:
    """`/daftar_feed`: the followed feeds and how their reads go (admins only)."""
    await _report(update, context, await _services(context).feeds.listing_text())


async def cmd_baca_feed(update: Update, context: Context) -> None:
    """`/baca_feed`: read every followed feed now (admins only)."""
    await _report(update, context, await _services(context).feeds.sync_text())


# --- application -----------------------------------------------------------------------


COMMANDS = ("tanya", "sumber", "bantuan", "start")  # the menu everyone sees
ADMIN_COMMANDS = (  # added to each admin's private menu
    "tambah", "hapus", "artikel", "statistik", "ikuti", "berhenti_ikuti", "daftar_feed", "baca_feed",
)  # fmt: skip
ADMIN_GATE = -2  # handler groups: the admin check first, then the group rate limit, then group 0
RATE_LIMIT_GATE = -1
# getMe, deleteWebhook/setWebhook at start: a 500 or an unreachable Telegram is retried without end,
# waiting 1 s, then 1.5× longer each time up to 30 s (python-telegram-bot's loop); a rejected token
# is not retried.
STARTUP_RETRIES = -1


async def _post_init(application: TelegramApplication, *, settings: Settings) -> None:
    """Build the services when none were handed in (Telegram alone), then publish the command list."""
    data = application.bot_data
    if data.services is None:
        data.services = await BotServices.load(settings)
        data.owns_services = True
        data.services.start_watching()
    await _publish_command_menus(application.bot, data.services.settings.admin_user_ids)
    counts = await asyncio.to_thread(data.services.engine.corpus_counts)
    log.info("bot @%s ready: %d paragraphs indexed", application.bot.username, counts.paragraphs)


async def _publish_command_menus(bot: ExtBot[Any], admin_ids: frozenset[int]) -> None:
    """The question commands for everyone; in each admin's private chat with the bot, the admin ones too."""
    public = [BotCommand(name, text(f"cmd_{name}")) for name in COMMANDS]
    for_admins = public + [BotCommand(name, text(f"cmd_{name}")) for name in ADMIN_COMMANDS]
    menus: list[tuple[list[BotCommand], BotCommandScope]] = [(public, BotCommandScopeDefault())]
    menus += [(for_admins, BotCommandScopeChat(admin_id)) for admin_id in sorted(admin_ids)]
    for commands, scope in menus:
        try:
            await bot.set_my_commands(commands, scope=scope)
        except TelegramError as exc:  # e.g. an admin who never opened a chat with the bot: no chat to scope to
            log.warning("could not register the %s command list: %s", scope.type, exc)


async def _post_stop(application: TelegramApplication) -> None:
    data = application.bot_data
    if data.owns_services and data.services is not None:
        data.services.close()


def build_application(settings: Settings, services: BotServices | None = None) -> TelegramApplication:
    """The PTB application with every handler, on the given services or on its own (built in post_init)."""
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .context_types(CONTEXT_TYPES)
        .rate_limiter(AIORateLimiter(max_retries=2))
        .concurrent_updates(16)
        .post_init(functools.partial(_post_init, settings=settings))
        .post_stop(_post_stop)
    )
    if settings.telegram_base_url:
        base_url, base_file_url = normalise_base_url(settings.telegram_base_url)
        builder = builder.base_url(base_url).base_file_url(base_file_url)
    application: TelegramApplication = builder.build()
    application.bot_data.services = services

    new_message = filters.UpdateType.MESSAGE  # edited messages are not questions
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    admins = filters.User(user_id=settings.admin_user_ids)  # ADMIN_USER_IDS; none set: nobody
    addressed = AddressedToBot()
    # A question may come as text or as the caption of a photo, video or file; a caption that starts
    # with a command is left alone (commands are read from text only).
    written = (filters.TEXT & ~filters.COMMAND) | (filters.CAPTION & ~filters.CaptionRegex(r"^/"))
    application.add_handlers(
        [CommandHandler(ADMIN_COMMANDS, refuse_non_admin, filters=new_message & ~admins)], group=ADMIN_GATE
    )
    application.add_handlers(
        [  # the group questions: `/tanya`, and text or captions that mention or reply to the bot
            CommandHandler("tanya", limit_group_questions, filters=new_message & groups),
            MessageHandler(new_message & groups & written & addressed, limit_group_questions),
        ],
        group=RATE_LIMIT_GATE,
    )
    application.add_handler(CommandHandler(["start", "bantuan", "help"], cmd_help, filters=new_message))
    application.add_handler(CommandHandler("tanya", cmd_tanya, filters=new_message))
    application.add_handler(CommandHandler("sumber", cmd_sumber, filters=new_message))
    from_admin = new_message & admins  # the gate already stopped everyone else; this says so here too
    application.add_handler(CommandHandler("tambah", cmd_tambah, filters=from_admin))
    application.add_handler(CommandHandler("hapus", cmd_hapus, filters=from_admin))
    application.add_handler(CommandHandler("artikel", cmd_artikel, filters=from_admin))
    application.add_handler(CommandHandler("statistik", cmd_statistik, filters=from_admin))
    application.add_handler(CommandHandler("ikuti", cmd_ikuti, filters=from_admin))
    application.add_handler(CommandHandler("berhenti_ikuti", cmd_berhenti_ikuti, filters=from_admin))
    application.add_handler(CommandHandler("daftar_feed", cmd_daftar_feed, filters=from_admin))
    application.add_handler(CommandHandler("baca_feed", cmd_baca_feed, filters=from_admin))
    application.add_handler(CallbackQueryHandler(on_sources_button, pattern=f"^{BUTTON_PREFIX}"))
    application.add_handler(CallbackQueryHandler(on_vote_button, pattern=rf"^{VOTE_PREFIX}[0-9]+:(up|down)$"))
    application.add_handler(CallbackQueryHandler(on_unknown_button))
    application.add_handler(InlineQueryHandler(on_inline_query))
    application.add_handler(MessageHandler(new_message & private & written, on_private_text))
    application.add_handler(MessageHandler(new_message & groups & written & addressed, on_group_text))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migration))
    application.add_error_handler(on_error)
    return application


ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]


@asynccontextmanager
async def polling(application: TelegramApplication) -> AsyncIterator[TelegramApplication]:
    """Long polling inside an event loop another bot shares; the same steps, in the same order, as
    `run_polling`, which owns its loop (post_init and post_stop included: PTB calls them only there)."""
    async with application:  # initialize … shutdown
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=STARTUP_RETRIES)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)


def run_telegram(settings: Settings, *, webhook: bool | None = None) -> None:
    """Run until stopped: long polling, or a webhook server when asked or WEBHOOK_URL is set."""
    application = build_application(settings)
    use_webhook = settings.uses_webhook if webhook is None else webhook
    allowed = ALLOWED_UPDATES
    show_network_retries()
    if not use_webhook:
        application.run_polling(allowed_updates=allowed, drop_pending_updates=False, bootstrap_retries=STARTUP_RETRIES)
        return
    if not settings.webhook_url:
        raise SystemExit(text("webhook_needs_url"))
    path = settings.webhook_url.rstrip("/").rsplit("/", 1)[-1] or "telegram"
    application.run_webhook(
        listen="0.0.0.0",
        port=settings.port,
        url_path=path,
        webhook_url=settings.webhook_url,
        secret_token=_webhook_secret(settings),
        allowed_updates=allowed,
        bootstrap_retries=STARTUP_RETRIES,
    )


def _webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, else a random one for this process: Telegram sends it with every update, so
    an update posted by anyone else (e.g. a forged admin command) is refused either way."""
    if settings.webhook_secret:
        return settings.webhook_secret
    log.warning(
        "WEBHOOK_SECRET is not set: using a random secret for this process. "
        "Set WEBHOOK_SECRET when more than one process serves the same bot."
    )
    return secrets.token_urlsafe(32)
