"""Indonesian text handling: sentence splitting, tokens for BM25, language guess.

The splitter keeps decimals and thousands (`Rp353,2 triliun`, `30.000`), dates
like `(5/7)`, abbreviations and quoted speech (`“...,” kata Stoltenberg.`) in one
piece; sentences are returned as character spans so quotes stay verbatim.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Words that end with a period without ending a sentence. Lower-case, no dot.
ABBREVIATIONS = frozenset(
    """
    a.n an bpk dr drs dra prof ir jl jln no nomor hlm tel telp kec kab kel prov dll dsb dst tsb yth
    sdr sdri h hj kh st mr mrs ms jr sr vs etc inc ltd co corp gen jend kol letjen mayjen brigjen
    kapt lt sgt rev pt tbk cv ybs jan feb mar apr jun jul agu ags sep sept okt nov des
    pdt pdm mgr ny nn tn sdri drg apt kpt c ca kr dkk sbb vol ed cf
    """.split()
)
# Reference marks glued to the end of a sentence in Wikipedia-style text: "….[1] Next", "…![2][3] Next".
_FOOTNOTE_RE = re.compile(r"\[(?:\d{1,3}|[a-z]|catatan \d{1,3}|butuh rujukan)\]", re.IGNORECASE)

_OPENING_QUOTES = "“‘«"
_CLOSING_QUOTES = "”’»"
_SENTENCE_END = ".!?…"
_AFTER_END = "\"'”’»)]"


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at `dot` closes an abbreviation or an initial."""
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot]
    if not word:
        return False
    if len(word) == 1 and word.isupper():
        return True  # an initial: "J. Stoltenberg"
    return word.lower().rstrip(".") in ABBREVIATIONS or (word.count(".") >= 1 and len(word) <= 6)


def _quote_depth(text: str, end: int) -> int:
    """How many quotations are open before position `end` (straight quotes toggle)."""
    depth = 0
    straight_open = False
    for ch in text[:end]:
        if ch in _OPENING_QUOTES:
            depth += 1
        elif ch in _CLOSING_QUOTES and depth > 0:
            depth -= 1
        elif ch == '"':
            straight_open = not straight_open
    return depth + (1 if straight_open else 0)


def _starts_sentence(text: str, pos: int) -> bool:
    """Does a new sentence plausibly begin at `pos` (after the whitespace)?"""
    if pos >= len(text):
        return False
    ch = text[pos]
    if ch in _OPENING_QUOTES or ch in "\"'(":
        nxt = text[pos + 1 : pos + 2]
        return bool(nxt) and (nxt.isupper() or nxt.isdigit() or nxt in '"“.')
    return ch.isupper() or ch.isdigit()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split a paragraph into sentences, returned as (start, end) character spans."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    start = n - len(text.lstrip())
    i = 0
    while i < n:
        if text[i] not in _SENTENCE_END:
            i += 1
            continue
        end = i + 1
        while end < n:
            if text[end] in _SENTENCE_END or text[end] in _AFTER_END:
                end += 1
            elif (mark := _FOOTNOTE_RE.match(text, end)) is not None:
                end = mark.end()
            else:
                break
        if end < n and not text[end].isspace():
            i = end  # "30.000", "5/7." or "U.S.A": not a boundary
            continue
        nxt = end
        while nxt < n and text[nxt].isspace():
            nxt += 1
        boundary = nxt >= n or (
            _starts_sentence(text, nxt)
            and not (text[i] == "." and _is_abbreviation(text, i))
            and _quote_depth(text, end) == 0
            and text[start:i].strip(" .…\"“”'") != ""
        )
        if boundary:
            spans.append((start, end))
            start = nxt
        i = end
    if start < n and text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(s, e) for s, e in spans if text[s:e].strip()]


# --- tokens for lexical search -------------------------------------------------

STOPWORDS_ID = frozenset(
    """
    ada adalah adanya agar akan akhirnya aku anda antara apa apakah atas atau bagaimana bagi bahwa
    baik banyak beberapa begitu belum berapa berada bisa boleh bukan cara dalam dan dapat dari
    daripada dengan di dia diri dimana ini itu jadi jika juga kah kami kamu kan kapan karena kata ke
    kenapa kepada ketika kini kita lagi lain lalu maka mana masih mengapa menurut mereka nya oleh
    pada para pun saat saja sama sangat saya sebagai sebelum secara sedang sehingga sejak selain
    sementara seperti serta siapa sudah supaya tapi telah tentang tersebut tetapi tidak untuk walau
    yaitu yakni yang dimanakah siapakah apakah berapakah kapankah bagaimanakah mengapakah sih dong
    deh kok ya tolong jelaskan sebutkan apa saja apanya gimana kenapa
    """.split()
)
STOPWORDS_EN = frozenset(
    """
    a an and are as at be been by can could did do does for from had has have how i in is it its of
    on or that the their there these this to was were what when where which who whom why will with
    would about into than then they them he she his her we you your our me my many much
    """.split()
)
STOPWORDS = STOPWORDS_ID | STOPWORDS_EN

