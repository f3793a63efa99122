"""A headline for an article that has none, made from its lead sentence by cutting, never by writing.

The lead of a news article is one long sentence: an opening phrase ("Di tengah eskalasi konflik …,"),
the main clause, then purpose and detail ("untuk …", "guna …"). The title keeps the main clause,
drops the weekday-and-date ("Jumat (5/7)", "pada Kamis"), puts a bracketed acronym in place of the
words it abbreviates ("Pakta Pertahanan Atlantik Utara (NATO)" → "NATO") and ends before a joining
word once it is long enough. Every word of the title is a word of the sentence, in the same order.
The dateline ("BRUSSELS -") is already gone: `retrieval.corpus` takes it off the first paragraph.
"""

from __future__ import annotations

import re

MAX_TITLE_CHARS = 100
MIN_TITLE_CHARS = 30  # a cut shorter than this says too little: look for a later one

_DAYS = r"(?:Senin|Selasa|Rabu|Kamis|Jumat|Jum'at|Sabtu|Minggu|Ahad)"
# ", Jumat (5/7)," and "pada Kamis (4/7)" and "pada hari Kamis": when, not what
_DAY_DATE_RE = re.compile(rf",?\s*(?:pada\s+(?:hari\s+)?)?{_DAYS}\s*\(\s*\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\s*\)\s*,?")
_ON_DAY_RE = re.compile(rf"\s+pada\s+(?:hari\s+)?{_DAYS}\b(?:\s+(?:pagi|siang|sore|malam|lalu|ini|kemarin))?")
# An opening adverbial phrase before the subject: "Dalam upaya …, ", "Di tengah …, ", "Menurut …, "
_OPENING_RE = re.compile(
    r"^(?:Dalam|Di tengah|Di sela|Di sela-sela|Saat|Ketika|Setelah|Sebelum|Sesudah|Menurut|Meski|Meskipun|"
    r"Walaupun|Sementara itu|Selain itu|Pada|Usai|Menyusul|Terkait|Sejak)\b[^,]{0,120},\s+"
)
_ACRONYM_RE = re.compile(r"\s*\(([A-Z]{2,6})\)")
_CAPITALISED_RE = re.compile(r"^[A-Z][\w'’-]*$")
# A title ends before one of these once it is long enough: what follows is purpose or detail.
_JOINS_RE = re.compile(
    r",\s|\s(?:untuk|guna|dengan|yang|setelah|karena|sehingga|tanpa|dalam|saat|ketika|agar|demi|serta|namun)\s"
)
# Never the last word of a title.
_DANGLING = frozenset("di ke dari pada dalam bagi untuk dengan yang dan atau serta oleh akan telah".split())


def derived_title(sentence: str, limit: int = MAX_TITLE_CHARS) -> str:
    """A headline-like title from a lead sentence: its main clause, no day or date, at most `limit` characters."""
    clause = " ".join(sentence.split()).rstrip(".!?…;:")
    clause = _OPENING_RE.sub("", clause, count=1) or clause
    clause = _DAY_DATE_RE.sub(" ", clause)
    clause = _ON_DAY_RE.sub("", clause)
    clause = _acronyms_for_names(" ".join(clause.split()))
    clause = clause[:1].upper() + clause[1:]
    return _bounded(clause, limit)


def _acronyms_for_names(clause: str) -> str:
    """A bracketed acronym in place of the capitalised words it stands for, one word per letter.

    "Pakta Pertahanan Atlantik Utara (NATO)" becomes "NATO"; when fewer capitalised words precede
    it, only the brackets go.
    """
    while match := _ACRONYM_RE.search(clause):
        acronym = match.group(1)
        words = clause[: match.start()].split(" ")
        if len(words) >= len(acronym) and all(_CAPITALISED_RE.match(w) for w in words[-len(acronym) :]):
            head = " ".join(words[: -len(acronym)])
            clause = f"{head} {acronym}".strip() + clause[match.end() :]
        else:
            clause = clause[: match.start()] + clause[match.end() :]
    return clause


def _bounded(clause: str, limit: int) -> str:
    """The whole clause when it fits; else up to the last joining word within `limit`; else words."""
    if len(clause) <= limit:
        return clause
    cuts = [m.start() for m in _JOINS_RE.finditer(clause) if MIN_TITLE_CHARS <= m.start() <= limit]
    cut = clause[: cuts[-1]] if cuts else clause[: limit + 1].rsplit(" ", 1)[0]
    words = cut.rstrip(",;: ").split(" ")
    while len(words) > 1 and words[-1].lower() in _DANGLING:
        words.pop()
    return " ".join(words).rstrip(",;:")
