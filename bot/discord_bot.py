"""Discord adapter (discord.py 2.x): slash commands, mentions, follow-ups, a Sources button.

Works without the privileged message-content intent: slash commands carry their
text, and Discord includes the content of messages that mention the bot. The
engine runs in a worker thread (`QuestionService.ask`), so the gateway heartbeat
is never blocked. The services (`bot.app.BotServices`) are handed in by the
composition root, or built in `setup_hook` when Discord runs alone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.admin import AdminDesk
from bot.app import BotServices
from bot.conversation import AnswerMemory, ChatKey, Remembered
from bot.render import DiscordMarkdown, answer_blocks, citation_blocks, pack
from bot.state import StateUnavailable, Vote, Votes
from bot.texts import ingest_summary, text, vote_label, vote_notice
from config.errors import BeritaQAError
from config.settings import Settings
from retrieval.answer import Answer

log = logging.getLogger(__name__)

CONTENT_LIMIT = 2000
MARKDOWN = DiscordMarkdown()
NO_PINGS = discord.AllowedMentions.none()  # quotes may contain "@everyone": never ping anyone


class SourcesButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"src:(?P<key>[0-9]+)"):
    """The "📚 Sumber" button; rebuilt from its custom id, so it works after a restart too."""

    def __init__(self, key: int, label: str = text("button")) -> None:
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=f"src:{key}"))
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SourcesButton:
        """The button of the answer whose key its custom id carries (after a restart too)."""
        return cls(int(match["key"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the citations of the answer this button sits under, privately."""
        client = _client(interaction)
        try:
            item = await client.memory.by_key(_channel_key(interaction.channel_id or 0), self.key)
        except StateUnavailable:
            await _tell_privately(interaction, text("state_unavailable"))
            return
        await client.show_citations(interaction, item, None)


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"fb:(?P<key>[0-9]+):(?P<vote>up|down)"):
    """👍 or 👎 under an answer: one vote per person, shown as counts in the labels (after a restart too)."""

    def __init__(self, key: int, vote: Vote, count: int = 0) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=vote_label(vote, count), style=discord.ButtonStyle.secondary, custom_id=f"fb:{key}:{vote}"
        )
        super().__init__(button)
        self.key = key
        self.vote: Vote = vote

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        """The vote button of the answer whose key its custom id carries."""
        return cls(int(match["key"]), "up" if match["vote"] == "up" else "down")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Record the vote; the counts change in place, a repeated vote is told privately."""
        client = _client(interaction)
        try:
            voted = await client.memory.vote(
                _channel_key(interaction.channel_id or 0), self.key, interaction.user.id, self.vote
            )
        except StateUnavailable:
            await _tell_privately(interaction, text("state_unavailable"))
            return
        if voted is None:
            await _tell_privately(interaction, text("vote_expired"))
            return
        item, votes = voted
        if not votes.changed:
            await _tell_privately(interaction, vote_notice(self.vote, item.answer.language, changed=False))
            return
        await interaction.response.edit_message(view=_sources_view(item, votes))


def _channel_key(channel_id: int) -> ChatKey:
    """Discord's channel ids in the shared memory and rate limiter, apart from Telegram's."""
    return ChatKey("discord", channel_id)


def _guild_id(message: discord.Message) -> int | None:
    """The message's server, also when the server is not in the cache; None in direct messages."""
    if message.guild is not None:
        return message.guild.id
    guild_id = getattr(message.channel, "guild_id", None)
    return int(guild_id) if guild_id else None


def _sources_view(item: Remembered | None, votes: Votes | None = None) -> discord.ui.View | None:
    """The buttons under an answer: 📚 (when it has quotes), 👍 and 👎 with their counts; none for
    an answer the store could not keep (`item` None)."""
    if item is None:
        return None
    view = discord.ui.View(timeout=None)
    if item.answer.answered:
        view.add_item(SourcesButton(item.key, text("button", item.answer.language)))
    view.add_item(VoteButton(item.key, "up", votes.up if votes else 0))
    view.add_item(VoteButton(item.key, "down", votes.down if votes else 0))
    return view