# Informal spellings and abbreviations users type, mapped to the article's words.
ALIASES: dict[str, tuple[str, ...]] = {
    "brp": ("berapa",),
    "gmn": ("bagaimana",),
    "gimana": ("bagaimana",),
    "yg": ("yang",),
    "dgn": ("dengan",),
    "utk": ("untuk",),
    "tdk": ("tidak",),
    "gak": ("tidak",),
    "nggak": ("tidak",),
    "sm": ("sama",),
    "dr": ("dari",),
    "krn": ("karena",),
    "org": ("orang",),
    "tsb": ("tersebut",),
    "menlu": ("menteri", "luar", "negeri"),
    "menhan": ("menteri", "pertahanan"),
    "sekjen": ("sekretaris", "jenderal"),
    "pm": ("perdana", "menteri"),
    # Colloquial words for what news articles say formally.
    "peluru": ("amunisi",),
    "ultah": ("ulang", "tahun"),
    "hanud": ("pertahanan", "udara"),
    "gede": ("besar",),
    "kasih": ("beri",),
    "ngasih": ("beri",),
    "nyari": ("cari",),
    "duit": ("dana",),
    "sinyal": ("isyarat",),
    "ngatur": ("atur",),
    "bilang": ("kata",),
    "ue": ("uni", "eropa"),
    "eu": ("uni", "eropa"),
    "ktt": ("pertemuan", "puncak"),
    "as": ("amerika", "serikat"),
    "us": ("amerika", "serikat"),
    "usa": ("amerika", "serikat"),
    "dk": ("dewan", "keamanan"),
    "pbb": ("perserikatan", "bangsa"),
    "ai": ("kecerdasan", "buatan"),
    "jt": ("juta",),
    "rb": ("ribu",),
    "m": ("miliar",),
    "t": ("triliun",),
}
# Alias keys that are ordinary words in lower case: expand them only when written in capitals.
_CASE_SENSITIVE_ALIASES = frozenset({"as", "us", "ue", "eu", "m", "t", "dk", "ai"})

# Words that only frame a question ("apa pengertian X", "yang dimaksud dengan X"): in a passage
# they may carry meaning, in a question they would lift every paragraph that defines anything.
QUESTION_FILLERS = frozenset(
    """
    pengertian dimaksud maksud definisi definisikan jelaskan terangkan sebutkan uraikan artikel berita
    disebutkan dijelaskan menurut tolong mohon kasih tahu kasihtau tau dong nih sih deh kak min gan bro mau
    keberapa please tell explain
    """.split()
)


def _synonyms(*words: str) -> dict[str, tuple[str, ...]]:
    """Each of `words` as an ALTERNATIVES key: itself first (the word the question used leads its
    group), then the others in the order given."""
    return {word: (word, *(other for other in words if other != word)) for word in words}


