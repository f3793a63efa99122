"""An `Answer` as JSON text and back, with every field the citations need.

`Answer.to_json()` is the `ask --json` wire format and leaves out what `/sumber` shows (datelines,
links, quote spans), so the store keeps its own, complete encoding. Unknown keys are dropped and
missing ones take their defaults: an answer stored by an older or newer version still reads.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, TypeVar

from retrieval.answer import Answer, Quote, Reason, Source

T = TypeVar("T")


def encode_answer(answer: Answer) -> str:
    """The answer as compact JSON, every field included (`decode_answer` reads it back)."""
    body = dataclasses.asdict(answer)
    body["reason"] = answer.reason.value
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _known(cls: type[T], data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return {k: v for k, v in data.items() if k in names}


def _source(data: dict[str, Any]) -> Source:
    fields = _known(Source, data)
    fields["quote_spans"] = tuple((int(a), int(b)) for a, b in fields.get("quote_spans", ()))
    return Source(**fields)


def decode_answer(text: str) -> Answer:
    """The answer `encode_answer` wrote; ValueError (or KeyError, TypeError) if it is not one."""
    data = json.loads(text)
    fields = _known(Answer, data)
    fields["quotes"] = tuple(Quote(**_known(Quote, q)) for q in data.get("quotes", ()))
    fields["sources"] = tuple(_source(s) for s in data.get("sources", ()))
    fields["reason"] = Reason(data.get("reason", Reason.NOT_FOUND.value))
    return Answer(**fields)