class Refused(app_commands.CheckFailure, BeritaQAError):
    """A command's check said no; `reply` tells the user why, privately (see `BeritaCommandTree`)."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


async def _tell_privately(interaction: discord.Interaction[Any], content: str) -> None:
    """An ephemeral message, whether or not the interaction was answered already; never raises."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, allowed_mentions=NO_PINGS)
        else:
            await interaction.response.send_message(content, ephemeral=True, allowed_mentions=NO_PINGS)
    except discord.HTTPException as exc:
        log.info("could not tell the user: %s", exc)


class BeritaCommandTree(app_commands.CommandTree[Any]):
    """The slash command tree: refusals are told to the user, other errors logged; never a crash."""

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        """Tell the user a refusal or that the store is away; log anything else and say sorry."""
        if isinstance(error, Refused):
            await _tell_privately(interaction, error.reply)
            return
        original = getattr(error, "original", error)
        if isinstance(original, StateUnavailable):  # /sumber, /statistik: the store logged the outage once
            await _tell_privately(interaction, text("state_unavailable"))
            return
        if isinstance(original, discord.NotFound):
            log.info("interaction expired or message deleted: %s", original)
            return
        log.error("error in a slash command: %r", original, exc_info=original)
        await _tell_privately(interaction, text("error"))


def _client(interaction: discord.Interaction[Any]) -> BeritaDiscordBot:
    client = interaction.client
    assert isinstance(client, BeritaDiscordBot)
    return client


async def within_rate_limit(interaction: discord.Interaction[Any]) -> bool:
    """The check on `/tanya`: the per-person limit in server channels (direct messages are free)."""
    client = _client(interaction)
    allowed, _ = await client.allowed(interaction.guild_id, interaction.channel_id or 0, interaction.user.id)
    if not allowed:
        raise Refused(text("rate_limited", limit=client.settings.group_questions_per_minute))
    return True


class QuestionCommands(commands.Cog):
    """`/tanya` and `/sumber`, for everyone."""

    def __init__(self, bot: BeritaDiscordBot) -> None:
        self.bot = bot

    @app_commands.command(name="tanya", description=text("discord_tanya"))
    @app_commands.describe(pertanyaan=text("discord_tanya_pertanyaan"))
    @app_commands.check(within_rate_limit)
    async def tanya(self, interaction: discord.Interaction[Any], pertanyaan: str) -> None:
        """`/tanya <pertanyaan>`: answer a question in the channel."""
        await self.bot.answer_slash(interaction, pertanyaan)

    @app_commands.command(name="sumber", description=text("discord_sumber"))
    @app_commands.describe(nomor=text("discord_sumber_nomor"))
    async def sumber(
        self, interaction: discord.Interaction[Any], nomor: app_commands.Range[int, 1, 50] | None = None
    ) -> None:
        """`/sumber [nomor]`: the citations of the channel's last answer, for everyone to see."""
        item = await self.bot.memory.last_answered(_channel_key(interaction.channel_id or 0))
        await self.bot.show_citations(interaction, item, nomor, ephemeral=False)


async def _thinking_privately(interaction: discord.Interaction[Any]) -> None:
    """Discord's "thinking…", shown to the admin alone: adding or removing articles takes a while."""
    await interaction.response.defer(ephemeral=True, thinking=True)


async def _report_privately(interaction: discord.Interaction[Any], result: str) -> None:
    await interaction.followup.send(f"```\n{result[:1900]}\n```", ephemeral=True, allowed_mentions=NO_PINGS)