# Other names of the same thing: a capital for its country ("Kyiv" in a question, "Ukraina" in the
# article), and spellings that differ between outlets. Any one found counts as the question's word.
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "kyiv": ("kyiv", "kiev", "ukraina"),
    "kiev": ("kyiv", "kiev", "ukraina"),
    "moskow": ("moskow", "moscow", "rusia", "kremlin"),
    "moscow": ("moskow", "moscow", "rusia", "kremlin"),
    "kremlin": ("kremlin", "moskow", "rusia"),
    "washington": ("washington", "amerika"),
    "brussel": ("brussel", "brussels", "brusel"),
    "brussels": ("brussel", "brussels", "brusel"),
    "brusel": ("brussel", "brussels", "brusel"),
    "beijing": ("beijing", "china", "tiongkok"),
    "tiongkok": ("tiongkok", "china"),
    "china": ("china", "tiongkok", "cina"),
    "cina": ("cina", "china", "tiongkok"),
    "paris": ("paris", "prancis", "perancis"),
    "prancis": ("prancis", "perancis"),
    "perancis": ("prancis", "perancis"),
    "berlin": ("berlin", "jerman"),
    "london": ("london", "inggris", "britania"),
    "inggris": ("inggris", "britania"),
    "warsawa": ("warsawa", "warsaw", "polandia"),
    "warsaw": ("warsawa", "warsaw", "polandia"),
    "budapest": ("budapest", "budapes", "hongaria"),
    "stockholm": ("stockholm", "swedia"),
    "helsinki": ("helsinki", "finlandia"),
    "ankara": ("ankara", "turki"),
    "tokyo": ("tokyo", "jepang"),
    "teheran": ("teheran", "tehran", "iran"),
    "tehran": ("teheran", "tehran", "iran"),
    "amerika": ("amerika", "as"),
    # Words for one event: "mundur" (stem of "mengundurkan" is "undur"), "lengser", an offensive.
    "mundur": ("mundur", "undur", "lengser"),
    "undur": ("mundur", "undur", "lengser"),
    "lengser": ("mundur", "undur", "lengser"),
    "ofensif": ("ofensif", "serang"),
    # Opposing (stem "tentang", which as "about" is a stopword): news writes the same stance as
    # "oposisi" or "melawan".
    "menentang": ("menentang", "oposisi", "melawan", "menolak"),
    "ditentang": ("ditentang", "oposisi", "melawan", "menolak"),
    "oposisi": ("oposisi", "menentang", "melawan", "menolak"),
    # Refusing a proposal is opposing it: "negara mana yg nolak dana itu" asks for the member that
    # signalled opposition.
    "menolak": ("menolak", "menentang", "oposisi", "melawan"),
    "ditolak": ("ditolak", "menentang", "oposisi", "melawan"),
    # Money for a cause: "dukungan dana", "dukungan finansial" and "dukungan keuangan" say one thing.
    **_synonyms("dana", "finansial", "keuangan"),
    # Taking part in a war: "ikut terjun" in chat, "terlibat" in news.
    **_synonyms("terjun", "terlibat"),
    # Now: "kini" in news, "sekarang" in chat.
    **_synonyms("kini", "sekarang"),
    # Chat says "rapat" and "khawatir" where news says "pertemuan" and "cemas".
    **_synonyms("rapat", "pertemuan"),
    **_synonyms("khawatir", "cemas"),
}

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
_THOUSANDS_RE = re.compile(r"^\d{1,3}(?:\.\d{3})+$")


def normalize_number(token: str) -> str:
    """`30.000` → `30000`; `20,9` → `20.9` (Indonesian decimal comma)."""
    if _THOUSANDS_RE.match(token):
        return token.replace(".", "")
    if re.fullmatch(r"\d+,\d+", token):
        return token.replace(",", ".")
    return token


