"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests.

It speaks the Bot API's JSON over real HTTP, so the bot's own python-telegram-bot
request stack is exercised. Updates injected by a test are served to getUpdates;
every call is recorded; every HTML message is parsed as Telegram would and a
malformed one is rejected (and recorded in `html_errors`). Failures can be
injected per method: 403 (blocked), 429 (retry_after) or a migrated group.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

WebhookRoute = Callable[[dict[str, Any]], str]  # an update → the webhook URL it is posted to

BOT_ID = 7000001
BOT_USERNAME = "BeritaQABot"
TOKEN = "7000001:TEST-fake-token-never-real-abcdefghij"
_ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote",
    "tg-spoiler", "span", "tg-emoji",
}  # fmt: skip
_ENTITY_NAMES = {"lt", "gt", "amp", "quot"}
# The attributes Telegram reads on each tag; any other is refused.
_ALLOWED_ATTRIBUTES = {"a": {"href"}, "blockquote": {"expandable"}, "span": {"class"}, "code": {"class"},
                       "pre": set(), "tg-emoji": {"emoji-id"}}  # fmt: skip


class TelegramHtmlChecker(HTMLParser):
    """Parses a message as Telegram's HTML mode does and collects what it would refuse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.errors: list[str] = []
        self.stack: list[str] = []
        self.text_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A tag Telegram does not allow, or an `<a>` without href, is an error."""
        if tag not in _ALLOWED_TAGS:
            self.errors.append(f"unsupported tag <{tag}>")
        if tag == "a" and not any(k == "href" for k, _ in attrs):
            self.errors.append("<a> without href")
        unknown = {k for k, _ in attrs} - _ALLOWED_ATTRIBUTES.get(tag, set())
        if unknown:
            self.errors.append(f"unsupported attribute {sorted(unknown)} on <{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        """A closing tag must close the innermost open one."""
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        """Text must not hold a bare `<` or `>`; it counts toward the visible length."""
        if "<" in data or ">" in data:
            self.errors.append("unescaped < or >")
        self.text_parts.append(data)

    def handle_entityref(self, name: str) -> None:
        """Only `&lt;`, `&gt;`, `&amp;` and `&quot;` are allowed; each shows as one character."""
        if name not in _ENTITY_NAMES:
            self.errors.append(f"unsupported entity &{name};")
        self.text_parts.append("x")

    def handle_charref(self, name: str) -> None:
        """A numeric character reference shows as one character."""
        self.text_parts.append("x")

    def check(self, body: str) -> list[str]:
        # html.parser accepts a bare "&"; Telegram does not.
        """Everything Telegram would refuse in `body` (bare `&`, bad tags, too long, empty); [] when none."""
        index = body.find("&")
        while index != -1:
            tail = body[index + 1 : index + 12]
            if not (tail.split(";", 1)[0] in _ENTITY_NAMES or tail.startswith("#")) or ";" not in tail:
                self.errors.append("bare &")
                break
            index = body.find("&", index + 1)
        self.feed(body)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed tags {self.stack}")
        visible = "".join(self.text_parts)
        if len(visible.encode("utf-16-le")) // 2 > 4096:
            self.errors.append("message longer than 4096 characters")
        if not visible.strip():
            self.errors.append("empty message")
        return self.errors


@dataclass
class Failure:
    """A fault queued for `method` (optionally in one chat), served `count` times."""

    method: str
    kind: str  # "forbidden" | "retry_after" | "migrate" | "server_error"
    chat_id: int | None = None
    count: int = 1
    migrate_to: int = 0


@dataclass
class Call:
    """One Bot API call as the server received it (sendMessage's `_result` is the message it returned)."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeTelegram:
    """The server's state; thread-safe, shared with the request handler."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.html_errors: list[tuple[str, list[str]]] = []
        self.updates: list[dict[str, Any]] = []
        self.failures: list[Failure] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.pushed_at: dict[tuple[int, int], float] = {}  # (chat, message id) → time pushed
        self.files: dict[str, bytes] = {}  # file_id → contents, served by getFile + download
        self._next_update = 1
        self._next_message = 1000
        self._cond = threading.Condition()
        self.server: ThreadingHTTPServer | None = None
        self._webhook: tuple[WebhookRoute, str] | None = None

    # -- test side ----------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the server listens on (once started)."""
        assert self.server is not None, "the server is not started"
        return int(self.server.server_address[1])

    @property
    def base_url(self) -> str:
        """What the bot uses as its Bot API base URL (the token is appended to it)."""
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self, port: int = 0) -> FakeTelegram:
        """Serve on `port` (any free one by default)."""
        state = self

        class Handler(_Handler):
            fake = state

        self.server = _QuietServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def fail(self, method: str, kind: str, *, chat_id: int | None = None, count: int = 1, migrate_to: int = 0) -> None:
        """Answer the next `count` calls of `method` (in `chat_id`, if given) with a `kind` fault."""
        with self._cond:
            self.failures.append(Failure(method, kind, chat_id, count, migrate_to))

    def deliver_to_webhook(self, route: WebhookRoute | None, secret: str = "") -> None:
        """From now on post each update to the URL `route` picks for it, with the secret header, as
        Telegram does once a webhook is set (`route` may spread updates over replicas behind a load
        balancer); None: serve them to getUpdates again."""
        with self._cond:
            self._webhook = None if route is None else (route, secret)

    def push(self, update: dict[str, Any]) -> int:
        """Number an update and serve it to getUpdates, or post it to the webhook; returns its update_id."""
        with self._cond:
            update["update_id"] = self._next_update
            self._next_update += 1
            webhook = self._webhook
            if webhook is None:
                self.updates.append(update)
            message = update.get("message")
            if message:
                self.messages[(message["chat"]["id"], message["message_id"])] = message
                self.pushed_at[(message["chat"]["id"], message["message_id"])] = time.monotonic()
            self._cond.notify_all()
        if webhook is not None:  # outside the lock: the bot may call the API while it takes the update
            route, secret = webhook
            status = post_update(route(update), update, secret)
            if status != 200:
                raise AssertionError(f"the webhook refused update {update['update_id']}: HTTP {status}")
        return int(update["update_id"])

    def chat(
        self, chat_id: int, kind: str = "private", title: str = "Grup Berita", forum: bool = False
    ) -> dict[str, Any]:
        """A private chat or a group with this id (a supergroup with topics when `forum`), known from
        now on; returns its Chat object."""
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        if kind == "private":
            chat["first_name"] = f"User{chat_id}"
        else:
            chat["title"] = title
        if forum:
            chat["is_forum"] = True
        self.chats[chat_id] = chat
        return chat

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        kind: str = "private",
        user_id: int | None = None,
        reply_to: dict[str, Any] | None = None,
        edited: bool = False,
        extra: dict[str, Any] | None = None,
        topic: int | None = None,
    ) -> dict[str, Any]:
        """Inject a user's message (in forum topic `topic`, if given); returns the message dict."""
        with self._cond:
            self._next_message += 1
            message_id = self._next_message
        user = {"id": user_id or abs(chat_id), "is_bot": False, "first_name": "Penanya"}
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chats.get(chat_id) or self.chat(chat_id, kind),
            "from": user,
        }
        if text:
            message["text"] = text
            entities = _entities(text)
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if topic is not None:
            message.update(message_thread_id=topic, is_topic_message=True)
        if extra:
            message.update(extra)
        self.push({"edited_message" if edited else "message": message})
        return message

    def press_button(self, chat_id: int, message: dict[str, Any], data: str, user_id: int = 5) -> str:
        """A user presses an inline button with callback `data` under `message`; returns the query id."""
        query_id = f"cb{time.monotonic_ns()}"
        self.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": {"id": user_id, "is_bot": False, "first_name": "Penanya"},
                    "chat_instance": "ci",
                    "message": message,
                    "data": data,
                }
            }
        )
        return query_id

    def inline_query(self, user_id: int, query: str) -> str:
        """A user types `@BeritaQABot <query>` in some chat; returns the inline query's id."""
        query_id = f"iq{time.monotonic_ns()}"
        sender = {"id": user_id, "is_bot": False, "first_name": "Penanya"}
        self.push({"inline_query": {"id": query_id, "from": sender, "query": query, "offset": ""}})
        return query_id

    def inline_answer(self, query_id: str) -> dict[str, Any]:
        """What the bot answered inline query `query_id` with (`results` parsed), waiting for it."""
        calls = self.wait_for(
            lambda: [c for c in self.calls_of("answerInlineQuery") if c.params["inline_query_id"] == query_id]
        )
        return dict(calls[0].params)

    def query_answers(self, query_id: str) -> list[Call]:
        """The answerCallbackQuery calls for the button press `query_id` (its toast is `params["text"]`)."""
        return [c for c in self.calls_of("answerCallbackQuery") if c.params["callback_query_id"] == query_id]

    def calls_of(self, method: str) -> list[Call]:
        """Every recorded call of `method`, in order."""
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def delivered(self) -> list[Call]:
        """sendMessage calls the server accepted (not the ones it failed on purpose)."""
        return [c for c in self.calls_of("sendMessage") if "_result" in c.params]

    def replies_to(self, chat_id: int, message_id: int) -> list[Call]:
        """Delivered messages in `chat_id` that reply to `message_id`."""
        return [
            c
            for c in self.delivered()
            if int(c.params["chat_id"]) == chat_id
            and json.loads(c.params.get("reply_parameters") or "{}").get("message_id") == message_id
        ]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
        """Poll `predicate` until it returns something truthy, and return that; AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.02)
        raise AssertionError("timed out waiting for the bot")

    def in_topic(self, chat_id: int, topic: int) -> list[Call]:
        """Delivered messages in forum topic `topic` of `chat_id`."""
        return [
            c
            for c in self.delivered()
            if int(c.params["chat_id"]) == chat_id and str(c.params.get("message_thread_id")) == str(topic)
        ]

    def sent_message(self, call: Call) -> dict[str, Any]:
        """The Message object the server returned for a sendMessage call."""
        return dict(call.params["_result"])

    # -- server side ----------------------------------------------------------------

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Record and answer one Bot API call: a queued fault, `api_<method>` if defined, else `true`."""
        call = Call(method, params)
        with self._cond:
            self.calls.append(call)
            failure = self._take_failure(method, params)
        if failure is not None:
            return _failure_response(failure)
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            return 200, {"ok": True, "result": True}
        return handler(params, call)

    def _take_failure(self, method: str, params: dict[str, Any]) -> Failure | None:
        for failure in self.failures:
            if failure.method != method or failure.count <= 0:
                continue
            if failure.chat_id is not None and str(failure.chat_id) != str(params.get("chat_id")):
                continue
            failure.count -= 1
            return failure
        return None

    def api_getMe(self, params: dict[str, Any], call: Call) -> tuple[int, dict[str, Any]]:
        """The fake bot's own User object."""
        return 200, {
            "ok": True,
            "result": {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Berita QA",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": True,  # /setinline done in BotFather
            },
        }

    def api_getUpdates(self, params: dict[str, Any], call: Call) -> tuple[int, dict[str, Any]]:
        """Pending updates from `offset`, waiting up to 2 s (long polling, shortened) for one to arrive."""
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                pending = [u for u in self.updates if u["update_id"] >= offset]
                if pending or time.monotonic() >= deadline:
                    break
                self._cond.wait(max(0.0, deadline - time.monotonic()))
            limit = int(params.get("limit") or 100)
        return 200, {"ok": True, "result": pending[:limit]}

    def api_sendMessage(self, params: dict[str, Any], call: Call) -> tuple[int, dict[str, Any]]:
        """Refuse HTML Telegram would refuse (400); otherwise record the message and return it."""
        body = str(params.get("text", ""))
        if params.get("parse_mode") == "HTML":
            errors = TelegramHtmlChecker().check(body)
            if errors:
                with self._cond:
                    self.html_errors.append((body, errors))
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: can't parse entities"}
        chat_id = int(params["chat_id"])
        with self._cond:
            self._next_message += 1
            message: dict[str, Any] = {
                "message_id": self._next_message,
                "date": int(time.time()),
                "chat": self.chats.get(chat_id) or {"id": chat_id, "type": "private", "first_name": "U"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Berita QA", "username": BOT_USERNAME},
                "text": body,
            }
            if params.get("reply_markup"):
                message["reply_markup"] = json.loads(params["reply_markup"])
            if params.get("message_thread_id"):  # Telegram puts the message in that forum topic
                message.update(message_thread_id=int(params["message_thread_id"]), is_topic_message=True)
            self.messages[(chat_id, message["message_id"])] = message
            params["_result"] = message
        return 200, {"ok": True, "result": message}

    def api_answerInlineQuery(self, params: dict[str, Any], call: Call) -> tuple[int, dict[str, Any]]:
        """Check the results as Telegram does (at most 50, unique ids, valid HTML to send); keep them parsed."""
        raw = params.get("results") or "[]"
        results = json.loads(raw) if isinstance(raw, str) else raw
        button = params.get("button")
        params["results"] = results
        params["button"] = json.loads(button) if isinstance(button, str) else button
        ids = [r.get("id") for r in results]
        problems = ["more than 50 results"] if len(results) > 50 else []
        problems += ["duplicate result ids"] if len(set(ids)) != len(ids) else []
        for result in results:
            content = result.get("input_message_content") or {}
            if content.get("parse_mode") == "HTML":
                problems += TelegramHtmlChecker().check(str(content.get("message_text", "")))
        if problems:
            with self._cond:
                self.html_errors.append((raw if isinstance(raw, str) else json.dumps(raw), problems))
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {problems[0]}"}
        return 200, {"ok": True, "result": True}

    def api_editMessageReplyMarkup(self, params: dict[str, Any], call: Call) -> tuple[int, dict[str, Any]]:
        """Replace a bot message's inline keyboard; 400 for an unknown message or an unchanged keyboard."""
        key = (int(params.get("chat_id") or 0), int(params.get("message_id") or 0))
        markup = params.get("reply_markup")
        keyboard = json.loads(markup) if isinstance(markup, str) else markup
        with self._cond:
            message = self.messages.get(key)
            if message is None:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message to edit not found"}
            if message.get("reply_markup") == keyboard:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message is not modified"}
            message = {**message, "reply_markup": keyboard, "edit_date": int(time.time())}
            if not keyboard:
                del message["reply_markup"]
            self.messages[key] = message
        return 200, {"ok": True, "result": message}

    def api_getFile(self, params: dict[str, Any], call: Call) -> tuple[int, dict[str, Any]]:
        """The File object of an uploaded document, for the bot to download."""
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
        result = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(self.files[file_id]),
                  "file_path": f"documents/{file_id}"}  # fmt: skip
        return 200, {"ok": True, "result": result}

    def send_document(
        self, chat_id: int, name: str, data: bytes, *, user_id: int, declared_size: int | None = None
    ) -> dict[str, Any]:
        """A user uploads a file; returns the message carrying it. Telegram states the size in the
        update (`declared_size` pretends a bigger file without the test holding its bytes)."""
        file_id = f"doc{len(self.files) + 1}"
        self.files[file_id] = data
        size = len(data) if declared_size is None else declared_size
        document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name, "file_size": size}
        return self.send_text(chat_id, "", user_id=user_id, extra={"document": document})

    def send_photo(
        self, chat_id: int, caption: str, *, kind: str = "private", user_id: int | None = None
    ) -> dict[str, Any]:
        """A photo with a caption (mentions in the caption carry caption entities)."""
        extra: dict[str, Any] = {"photo": [{"file_id": "p1", "file_unique_id": "q1", "width": 90, "height": 90}]}
        extra["caption"] = caption
        entities = _entities(caption)
        if entities:
            extra["caption_entities"] = entities
        return self.send_text(chat_id, "", kind=kind, user_id=user_id, extra=extra)

    def api_getWebhookInfo(self, params: dict[str, Any], call: Call) -> tuple[int, dict[str, Any]]:
        """No webhook set."""
        return 200, {"ok": True, "result": {"url": "", "has_custom_certificate": False, "pending_update_count": 0}}


