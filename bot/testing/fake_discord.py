"""A fake Discord REST API on 127.0.0.1 and builders for real gateway payloads.

discord.py's own HTTP client (and its interaction webhook adapter) talk to it
after `discord.http.Route.BASE` is pointed here, so requests really cross HTTP.
Failures can be queued per route: 403 missing permissions, 404 unknown
message/interaction, 429 rate limited.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

APP_ID = 880000000000000001
BOT_USER_ID = 880000000000000002
GUILD_ID = 880000000000000100
TOKEN = "fake-discord-token.never.real"
BOT_USER = {"id": str(BOT_USER_ID), "username": "beritaqa", "discriminator": "0", "global_name": None,
            "avatar": None, "bot": True}  # fmt: skip
_ids = itertools.count(990000000000000000)


def snowflake() -> str:
    """A new unique Discord id."""
    return str(next(_ids))


def user(user_id: int, name: str = "penanya") -> dict[str, Any]:
    """A Discord User object."""
    return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": name, "avatar": None}


def member(user_id: int) -> dict[str, Any]:
    """A server member object for `user_id`, with every permission."""
    return {"user": user(user_id), "roles": [], "joined_at": "2024-01-01T00:00:00+00:00", "deaf": False,
            "mute": False, "flags": 0, "permissions": "2147483647"}  # fmt: skip


@dataclass
class Request:
    """One HTTP request the bot made (a JSON list body arrives as {"items": [...]})."""

    method: str
    path: str
    body: dict[str, Any]


@dataclass
class FakeDiscord:
    """The REST API's state: requests received, messages the bot posted, failures queued."""

    requests: list[Request] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # the messages the bot posted, as returned
    failures: list[tuple[str, str, int, dict[str, Any]]] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def base(self) -> str:
        """The API base URL discord.py is pointed at."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    async def start(self) -> FakeDiscord:
        """Serve on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    def fail(self, method: str, path_part: str, status: int, body: dict[str, Any]) -> None:
        """Answer the next request whose method is `method` and path contains `path_part` with `status` and `body`."""
        self.failures.append((method, path_part, status, body))

    def of(self, method: str, path_part: str) -> list[Request]:
        """The requests received so far with this method and a path containing `path_part`."""
        return [r for r in self.requests if r.method == method and path_part in r.path]

    async def wait_for(self, method: str, path_part: str, count: int = 1, timeout: float = 20) -> list[Request]:
        """At least `count` such requests, waiting up to `timeout` seconds; AssertionError with what came instead."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            found = self.of(method, path_part)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError(
            f"no {method} {path_part} after {timeout}s; got {[(r.method, r.path) for r in self.requests]}"
        )

    async def _handle(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: dict[str, Any] = {}
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
            else:
                form = await request.post()
                if "payload_json" in form:
                    body = json.loads(str(form["payload_json"]))
        if not isinstance(body, dict):
            body = {"items": body}  # bulk command sync sends a JSON list
        self.requests.append(Request(request.method, path, body))
        for i, (method, part, status, payload) in enumerate(self.failures):
            if method == request.method and part in path:
                del self.failures[i]
                headers = (
                    {"Retry-After": "0.1", "X-RateLimit-Scope": "user", "Via": "1.1 google"} if status == 429 else {}
                )
                return _json(payload, status, headers)
        return _json(self._route(request.method, path, body))

    def _route(self, method: str, path: str, body: Any) -> Any:
        if path == "/users/@me":
            return BOT_USER
        if path == "/oauth2/applications/@me":
            return {"id": str(APP_ID), "name": "Berita QA", "description": "", "icon": None, "bot_public": True,
                    "bot_require_code_grant": False, "verify_key": "00", "flags": 0, "owner": user(1, "owner"),
                    "team": None}  # fmt: skip
        if path.endswith("/commands") and method == "PUT":
            return [{**c, "id": snowflake(), "application_id": str(APP_ID), "version": "1"} for c in body["items"]]
        if path.endswith("/callback"):
            interaction_id = path.split("/")[2]
            flags = int((body.get("data") or {}).get("flags") or 0)
            result: dict[str, Any] = {
                "interaction": {
                    "id": interaction_id,
                    "type": 2,
                    "response_message_loading": body["type"] == 5,
                    "response_message_ephemeral": bool(flags & 64),
                }
            }
            if body["type"] == 4:
                result["resource"] = {"type": 4, "message": self.message(body["data"], "0")}
            return result
        if path.startswith("/webhooks/") or (path.startswith("/channels/") and path.endswith("/messages")):
            channel = path.split("/")[2] if path.startswith("/channels/") else "0"
            sent = self.message(body, channel)
            self.sent.append(sent)
            return sent
        return {}

    @staticmethod
    def message(body: dict[str, Any], channel_id: str) -> dict[str, Any]:
        """The Message object Discord returns for a message posted with `body`."""
        return {
            "id": snowflake(), "channel_id": channel_id, "author": BOT_USER, "content": body.get("content", ""),
            "timestamp": datetime.now(UTC).isoformat(), "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
            "pinned": False, "type": 0, "flags": int(body.get("flags") or 0), "components": body.get("components", []),
        }  # fmt: skip


def _json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses JSON only when the content type is exactly "application/json" (no charset).
    return web.Response(
        body=json.dumps(payload).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def slash_payload(
    name: str, options: list[dict[str, Any]], *, channel_id: int, user_id: int
) -> Any:  # a raw gateway payload (TypedDicts in discord.py)
    """An INTERACTION_CREATE for a chat-input command, as the gateway sends it."""
    return {
        "id": snowflake(), "application_id": str(APP_ID), "type": 2, "token": f"itoken-{snowflake()}",
        "version": 1, "guild_id": str(GUILD_ID), "channel_id": str(channel_id),
        "channel": {"id": str(channel_id), "type": 0, "guild_id": str(GUILD_ID), "name": "berita", "position": 0,
                    "permission_overwrites": [], "nsfw": False, "parent_id": None},
        "member": member(user_id), "locale": "id", "guild_locale": "id", "app_permissions": "2147483647",
        "entitlements": [], "authorizing_integration_owners": {}, "context": 0, "attachment_size_limit": 10485760,
        "data": {"id": snowflake(), "name": name, "type": 1, "options": options, "guild_id": str(GUILD_ID)},
    }  # fmt: skip


def button_payload(
    custom_id: str, message: dict[str, Any], *, channel_id: int, user_id: int
) -> Any:  # a raw gateway payload (TypedDicts in discord.py)
    """An INTERACTION_CREATE for a button press on `message`, as the gateway sends it."""
    payload = slash_payload("x", [], channel_id=channel_id, user_id=user_id)
    payload.update(type=3, message=message, data={"custom_id": custom_id, "component_type": 2})
    return payload


def message_payload(
    content: str, *, channel_id: int, user_id: int, mentions_bot: bool = False, reply_to: str | None = None
) -> Any:  # a raw gateway payload (TypedDicts in discord.py)
    """A MESSAGE_CREATE in a guild text channel."""
    payload: dict[str, Any] = {
        "id": snowflake(), "channel_id": str(channel_id), "guild_id": str(GUILD_ID), "author": user(user_id),
        "member": {k: v for k, v in member(user_id).items() if k != "user"}, "content": content,
        "timestamp": datetime.now(UTC).isoformat(), "edited_timestamp": None, "tts": False,
        "mention_everyone": False, "mentions": [BOT_USER] if mentions_bot else [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": False, "type": 19 if reply_to else 0, "flags": 0,
    }  # fmt: skip
    if reply_to:
        payload["message_reference"] = {
            "message_id": reply_to,
            "channel_id": str(channel_id),
            "guild_id": str(GUILD_ID),
        }
    return payload