def fold(text: str) -> str:
    """Normalise Unicode (NFKC) and fold accents so `Władysław` matches `Wladyslaw`."""
    text = unicodedata.normalize("NFKC", text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ł", "l").replace("Ł", "L")


def raw_tokens(text: str) -> list[str]:
    """Words and numbers in their original case, hyphenated words kept whole."""
    return list(_raw_tokens(text))


@lru_cache(maxsize=16_384)
def _raw_tokens(text: str) -> tuple[str, ...]:
    # Corpus sentences are tokenised again for every question that retrieves them; Unicode
    # folding is most of the cost of quote selection, so remember recent results.
    return tuple(_TOKEN_RE.findall(fold(text)))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Sastrawi stem of one lower-case word (cached: Sastrawi is slow per call)."""
    if not word.isalpha() or len(word) <= 3:
        return word
    stemmed: str = _stemmer().stem(word)
    return stemmed or word


def _expand(token: str, case_sensitive: frozenset[str] = _CASE_SENSITIVE_ALIASES) -> tuple[str, ...]:
    low = token.lower()
    if low in ALIASES and (low not in case_sensitive or token.isupper()):
        return ALIASES[low]
    return (low,)


def content_terms(text: str, *, use_stemming: bool = True, translate: bool = False) -> list[str]:
    """Lexical terms for BM25: aliases expanded, stopwords dropped, numbers normalised, stemmed.

    With `translate`, English news words also add their Indonesian equivalents
    (for questions: documents are Indonesian).
    """
    tokens = raw_tokens(text)
    if translate:
        from retrieval.glossary import GLOSSARY

        # Replace rather than add: an untranslated English word would count as
        # a question term the articles lack and make the evidence look weaker.
        tokens = [GLOSSARY.get(t.lower(), t) for t in tokens]
    terms: list[str] = []
    for token in tokens:
        if token[0].isdigit():
            terms.append(normalize_number(token))
            continue
        for word in _expand(token):
            parts = [word, *word.split("-")] if "-" in word else [word]
            for part in parts:
                if part in STOPWORDS or len(part) < 2:
                    continue
                terms.append(stem(part) if use_stemming else part)
    return terms


@dataclass(frozen=True)
class TermGroup:
    """One word of a question as lexical terms: any of `terms` found in a passage counts."""

    terms: tuple[str, ...]
    name: bool = False  # written with a capital after the first word: a name, place or organisation
    number: bool = False
    untranslated: bool = False  # a word of an English question the glossary does not know
    asks_for: bool = False  # names the kind of answer ("negara mana", "which city"): rarely in the answer


def _shouting(tokens: Sequence[str]) -> bool:
    """An ALL-CAPS question carries no case information: nothing in it is marked as a name."""
    letters = [t for t in tokens if t[0].isalpha()]
    return len(letters) >= 3 and sum(t.isupper() for t in letters) >= 0.6 * len(letters)


def question_terms(text: str, *, english: bool | None = None) -> list[TermGroup]:
    """A question's terms grouped per word, with English words translated and alternatives attached.

    Casual spellings are standardised first ("yg gantiin" → "yang gantikan"). Stopwords and
    question framing ("pengertian", "jelaskan") are dropped; a word spelled differently or named
    by its capital ("Kyiv" → Ukraina) gets its alternatives. English words are translated with
    the glossary: every word of an English question, and in an Indonesian one only words that are
    not Indonesian ("air" stays water).
    """
    from retrieval.colloquial import is_indonesian_word, standardize
    from retrieval.countries import is_country
    from retrieval.glossary import GLOSSARY, join_phrases

    if english is None:
        english = guess_language(text) == "en"
    if english:
        text = join_phrases(text)
    tokens = raw_tokens(_DISAGREE_RE.sub("menentang", standardize(text)))
    no_case = _shouting(tokens)
    kind_nouns = _answer_kind_nouns(tokens)
    groups: list[TermGroup] = []
    seen: set[tuple[str, ...]] = set()
    for i, token in enumerate(tokens):
        if token[0].isdigit():
            found = [TermGroup((normalize_number(token),), number=True)]
        else:
            is_name = not no_case and token[0].isupper() and (i > 0 or (token.isupper() and len(token) > 1))
            is_name = is_name or is_country(tokens, i)  # "menlu prancis": a country however it is typed
            low = token.lower()
            translated = low in GLOSSARY and (english or not is_indonesian_word(low))
            word = GLOSSARY[low] if translated else token
            untranslated = english and not translated and not is_name
            asks_for = i in kind_nouns and not is_name
            found = [
                TermGroup(terms, name=is_name, untranslated=untranslated, asks_for=asks_for)
                for terms in _word_groups(word)
            ]
        for group in found:
            if group.terms and group.terms not in seen:
                seen.add(group.terms)
                groups.append(group)
    return groups


# "Tidak setuju" (disagree) is one word's meaning, opposing: news writes "menentang", "oposisi".
# Read word by word it would ask for "setuju", the reverse of what the article says.
_DISAGREE_RE = re.compile(r"\b(tidak|tak|gak|nggak|ngga|enggak|tdk|kurang)\s+(setuju|sepakat)\b", re.IGNORECASE)

_KIND_AFTER = frozenset({"mana", "manakah", "apa", "apakah"})  # "negara mana", "langkah apa"
_KIND_BEFORE = frozenset({"which"})  # "which country"


def _answer_kind_nouns(tokens: Sequence[str]) -> set[int]:
    """Positions of words that say what kind of thing is asked for: "Negara mana saja …", "Di kota
    mana …", "which city …". The answer names an instance (Prancis, Brussels), seldom the word."""
    from retrieval.colloquial import is_indonesian_word

    lows = [t.lower() for t in tokens]
    # The kind is a common word: in "ibu kota australia apa" the word before "apa" is the place
    # asked about, typed in lower case, and its absence from a passage does count.
    found = {
        i
        for i in range(len(lows) - 1)
        if lows[i + 1] in _KIND_AFTER and lows[i].isalpha() and is_indonesian_word(lows[i])
    }
    found |= {i + 1 for i in range(len(lows) - 1) if lows[i] in _KIND_BEFORE}
    return found


# In a question typed in lower case, "eu" and "ue" are still the Union: chat writes "eu mau …".
# (In articles they stay case-sensitive, so the lexical index's rules do not change.)
_QUESTION_CASE_SENSITIVE_ALIASES = _CASE_SENSITIVE_ALIASES - {"eu", "ue"}


def _word_groups(token: str) -> list[tuple[str, ...]]:
    low = token.lower()
    if low in QUESTION_FILLERS:
        return []
    if low in ALTERNATIVES:
        return [tuple(dict.fromkeys(stem(w) for w in ALTERNATIVES[low]))]
    groups: list[tuple[str, ...]] = []
    for word in _expand(token, _QUESTION_CASE_SENSITIVE_ALIASES):
        parts = [word, *word.split("-")] if "-" in word else [word]
        kept = [stem(p) for p in parts if p not in STOPWORDS and p not in QUESTION_FILLERS and len(p) >= 2]
        if kept:
            groups.append(tuple(dict.fromkeys(kept)))
    return groups


def flatten_terms(groups: Sequence[TermGroup]) -> list[str]:
    """Every term of every group, for BM25 (alternatives all search)."""
    return [term for group in groups for term in group.terms]


_EN_MARKERS = frozenset(
    """
    the what who whom which when where why how is are was were does did do of and with about many
    much will would could should has have been their there this that
    """.split()
)
_ID_MARKERS = frozenset(
    """
    yang apa siapa berapa kapan dimana mana mengapa kenapa bagaimana gimana apakah dan dengan di ke
    dari untuk pada ini itu adalah akan tidak sudah oleh sebagai dalam para brp yg
    """.split()
)


def _digest(*parts: object) -> str:
    payload = json.dumps(parts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


# Bump when the splitting or term *code* changes; the word lists are hashed below by themselves.
SENTENCE_RULES_VERSION = 2
LEXICAL_RULES_VERSION = 3


def sentence_rules() -> str:
    """Names the sentence splitting a saved index was built with: a changed abbreviation list
    rebuilds it on the next start, with no version to bump."""
    digest = _digest(sorted(ABBREVIATIONS), _FOOTNOTE_RE.pattern, _SENTENCE_END, _AFTER_END)
    return f"indonesian-rules-v{SENTENCE_RULES_VERSION}:{digest}"


def lexical_rules() -> str:
    """Names how paragraphs became BM25 terms: stopwords, aliases, tokenising and the stemmer's
    version. A saved index built otherwise is rebuilt on the next start."""
    aliases = {word: list(forms) for word, forms in ALIASES.items()}
    digest = _digest(
        sorted(STOPWORDS),
        aliases,
        sorted(_CASE_SENSITIVE_ALIASES),
        _TOKEN_RE.pattern,
        _THOUSANDS_RE.pattern,
        _stemmer_version(),
    )
    return f"sastrawi+stopwords+aliases-v{LEXICAL_RULES_VERSION}:{digest}"


def _stemmer_version() -> str:
    try:
        return importlib.metadata.version("PySastrawi")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - installed with the bot
        return "unknown"


def guess_language(text: str) -> str:
    """'en' when the text reads as English, else 'id' (the default for the bot)."""
    words = [w.lower() for w in raw_tokens(text) if not w[0].isdigit()]
    en = sum(w in _EN_MARKERS for w in words)
    idn = sum(w in _ID_MARKERS for w in words)
    return "en" if en > idn else "id"


def has_searchable_text(text: str) -> bool:
    """False for emoji-only, punctuation-only or markup-only input."""
    return any(ch.isalnum() for ch in strip_markup(text))


_INVISIBLE_RE = re.compile(r"[\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ufffd\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """Lone surrogates (a client's broken emoji) replaced by U+FFFD: such text cannot be encoded
    as UTF-8, so it would fail deep inside the embedding model or an HTTP request."""
    return _SURROGATE_RE.sub("\ufffd", text)


def normalize_question(text: str) -> str:
    """The one form of a question that every stage sees (cache key, embedding, lexical terms).

    Unicode NFKC, zero-width and control characters removed (a zero-width space inside a word
    would split it), whitespace collapsed, and an ALL-CAPS question put in sentence case: the
    embedding of shouted text differs from the same words written normally.
    """
    text = _INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", text))
    text = " ".join(text.split())
    if _shouting(raw_tokens(text)):
        text = text.lower()
        text = text[:1].upper() + text[1:]
    return text


_TAG_RE = re.compile(r"<[^>]{0,200}>")


def strip_markup(text: str) -> str:
    """Drop HTML tags and collapse whitespace: users paste HTML-laden text."""
    import html

    return " ".join(html.unescape(_TAG_RE.sub(" ", text)).split())
