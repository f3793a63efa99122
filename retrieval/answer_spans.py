"""Where in a quoted sentence the thing the question asks for is: character spans, never new text.

"Berapa …?" is answered by the number in the sentence ("350.000", "20,9 miliar euro"), "kapan" by
its date or time, "siapa" by a name, "di mana" by a place. Simple rules over the quoted text and the
question's kind (`retrieval.answer_types.question_kind`); what the question already says ("Siapa
pengganti Stoltenberg?" names Stoltenberg) is never the answer. The adapters mark the spans up; the
characters between them stay the quote's own.
"""

from __future__ import annotations

import re

from retrieval.answer_types import question_kind
from retrieval.text import raw_tokens

Span = tuple[int, int]

MAX_SPANS = 3  # more than this and nothing stands out any more

_SCALE = r"(?:ribu|juta|miliar|milyar|triliun|persen|thousand|million|billion|trillion|percent)"
_UNIT = (
    r"(?:euro|dolar|dollar|rupiah|USD|US\$|poundsterling|pound|yen|yuan|rubel|won|km|kilometer|meter|ton|kg"
    r"|orang|personel|tentara|prajurit|unit|sistem|negara|anggota|tahun|bulan|hari|jet|tank|rudal)"
)
_NUMBER_WORD = (
    r"(?:satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|seribu|setengah|separuh"
    r"|puluhan|ratusan|ribuan|jutaan)"
)
_NUMBER_RE = re.compile(
    rf"(?<![\w.,])(?:(?:Rp|US\$|\$|€|£)\s?)?(?:\d+(?:[.,]\d+)*|{_NUMBER_WORD}(?:\s(?:belas|puluh|ratus))?)"
    rf"(?:\s?%|\s{_SCALE})?(?:\s{_UNIT})?(?![\w])",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
    r"|January|February|March|May|June|July|August|October|December)"
)
_DAY = r"(?:Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_TIME_RE = re.compile(
    rf"(?:{_DAY}\s*)?\(\s*\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\s*\)"  # Jumat (5/7)
    rf"|(?:{_DAY},?\s+)?(?:\d{{1,2}}\s+)?{_MONTH}(?:\s+\d{{4}})?"  # 17 Agustus 2024, Juli 2024
    r"|\b(?:tahun\s+)?(?:1[0-9]{3}|20[0-9]{2})\b"  # 1949, tahun 2024
    r"|\b(?:musim\s+(?:gugur|semi|panas|dingin|hujan|kemarau))(?:\s+(?:ini|lalu|depan|mendatang)|\s+\d{4})?"
    r"|\b(?:pekan|minggu|bulan|tahun)\s+(?:depan|lalu|ini|mendatang)\b"
    rf"|\b{_DAY}\b"
)
_NAME_WORD = r"[A-ZÀ-Ý](?:[\w'’-]|\.(?=\w))*"  # "Kosiniak-Kamysz", "A.S."; not a sentence's full stop
_NAME_RE = re.compile(rf"{_NAME_WORD}(?:\s+(?:(?:bin|binti|van|von|de|al)\s+)?{_NAME_WORD})*")
# Capitalised words that introduce a name rather than being one.
_TITLES = frozenset(
    """
    sekretaris jenderal presiden wakil menteri perdana kanselir ketua kepala direktur juru bicara jubir
    gubernur wali bupati raja ratu pangeran komandan panglima jenderal duta besar dubes senator anggota
    mr mrs dr prof pertahanan luar dalam negeri keuangan umum
    """.split()
)
_PLACE_INTRO_RE = re.compile(
    r"\b(?:di|ke|dari|kota|provinsi|negara|ibu kota|wilayah|kawasan|pangkalan|markas|in|at|to|from)\s+(?=[A-Z])"
)


def answer_spans(question: str, sentence: str) -> tuple[Span, ...]:
    """Spans of `sentence` that answer what `question` asks (a number, time, name or place); may be empty."""
    finder = _FINDERS.get(question_kind(question))
    if finder is None:
        return ()
    asked = {t.lower() for t in raw_tokens(question)}
    spans = [span for span in finder(sentence) if not _already_asked(sentence[span[0] : span[1]], asked)]
    return tuple(spans[:MAX_SPANS])


def _already_asked(found: str, asked: set[str]) -> bool:
    """Every word of the span is in the question: it is what was asked about, not the answer."""
    words = [t.lower() for t in raw_tokens(found)]
    return bool(words) and all(w in asked for w in words)


def _numbers(sentence: str) -> list[Span]:
    """Amounts with their scale and unit; number words ("tiga hari") only when no figure is written."""
    found = [m for m in _NUMBER_RE.finditer(sentence) if not _is_year_only(m.group())]
    figures = [m for m in found if any(c.isdigit() for c in m.group())]
    return [m.span() for m in figures or found]


def _is_year_only(found: str) -> bool:
    """A bare year ("2024") answers "kapan", not "berapa"."""
    return bool(re.fullmatch(r"(?:1[0-9]{3}|20[0-9]{2})", found))


def _times(sentence: str) -> list[Span]:
    return [m.span() for m in _TIME_RE.finditer(sentence)]


def _names(sentence: str) -> list[Span]:
    """Runs of capitalised words; titles ("Sekretaris Jenderal"), a lone opening word and acronyms left out."""
    opening = len(sentence) - len(sentence.lstrip(" “\"'‘("))
    spans: list[Span] = []
    for match in _NAME_RE.finditer(sentence):
        words = [w for w in re.finditer(r"\S+", match.group()) if w.group().lower() not in _TITLES]
        before = sentence[: match.start()].split()
        titled = len(words) < len(match.group().split()) or (before and before[-1].lower() in _TITLES)
        if titled and len(words) >= 3:
            words = words[1:]  # "(perdana menteri) Belanda Mark Rutte", "Presiden Prancis Emmanuel Macron"
        lone = len(words) == 1 and (match.start() + words[0].start() == opening or words[0].group().isupper())
        if not words or lone:
            continue  # "Para", "Dalam" opening the sentence; "NATO" is no person
        spans.append((match.start() + words[0].start(), match.start() + words[-1].end()))
    full_names = [(a, b) for a, b in spans if " " in sentence[a:b]]
    return full_names or spans  # "Kaja Kallas" rather than every country around her


def _places(sentence: str) -> list[Span]:
    spans = []
    for intro in _PLACE_INTRO_RE.finditer(sentence):
        match = _NAME_RE.match(sentence, intro.end())
        if match:
            spans.append(match.span())
    return spans


_FINDERS = {"number": _numbers, "time": _times, "person": _names, "place": _places}