class AdminCommands(commands.Cog):
    """The admin desk; the cog's check lets ADMIN_USER_IDS in and refuses everyone else."""

    def __init__(self, bot: BeritaDiscordBot) -> None:
        self.bot = bot

    @property
    def desk(self) -> AdminDesk:
        """The admin actions shared with Telegram."""
        return self.bot.services.admin

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Let ADMIN_USER_IDS through; refuse anyone else before the command runs."""
        if not self.desk.is_admin(interaction.user.id):
            raise Refused(text("admin_only"))
        return True

    @app_commands.command(name="tambah", description=text("cmd_tambah"))
    @app_commands.describe(teks=text("discord_tambah_teks"), berkas=text("discord_tambah_berkas"))
    async def tambah(
        self, interaction: discord.Interaction[Any], teks: str | None = None, berkas: discord.Attachment | None = None
    ) -> None:
        """`/tambah`: add an article from pasted text or an attached file; the summary goes to the admin alone."""
        await _thinking_privately(interaction)
        await _report_privately(interaction, await self._add_article(teks, berkas))

    async def _add_article(self, teks: str | None, berkas: discord.Attachment | None) -> str:
        if berkas is not None:
            # Discord says the size up front: a huge file is never downloaded
            refusal = self.desk.upload_refusal(berkas.filename, berkas.size)
            return refusal or ingest_summary(await self.desk.add_document(await berkas.read(), berkas.filename))
        if teks:
            return self.desk.pasted_text_refusal(teks) or ingest_summary(await self.desk.add_text(teks))
        return text("tambah_usage")

    @app_commands.command(name="hapus", description=text("cmd_hapus"))
    async def hapus(self, interaction: discord.Interaction[Any], artikel: str) -> None:
        """`/hapus <artikel>`: remove an article by id."""
        await _thinking_privately(interaction)
        await _report_privately(interaction, ingest_summary(await self.desk.remove(artikel)))

    @app_commands.command(name="artikel", description=text("cmd_artikel"))
    async def artikel(self, interaction: discord.Interaction[Any]) -> None:
        """`/artikel`: list the articles."""
        await _thinking_privately(interaction)
        await _report_privately(interaction, self.desk.articles_text())

    @app_commands.command(name="statistik", description=text("cmd_statistik"))
    async def statistik(self, interaction: discord.Interaction[Any]) -> None:
        """`/statistik`: index size and question counts."""
        await _thinking_privately(interaction)
        await _report_privately(interaction, await self.desk.stats_text())

    @app_commands.command(name="ikuti", description=text("cmd_ikuti"))
    @app_commands.describe(alamat=text("discord_feed_alamat"))
    async def ikuti(self, interaction: discord.Interaction[Any], alamat: str) -> None:
        """`/ikuti <alamat>`: follow a news site's RSS, Atom or sitemap."""
        await _thinking_privately(interaction)
        await _report_privately(interaction, await self.bot.services.feeds.follow_text(alamat))

    @app_commands.command(name="berhenti_ikuti", description=text("cmd_berhenti_ikuti"))
    @app_commands.describe(alamat=text("discord_feed_alamat"))
    async def berhenti_ikuti(self, interaction: discord.Interaction[Any], alamat: str) -> None:
        """`/berhenti_ikuti <alamat>`: stop following a feed (its articles stay)."""
        await _thinking_privately(interaction)
        await _report_privately(interaction, await self.bot.services.feeds.unfollow_text(alamat))

    @app_commands.command(name="daftar_feed", description=text("cmd_daftar_feed"))
    async def daftar_feed(self, interaction: discord.Interaction[Any]) -> None:
        """`/daftar_feed`: the followed feeds."""
        await _thinking_privately(interaction)
        await _report_privately(interaction, await self.bot.services.feeds.listing_text())

    @app_commands.command(name="baca_feed", description=text("cmd_baca_feed"))
    async def baca_feed(self, interaction: discord.Interaction[Any]) -> None:
        """`/baca_feed`: read every followed feed now."""
        await _thinking_privately(interaction)
        await _report_privately(interaction, await self.bot.services.feeds.sync_text())