def post_update(url: str, update: dict[str, Any], secret: str) -> int:
    """POST one update to a bot's webhook as Telegram does; the HTTP status, -1 if nothing listens."""
    request = urllib.request.Request(
        url,
        data=json.dumps(update).encode(),
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except urllib.error.URLError:
        return -1  # the webhook server is not listening yet


def _failure_response(failure: Failure) -> tuple[int, dict[str, Any]]:
    if failure.kind == "forbidden":
        return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    if failure.kind == "retry_after":
        return 429, {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
    if failure.kind == "migrate":
        return 400, {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: group chat was upgraded to a supergroup chat",
            "parameters": {"migrate_to_chat_id": failure.migrate_to},
        }
    return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _entities(text: str) -> list[dict[str, Any]]:
    """bot_command and mention entities, with offsets in UTF-16 code units as Telegram sends them."""
    import re

    entities = []
    command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": _utf16_len(command.group(0))})
    for match in re.finditer(r"(?<![\w/])@[A-Za-z0-9_]{3,}", text):
        entities.append(
            {"type": "mention", "offset": _utf16_len(text[: match.start()]), "length": _utf16_len(match.group(0))}
        )
    return entities


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # The bot closing a long poll when it stops is normal; anything else is shown.
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTelegram
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != f"bot{TOKEN}":
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        params = _parse_params(raw, self.headers.get("Content-Type", ""))
        status, payload = self.fake.handle(parts[1], params)
        self._reply(status, payload)

    def do_GET(self) -> None:
        prefix = f"/file/bot{TOKEN}/documents/"
        path = unquote(self.path)  # PTB percent-encodes the ":" of the token in file URLs
        if path.startswith(prefix):
            data = self.fake.files.get(path.removeprefix(prefix))
            if data is not None:
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
        self.do_POST()

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _parse_params(raw: str, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if content_type.startswith("application/json"):
        return dict(json.loads(raw))
    return {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}
