"""What a question asks for, and whether a sentence holds that kind of thing.

A "berapa" question wants a number, "kapan" a time (a year such as `1998` or
`91 SM`, a date such as `(5/7)` or `17 Agustus`, a season or a century), "siapa"
a person, "di mana" a place. These are evidence for the answer model, not rules:
it learns how much each one counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.colloquial import is_indonesian_word
from retrieval.countries import is_country
from retrieval.glossary import GLOSSARY
from retrieval.text import STOPWORDS, raw_tokens

KINDS = ("number", "time", "person", "place", "reason", "manner", "definition", "which", "other")

# Order matters: "tahun berapa" asks for a time, not a number; "berapa" is checked after it. Before
# both, "ulang tahun ke berapa" asks for an ordinal ("ke-75"), not a year.
_QUESTION_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("number", r"\b(ulang tahun|ultah|hut|peringatan|anniversary)( (yang|yg))? ?(ke ?berapa|keberapa)\b"),
        (
            "time",
            r"\b(kapan|kapankah|kpn|sejak kapan|(tahun|tanggal|tgl|thn|bulan|abad|hari|pukul|jam) (ke ?)?berapa"
            r"|pada (tahun|tanggal|abad|masa) apa|when|what (year|date|time|day|month|century))\b",
        ),
        (
            "number",
            r"\b(berapa|brp|berapakah|seberapa|keberapa|ke berapa|jumlah|how (many|much|long|old|far|big|large)"
            r"|se(besar|banyak|luas|tinggi|panjang|berat|mahal|gede) apa"
            r"|what (number|percentage|amount))\b",
        ),
        ("person", r"\b(siapa|siapakah|sapa|siapa saja|who|whom|whose|tokoh apa)\b"),
        (
            "place",
            r"\b(di ?mana|di ?manakah|dmn|ke ?mana|dari ?mana|where|(negara|kota|provinsi|pulau|benua|wilayah"
            r"|daerah|kabupaten|desa|tempat|lokasi|sungai|gunung|ibu ?kota) (apa|mana|manakah|apakah)|which "
            r"(country|city|province|island|continent|region|place))\b",
        ),
        ("reason", r"\b(mengapa|kenapa|knp|napa|why|alasan|apa sebab|penyebab|disebabkan)\b"),
        ("manner", r"\b(bagaimana|bagaimanakah|gimana|gmn|how)\b"),
        (
            "definition",
            r"\b(apa (itu|yang dimaksud|maksud|arti|pengertian|definisi)|apakah (yang dimaksud|maksud|arti|itu)"
            r"|pengertian|definisi|what (is|are|does) (a|an|the)?\b)",
        ),
        ("which", r"\b(apa|apakah|apa saja|manakah|mana|what|which)\b"),
    )
)

_NUMBER_WORDS = frozenset(
    """
    satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas belas puluh puluhan ratus
    ratusan ribu ribuan juta jutaan miliar milyar triliun separuh setengah seperempat pertama kedua
    ketiga keempat kelima lusin persen
    """.split()
)
_MONTHS = frozenset(
    """
    januari februari maret april mei juni juli agustus september oktober november desember jan feb mar
    apr jun jul agu ags agt sep sept okt nov des
    """.split()
)
# Words that name a time on their own. Left out on purpose: "lalu", "depan", "hingga", "sampai"
# (then, in front, up to: mostly not times), and the seasons' "gugur", "panas", "dingin" without
# "musim" ("Perang Dingin" is not a date).
_TIME_WORDS = _MONTHS | frozenset(
    """
    senin selasa rabu kamis jumat sabtu minggu pekan bulan tahun abad dekade windu kuartal triwulan
    semester malam pagi siang sore subuh kemarin besok lusa silam sejak musim tanggal pukul jam masehi
    era zaman periode masa
    """.split()
)
# Phrases that hold a time word without naming a time: a birthday is not a date, and a rate ("30.000
# personel per bulan", "tiap tahun") says how often, not when.
_NOT_TIME_RE = re.compile(
    r"\bulang tahun\b|\b(per|tiap|setiap|saban)\s+(hari|minggu|pekan|bulan|tahun)\b", re.IGNORECASE
)
_TODAY_RE = re.compile(r"\bhari (ini|itu|lalu|sebelumnya|berikutnya)\b", re.IGNORECASE)
# A number followed by an era marker is a year even when it is short: "91 SM", "1500 M".
_ERA_RE = re.compile(r"\b\d{1,4}\s*(SM|M|Masehi|BC|AD|BCE|CE|H|Hijriah)\b")
_YEAR_RE = re.compile(r"(?<![\d.,])(1[0-9]{3}|20[0-9]{2})(?![\d.,])")
_DATE_RE = re.compile(r"\(\s*\d{1,2}/\d{1,2}(/\d{2,4})?\s*\)|\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b")
_CENTURY_RE = re.compile(r"\babad\s+(ke-?\s*)?([0-9]+|[IVXLC]+)\b", re.IGNORECASE)
_REASON_RE = re.compile(
    r"\b(karena|sebab|akibat|sehingga|disebabkan|oleh karena|untuk|agar|supaya|demi|guna|alasan|dampak|because)\b",
    re.IGNORECASE,
)
# "di Jember", "ke Brussel", "kota Kendal": a place named after a word that introduces one.
_PLACE_RE = re.compile(
    r"\b(di|ke|dari|dekat|sekitar|utara|selatan|timur|barat|kota|provinsi|negara|kabupaten|desa|pulau|wilayah"
    r"|kawasan|daerah|distrik|benua|ibu kota|in|at|near)\s+[A-Z]",
)
_MANNER_RE = re.compile(r"\b(dengan|melalui|cara|lewat|menggunakan|secara)\b", re.IGNORECASE)
_DEFINITION_RE = re.compile(
    r"\b(adalah|merupakan|ialah|yaitu|yakni|disebut|dikenal sebagai|berarti|artinya|bermakna)\b", re.IGNORECASE
)
_NEGATION = frozenset("tidak tak bukan belum tanpa jangan non gak ga nggak enggak tdk blm bkn not never no".split())


def question_kind(question: str) -> str:
    """One of KINDS: what the question asks for."""
    for kind, pattern in _QUESTION_PATTERNS:
        if pattern.search(question):
            return kind
    return "other"


def has_number(sentence: str) -> bool:
    """Whether the sentence holds a digit or a number word."""
    return any(t[0].isdigit() or t.lower() in _NUMBER_WORDS for t in raw_tokens(sentence))


def has_time(sentence: str) -> bool:
    """A year (also `91 SM`), a date, a month or weekday, a century or another time expression."""
    if _ERA_RE.search(sentence) or _YEAR_RE.search(sentence) or _DATE_RE.search(sentence):
        return True
    if _CENTURY_RE.search(sentence) or _TODAY_RE.search(sentence):
        return True
    return any(t.lower() in _TIME_WORDS for t in raw_tokens(_NOT_TIME_RE.sub(" ", sentence)))


def name_tokens(tokens: list[str]) -> list[str]:
    """Capitalised words of a tokenised text ("Rutte", "NATO", "Herbert"): names, places,
    organisations. The first word counts only when it is no Indonesian or English word: "Hongaria
    telah memberi isyarat …" opens with the answer to "negara mana", "Namun …" and "The …" open with
    a capital only."""
    found = [t for t in tokens[1:] if t[0].isupper()]
    if tokens and _opens_with_name(tokens[0]):
        found.insert(0, tokens[0])
    return found


def _opens_with_name(token: str) -> bool:
    low = token.lower()
    if not token[0].isupper() or not token.isalpha() or len(token) < 2:
        return False
    return not (low in STOPWORDS or low in GLOSSARY or is_indonesian_word(low))


def names_a_country(tokens: list[str]) -> bool:
    """A capitalised country name ("Hongaria", "Korea Utara", "AS") anywhere in a tokenised text."""
    return any(t[0].isupper() and is_country(tokens, i) for i, t in enumerate(tokens))


def negated(text: str) -> bool:
    """Whether the text holds a negation word (tidak, belum, not, …)."""
    return any(t.lower() in _NEGATION for t in raw_tokens(text))


# A negation that closes a yes/no question asks "or not": at the end ("… atau tidak?"), before a
# particle ("… gak sih") or, typed as chat, before a preposition ("… bahaya gak buat eropa"). A
# negation before a verb or adjective ("gak setuju", "tidak untuk diperdagangkan") does negate.
_PARTICLES = frozenset("sih ya yah kah dong deh nih kan toh si".split())
_CHAT_NEGATIONS = _NEGATION & frozenset("gak ga nggak enggak".split())
_CHAT_PREPOSITIONS = frozenset("buat untuk utk bagi di ke sama dari".split())
_WH_WORDS = frozenset(
    """
    apa apakah siapa siapakah sapa berapa brp berapakah kapan kapankah kpn mana manakah dimana dmn mengapa
    kenapa knp napa bagaimana bagaimanakah gimana gmn sebutkan keberapa seberapa diapakan diapain ngapain mengapakan
    what who whom whose which when where why how
    """.split()
)
# A question opening with one of these and holding no question word asks yes or no: "Is NATO going
# to …", "benarkah …"; "Apakah NATO akan …" when a modal follows ("Apakah Bahasa resmi …" asks what).
_EN_AUXILIARIES = frozenset(
    "is are was were do does did will would can could has have had should shall may might must".split()
)
_ID_MODALS = frozenset(
    """
    benar betul mau akan bakal sudah udah udh telah masih msh pernah bisa dapat boleh harus perlu
    berniat ingin sedang emang memang termasuk
    """.split()
)
_YES_NO_OPENERS = frozenset({"benarkah", "betulkah", "masakah", "emangnya"})


def _tag_negations(lows: list[str]) -> set[int]:
    """Positions of negations that close a yes/no question rather than negate."""
    found = set()
    for i, low in enumerate(lows):
        after = lows[i + 1] if i + 1 < len(lows) else ""
        if low in _NEGATION and (
            not after or after in _PARTICLES or (low in _CHAT_NEGATIONS and after in _CHAT_PREPOSITIONS)
        ):
            found.add(i)
    return found


def question_negated(question: str) -> bool:
    """Whether a question negates something ("… yang tidak mempelajari reptil?"), not counting the
    negation that only asks yes or no ("rusia msh bahaya gak buat eropa")."""
    lows = [t.lower() for t in raw_tokens(question)]
    tags = _tag_negations(lows)
    return any(low in _NEGATION and i not in tags for i, low in enumerate(lows))


def asks_yes_no(question: str) -> bool:
    """Whether the question asks yes or no: an answer may then affirm or deny it ("UE bukan berupaya
    menggantikan peran NATO" answers "apakah UE mau menggantikan NATO?")."""
    tokens = raw_tokens(question)
    lows = [t.lower() for t in tokens]
    if not lows:
        return False
    first, rest = lows[0], lows[1:]
    if first in _EN_AUXILIARIES or first in _YES_NO_OPENERS:
        return not _WH_WORDS.intersection(rest)
    if _WH_WORDS.intersection(rest) or not rest:
        return False
    if first in ("apakah", "apa"):
        # "apa benar …", "Apakah Uni Eropa berniat …": a modal, or a name and a modal soon after it.
        # "Apa penyebab Korea bisa …" asks what.
        named = tokens[1][0].isupper() or is_country(tokens, 1)
        return lows[1] in _ID_MODALS or (named and bool(_ID_MODALS.intersection(lows[2:5])))
    if first in _WH_WORDS or "yang" in lows or "yg" in lows:
        return False
    return bool(_tag_negations(lows) or _ID_MODALS.intersection(lows))


@dataclass(frozen=True)
class SentenceEvidence:
    """Answer-type evidence in one sentence, as numbers the model can weigh."""

    number: bool
    time: bool
    names: int  # capitalised words after the first
    place: bool  # a name introduced as a place ("di Jember", "kota Kendal")
    reason: bool
    manner: bool
    definition: bool
    negated: bool

    def matches(self, kind: str) -> bool:
        """Does the sentence hold the kind of thing the question asks for?"""
        return {
            "number": self.number,
            "time": self.time,
            "person": self.names > 0,
            "place": self.place,
            "reason": self.reason,
            "manner": self.manner,
            "definition": self.definition,
        }.get(kind, True)


def sentence_evidence(sentence: str) -> SentenceEvidence:
    """The answer-type evidence in one sentence: numbers, times, names, places, reasons and the like."""
    tokens = raw_tokens(sentence)
    return SentenceEvidence(
        number=has_number(sentence),
        time=has_time(sentence),
        names=len(name_tokens(tokens)),
        place=bool(_PLACE_RE.search(sentence)) or names_a_country(tokens),
        reason=bool(_REASON_RE.search(sentence)),
        manner=bool(_MANNER_RE.search(sentence)),
        definition=bool(_DEFINITION_RE.search(sentence)),
        negated=negated(sentence),
    )