class BeritaDiscordBot(commands.Bot):
    """The Discord bot: slash commands in two cogs, questions in messages (`on_message`), on the given
    services or on its own (built in `setup_hook`)."""

    def __init__(self, settings: Settings, services: BotServices | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # no text commands: on_message reads mentions itself
            help_command=None,
            tree_cls=BeritaCommandTree,
            intents=discord.Intents.default(),  # no privileged intents needed
            allowed_mentions=NO_PINGS,
        )
        self.settings = settings
        self._services = services
        self._owns_services = False  # built in setup_hook: this client starts and stops the watcher

    # -- start-up ---------------------------------------------------------------------

    @property
    def services(self) -> BotServices:
        """The services this client answers with; set by `setup_hook` when none were handed in."""
        if self._services is None:
            raise RuntimeError("no services yet: setup_hook has not run")
        return self._services

    @property
    def memory(self) -> AnswerMemory:
        """The answers each channel was sent."""
        return self.services.memory

    async def setup_hook(self) -> None:
        """Before connecting: build the services if needed, add the cogs and the button, sync the commands."""
        if self._services is None:
            self._services = await BotServices.load(self.settings)
            self._owns_services = True
            self._services.start_watching()
        await self.add_cog(QuestionCommands(self))
        await self.add_cog(AdminCommands(self))
        self.add_dynamic_items(SourcesButton, VoteButton)
        await self.sync_commands()

    async def sync_commands(self) -> bool:
        """Sync slash commands to DISCORD_GUILD_ID (instant) or globally, only when they changed."""
        guild = discord.Object(self.settings.discord_guild_id) if self.settings.discord_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = [c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        scope = f"guild-{guild.id}" if guild else "global"
        state_file = self.settings.index_dir / "discord_commands.json"
        try:
            synced = json.loads(state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            synced = {}
        if synced.get(scope) == digest:
            log.info("slash commands unchanged (%s): not syncing", scope)
            return False
        await self.tree.sync(guild=guild)
        synced[scope] = digest
        state_file.parent.mkdir(parents=True, exist_ok=True)
        state_file.write_text(json.dumps(synced), encoding="utf-8")
        log.info("slash commands synced (%s)", scope)
        return True

    # -- questions ------------------------------------------------------------------------

    async def allowed(self, guild_id: int | None, channel_id: int, user_id: int) -> tuple[bool, bool]:
        """(allowed, warn) from the shared rate limiter."""
        if guild_id is None:
            return True, False  # direct messages are not rate limited
        return await self.services.rate_limiter.check(_channel_key(channel_id), user_id)

    async def _ask(
        self, question: str, channel_id: int, replied_to: int | None = None
    ) -> tuple[Remembered | None, list[str]]:
        """The answer's memory (None if the store could not keep it) and its messages."""
        channel = _channel_key(channel_id)
        asked = await self.services.questions.ask(question, chat=channel, replied_to=replied_to)
        item = await self.memory.remember_if_possible(channel, asked.question, asked.answer)
        return item, pack(
            answer_blocks(asked.answer, MARKDOWN, question_limit=self.settings.max_question_chars), CONTENT_LIMIT
        )

    async def answer_slash(self, interaction: discord.Interaction[Any], question: str) -> None:
        """`/tanya` (its check, `within_rate_limit`, has passed): "thinking…", then the answer."""
        channel_id = interaction.channel_id or 0
        await interaction.response.defer(thinking=True)
        item, messages = await self._ask(question, channel_id)
        view = _sources_view(item)
        for i, content in enumerate(messages):
            last = i == len(messages) - 1
            sent = await interaction.followup.send(
                content, view=view if last and view else discord.utils.MISSING, allowed_mentions=NO_PINGS, wait=True
            )
            if item is not None:
                await self.memory.attach_message(_channel_key(channel_id), item.key, sent.id)

    async def on_message(self, message: discord.Message) -> None:
        """A mention of the bot, or a reply to one of its answers, is a question; DMs always are."""
        if message.author.bot or self.user is None:
            return
        try:
            replied = await self._replied_answer(message)
        except StateUnavailable:
            if self._replies_to_me(message):  # a follow-up we cannot read the context of now
                await self._reply(message, text("state_unavailable"))
                return
            replied = None  # a reply to someone else: a mention still makes it a question
        mentioned = self.user in message.mentions
        guild_id = _guild_id(message)
        if guild_id is not None and not mentioned and replied is None:
            return
        question = re.sub(rf"<@!?{self.user.id}>", " ", message.content).strip()
        allowed, warn = await self.allowed(guild_id, message.channel.id, message.author.id)
        if not allowed:
            if warn:
                await self._reply(message, text("rate_limited", limit=self.settings.group_questions_per_minute))
            return
        try:
            item, messages = await self._ask(question, message.channel.id, replied)
        except StateUnavailable:  # the follow-up's earlier answer became unreadable meanwhile
            await self._reply(message, text("state_unavailable"))
            return
        view = _sources_view(item)
        for i, content in enumerate(messages):
            sent = await self._reply(message, content, view if i == len(messages) - 1 else None)
            if sent is not None and item is not None:
                await self.memory.attach_message(_channel_key(message.channel.id), item.key, sent.id)

    async def _replied_answer(self, message: discord.Message) -> int | None:
        """The id of the bot answer `message` replies to, if it is one the memory holds."""
        ref = message.reference.message_id if message.reference else None
        if ref is not None and await self.memory.by_message(_channel_key(message.channel.id), ref) is not None:
            return ref
        return None

    def _replies_to_me(self, message: discord.Message) -> bool:
        """Whether `message` replies to this bot, as far as Discord told us (without the memory)."""
        resolved = message.reference.resolved if message.reference else None
        return isinstance(resolved, discord.Message) and self.user is not None and resolved.author.id == self.user.id

    async def _reply(
        self, message: discord.Message, content: str, view: discord.ui.View | None = None
    ) -> discord.Message | None:
        """Reply without pinging; fall back to a plain send if the question was deleted."""
        extra: dict[str, Any] = {"view": view} if view else {}
        try:
            return await message.reply(content, mention_author=False, allowed_mentions=NO_PINGS, **extra)
        except discord.NotFound:
            try:
                return await message.channel.send(content, allowed_mentions=NO_PINGS, **extra)
            except discord.HTTPException as exc:
                log.warning("could not answer in channel %s: %s", message.channel.id, exc)
        except discord.Forbidden as exc:
            log.warning("missing permissions in channel %s: %s", message.channel.id, exc)
        except discord.HTTPException as exc:
            log.warning("could not reply in channel %s: %s", message.channel.id, exc)
        return None

    # -- citations --------------------------------------------------------------------

    async def show_citations(
        self,
        interaction: discord.Interaction[Any],
        item: Remembered | None,
        number: int | None,
        *,
        ephemeral: bool = True,
    ) -> None:
        """The citations of `item`'s answer (all, or source `number`) as the interaction's reply."""
        answer: Answer | None = item.answer if item else None
        messages = pack(citation_blocks(answer, MARKDOWN, number, limit=CONTENT_LIMIT), CONTENT_LIMIT)
        await interaction.response.send_message(messages[0], ephemeral=ephemeral, allowed_mentions=NO_PINGS)
        for content in messages[1:]:
            await interaction.followup.send(content, ephemeral=ephemeral, allowed_mentions=NO_PINGS)

    # -- life cycle ----------------------------------------------------------------------------

    async def close(self) -> None:
        """Disconnect; close the services too when this client built them."""
        if self._owns_services and self._services is not None:
            self._services.close()
        await super().close()

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """Log an error in an event handler and carry on."""
        log.exception("error in Discord event %s", event_method)


def run_discord(settings: Settings) -> None:
    """Connect to Discord and run until stopped."""
    BeritaDiscordBot(settings).run(settings.discord_token, log_handler=None)
