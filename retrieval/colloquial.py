"""Casual → standard Indonesian for questions typed in chat.

People in Telegram groups write "siapa yg gantiin stoltenberg?" or "udh gabung nato blm?";
the articles are formal ("yang menggantikan", "sudah bergabung ... belum"). BM25 only matches
words, so `standardize` rewrites the casual spellings first:

* a hand-written word list of chat abbreviations and informal words (`yg` → `yang`,
  `gak` → `tidak`, `ngasih` → `memberi`, `bilang` → `berkata`, ...);
* affix rules for colloquial verb forms (`gantiin` → `gantikan`, `nyerang` → `menyerang`,
  `dikirimin` → `dikirimkan`), accepted only when Sastrawi's root-word dictionary knows the
  root, so that real words are never broken.

Everything the rewriter does not change (punctuation, numbers such as `30.000` or
`Rp353,2`, names, spacing) is kept character for character.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

from retrieval.glossary import GLOSSARY

# --- the word list ------------------------------------------------------------------------
# Written for this project from everyday Indonesian chat usage. Deliberately missing: words
# that are also common standard words with another meaning, e.g. `buat` (make / for), `mau`
# (want / will), `kasih` (give / love, "terima kasih"), `kaya` (like / rich), `liat`
# (see / "tanah liat"), `bakal` (will / "bakal calon"), `balik` (return / behind), `kali`
# (maybe / times), `gua` (I / cave), `gada` (none / mace), `pas` (when / exact), `biar`,
# `ngapain` (why / doing what), `kek`, `lo`, `km` (kamu / kilometre), `cm`, `th`, `hr`, `g`.
# Fillers (`sih`, `dong`, `deh`, `kok`, `nih`, `lho`, `kah`) stay: the lexical stopword list
# drops the ones that carry nothing and "kok" can mean "why".
# fmt: off
_SLANG: dict[str, str] = {
    # negation
    "gak": "tidak", "ga": "tidak", "gk": "tidak", "nggak": "tidak", "ngga": "tidak",
    "nggk": "tidak", "ngak": "tidak", "enggak": "tidak", "engga": "tidak", "kagak": "tidak",
    "kaga": "tidak", "ndak": "tidak", "nda": "tidak", "tdk": "tidak",
    "gaada": "tidak ada", "gakada": "tidak ada", "bkn": "bukan", "gpp": "tidak apa-apa",
    # aspect and modality
    "udh": "sudah", "udah": "sudah", "uda": "sudah", "sdh": "sudah", "dah": "sudah",
    "sudh": "sudah", "blm": "belum", "blom": "belum", "belom": "belum", "lg": "lagi",
    "lgi": "lagi", "msh": "masih", "masi": "masih", "bs": "bisa", "bsa": "bisa", "hrs": "harus",
    "kudu": "harus", "akn": "akan", "bakalan": "akan", "pengen": "ingin", "pengin": "ingin",
    "pingin": "ingin", "kepengen": "ingin", "kepingin": "ingin", "pgn": "ingin", "jd": "jadi",
    "jdi": "jadi", "trus": "terus", "trs": "terus", "abis": "habis", "ttp": "tetap",
    "tetep": "tetap", "sempet": "sempat", "pernh": "pernah",
    # question words
    "yg": "yang", "yng": "yang", "brp": "berapa", "brapa": "berapa", "gmn": "bagaimana",
    "gmna": "bagaimana", "gimana": "bagaimana", "gmana": "bagaimana", "bgmn": "bagaimana",
    "knp": "kenapa", "knpa": "kenapa", "napa": "kenapa", "knapa": "kenapa", "ngapa": "kenapa",
    "dmn": "di mana", "dmna": "di mana", "dimana": "di mana", "dmana": "di mana",
    "kemana": "ke mana", "kmn": "ke mana", "darimana": "dari mana", "drmn": "dari mana",
    "kpn": "kapan", "sp": "siapa", "sapa": "siapa", "apaan": "apa",
    # conjunctions and prepositions
    "tp": "tapi", "tpi": "tapi", "krn": "karena", "karna": "karena", "krna": "karena",
    "dr": "dari", "dri": "dari", "dgn": "dengan", "dg": "dengan", "dng": "dengan",
    "ama": "sama", "sm": "sama", "utk": "untuk", "unt": "untuk", "kpd": "kepada", "pd": "pada",
    "ttg": "tentang", "tntg": "tentang", "thd": "terhadap", "thdp": "terhadap", "dlm": "dalam",
    "spt": "seperti", "sprt": "seperti", "kayak": "seperti", "kyk": "seperti", "sbg": "sebagai",
    "sbgai": "sebagai", "ato": "atau", "atw": "atau", "klo": "kalau", "kalo": "kalau",
    "klu": "kalau", "jg": "juga", "jga": "juga", "aja": "saja", "aj": "saja", "ajah": "saja",
    "doang": "saja", "cuma": "hanya", "cuman": "hanya", "emg": "memang", "emang": "memang",
    "mmg": "memang", "bgt": "sangat", "banget": "sangat", "bngt": "sangat", "sblm": "sebelum",
    "stlh": "setelah", "ssdh": "sesudah", "skitar": "sekitar", "sktr": "sekitar",
    "smua": "semua", "smw": "semua", "bnyk": "banyak", "byk": "banyak", "dikit": "sedikit",
    "sdikit": "sedikit", "gitu": "begitu", "gtu": "begitu", "gini": "begini",
    "bareng": "bersama", "barengan": "bersamaan", "ampe": "sampai", "sampe": "sampai",
    "pdhl": "padahal", "sbnrnya": "sebenarnya", "sebenernya": "sebenarnya",
    "trnyata": "ternyata", "mksd": "maksud", "mksdnya": "maksudnya", "pny": "punya",
    "pnya": "punya", "kyknya": "sepertinya",
    # time
    "skrg": "sekarang", "skrng": "sekarang", "skr": "sekarang", "kmrn": "kemarin",
    "kemaren": "kemarin", "kmarin": "kemarin", "bsk": "besok", "ntar": "nanti", "ntr": "nanti",
    "nnti": "nanti", "entar": "nanti", "td": "tadi", "tdi": "tadi", "tgl": "tanggal",
    "thn": "tahun", "taun": "tahun", "bln": "bulan", "mgg": "minggu", "dlu": "dulu",
    "bentar": "sebentar", "sbntr": "sebentar", "malem": "malam", "semalem": "semalam",
    # numbers and money
    "jt": "juta", "jta": "juta", "rb": "ribu", "rbu": "ribu", "milyar": "miliar",
    "trilyun": "triliun", "duit": "uang",
    # people
    "org": "orang", "orng": "orang", "gw": "saya", "gue": "saya", "ane": "saya", "lu": "kamu",
    "elu": "kamu", "elo": "kamu", "mrk": "mereka", "mrka": "mereka", "temen": "teman",
    "tmn": "teman", "ortu": "orang tua", "cowok": "pria", "cowo": "pria", "cewek": "wanita",
    "cewe": "wanita", "bokap": "ayah", "nyokap": "ibu", "mentri": "menteri", "negri": "negeri",
    # adjectives
    "gede": "besar", "bener": "benar", "bnr": "benar", "beneran": "benar", "cepet": "cepat",
    "deket": "dekat", "rame": "ramai", "ancur": "hancur", "seneng": "senang", "gampang": "mudah",
    "males": "malas", "pinter": "pintar", "telat": "terlambat", "kluar": "keluar",
    # verbs the affix rules cannot derive (irregular, or an ambiguous root)
    "bilang": "berkata", "blg": "berkata", "dibilang": "dikatakan", "dibilangin": "dikatakan",
    "bilangin": "katakan", "ngomong": "berbicara", "ngomongin": "membicarakan",
    "diomongin": "dibicarakan", "ngasih": "memberi", "ngasihin": "memberikan", "dikasih": "diberi",
    "dikasihin": "diberikan", "kasihin": "berikan", "ngasi": "memberi", "dikasi": "diberi",
    "bikin": "membuat", "bkin": "membuat", "bikinin": "membuatkan", "dibikin": "dibuat",
    "dibikinin": "dibuatkan", "ngerti": "mengerti", "tau": "tahu", "ketauan": "ketahuan",
    "pake": "pakai", "make": "memakai", "dipake": "dipakai", "dapet": "dapat", "dpt": "dapat",
    "ngeliat": "melihat", "diliat": "dilihat", "liatin": "lihat", "denger": "dengar",
    "ngedenger": "mendengar", "didenger": "didengar", "dengerin": "dengarkan",
    "ketemu": "bertemu", "ketemuan": "bertemu", "nemu": "menemukan", "kelar": "selesai",
    "mikir": "berpikir", "nyampe": "sampai", "naro": "menaruh", "naruh": "menaruh",
    "taro": "taruh", "nyari": "mencari", "nyariin": "mencarikan", "nyuri": "mencuri",
    "nyabut": "mencabut", "nyium": "mencium", "nyoba": "mencoba", "nyobain": "mencoba",
    "nyatet": "mencatat", "nyetak": "mencetak", "nyegah": "mencegah", "nyampur": "mencampur",
    "nyulik": "menculik", "nyuci": "mencuci", "ngilang": "menghilang", "ngapus": "menghapus",
    "ngitung": "menghitung", "ngabisin": "menghabiskan", "ngancurin": "menghancurkan",
    "ngadepin": "menghadapi", "ngadapin": "menghadapi", "ngubungin": "menghubungi",
    "ngormatin": "menghormati", "ngasilin": "menghasilkan", "ngebayar": "membayar",
    "ngebales": "membalas", "bales": "balas", "nanya": "bertanya", "nongol": "muncul",
    "ngaku": "mengaku", "ngerasa": "merasa", "kerasa": "terasa", "kepilih": "terpilih",
    "ketangkep": "tertangkap", "ketembak": "tertembak", "kebakar": "terbakar",
    "kepake": "terpakai", "bantuin": "membantu", "dibantuin": "dibantu", "nonjok": "meninju",
    "makasih": "terima kasih", "mksh": "terima kasih", "tlg": "tolong", "wkt": "waktu", "bgs": "bagus",
    "ngarep": "mengharap", "ngarepin": "mengharapkan", "setujuin": "menyetujui",
    "nyetujuin": "menyetujui", "disetujuin": "disetujui", "kuatir": "khawatir",
    "pilpres": "pemilu presiden", "pileg": "pemilu legislatif", "pilkada": "pemilihan kepala daerah",
    # places
    "amrik": "amerika", "korsel": "korea selatan", "korut": "korea utara",
}
# fmt: on
# Abbreviations that are something else when capitalised (`Dr` is a title, `Org` a name) or
# that read as English (`make`): replaced only when written in lower case.
_LOWERCASE_ONLY = frozenset({"dr", "sp", "tp", "sm", "org", "pd", "td", "ane", "ama", "make", "dg"})
# Reduplication such as "org-org" becomes "orang-orang", but "cuma-cuma" means "free".
_NO_REDUPLICATION = frozenset({"cuma"})
# Words the affix rules would misread because their de-nasalised form is a root: names and
# acronyms chat users type in lower case (`nato` → `tato`, `musa` → `pusa`) and English words
# (`mail`, `maker`, `retain`; the glossary's English words are skipped as well).
_PROTECTED = frozenset(
    """
    nato nasa natal nepal niger nigeria nairobi nikaragua nanking nanjing napoli nazi nazisme
    minsk milan mali malta manila madrid mesir meksiko monako mongolia munich myanmar moskow
    moskwa mumbai macron merkel modi medvedev mikhail maduro musk netanyahu nasser nehru nixon
    navalny nabiullina mandela mossad mahsa mahmud mahmoud muhammad mohammad nusantara
    ngurah ngawi nganjuk ngada mike musa ninja nike macau micah mayer nagar marek metis mora
    mail miles maker martial mortal mating mater retain bargain nate mane nape mule mons
    """.split()
)

_CLITICS = ("nya", "lah", "kah", "pun")
# A word typed twice as "kata2" ("negara2", "besar2an", "anak2nya"): letters only, at least three.
_DOUBLED_RE = re.compile(r"([a-z]{3,})2(an|nya|kan|lah)?")
_TOKEN_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# A new sentence starts after . ! ? … (and closing quotes) followed by space, or a new line.
_SENTENCE_BREAK_RE = re.compile(r"[.!?…][\"'”’)\]]*\s|\n")
_REPEAT_RE = re.compile(r"(\w)\1{2,}")
_VOWEL_RE = re.compile(r"[aeiou]")
_DIPHTHONG_RE = re.compile(r"ai|au|oi|ei")
_FINAL_CLOSED_E_RE = re.compile(r"(?<=[^aeiou])e([^aeiou]+)$")
_VOWELS = frozenset("aeiou")

# Words that decide whether a question is English (then it is left alone: `make`, `org`,
# `ga` are English or abbreviations there) or Indonesian.
_EN_MARKERS = frozenset(
    """
    the what who whom which when where why how is are was were does did do of and with about
    will would could should has have been their there this that to for from in on a an it be by
    """.split()
)
_ID_MARKERS = frozenset(
    """
    yang yg apa siapa sp sapa berapa brp kapan kpn mana dimana dmn mengapa kenapa knp bagaimana
    gimana gmn apakah dan dengan dgn di ke dari dr untuk utk pada ini itu adalah akan tidak gak ga
    nggak sudah udh udah belum blm oleh sebagai dalam para saja aja sih dong nih ada
    """.split()
)


def standardize(text: str) -> str:
    """Rewrite casual Indonesian spellings into the standard words news articles use."""
    if not text:
        return text
    matches = list(_TOKEN_RE.finditer(text))
    # "Siapa Yg Gantiin Stoltenberg?": when most words are capitalised, a capital says
    # nothing about names, so every capitalised word is treated like a sentence start.
    words = [m.group() for m in matches if m.group().isalpha()]
    title_case = len(words) >= 3 and sum(map(_is_capitalised, words)) >= 0.6 * len(words)
    pieces: list[str] = []
    last = 0
    at_start = True
    english = indonesian = 0
    for match in matches:
        start, end = match.span()
        gap = text[last:start]
        if gap and _SENTENCE_BREAK_RE.search(gap):
            at_start = True
        token = match.group()
        low = token.lower()
        english += low in _EN_MARKERS
        indonesian += low in _ID_MARKERS
        pieces.append(gap)
        pieces.append(_rewrite_in_context(text, token, start, end, at_start or title_case))
        at_start = False
        last = end
    if english > indonesian:
        return text  # an English question: its words are for the glossary, not for us
    pieces.append(text[last:])
    return "".join(pieces)


def _is_capitalised(word: str) -> bool:
    return word[0].isupper() and (len(word) == 1 or word[1:].islower())


def _rewrite_in_context(text: str, token: str, start: int, end: int, at_start: bool) -> str:
    """One token, given where it stands: names, acronyms, URLs and numbers stay as written."""
    doubled = _DOUBLED_RE.fullmatch(token)
    if doubled and token.islower():
        # "besar2an", "negara2": chat writes a repeated word with a 2, which is no number
        word, suffix = doubled.groups()
        return _standard(f"{word}-{word}") + (suffix or "")
    if not token.replace("-", "").isalpha():
        return token  # "30rb", "f16", "covid19": digits mean a code or an amount
    before = text[start - 1] if start else ""
    after = text[end : end + 2]
    if (before and before in "./@#_\\") or after[:1] in ("/", "@", "_") or (after[:1] == "." and after[1:2].isalnum()):
        return token  # part of a URL, an e-mail address, a hashtag or a mention
    if token.islower():
        return _standard(token)
    if not at_start or not _is_capitalised(token):
        return token  # a name ("Kyiv", "Lavrov"), an acronym ("NATO", "UE") or mixed case
    low = token.lower()
    if low in _LOWERCASE_ONLY:
        return token
    new = _standard(low)
    return token if new == low else new[0].upper() + new[1:]


@lru_cache(maxsize=65_536)
def _standard(low: str) -> str:
    """Standard form of one lower-case token (the token itself when nothing applies)."""
    if low in _SLANG:
        return _SLANG[low]
    if "-" in low:
        return _hyphenated(low)
    for clitic in _CLITICS:
        # "duitnya" → "uangnya", "kayaknya" → "sepertinya", "udahlah" → "sudahlah"
        base = low[: -len(clitic)]
        if low.endswith(clitic) and len(base) >= 3 and base in _SLANG and " " not in _SLANG[base]:
            return _SLANG[base] + clitic
    if len(low) >= 4 and _REPEAT_RE.search(low):
        # "gakkk", "bangettt", "siapaaa": no Indonesian word has a letter three times in a row
        for collapsed in (_REPEAT_RE.sub(r"\1", low), _REPEAT_RE.sub(r"\1\1", low)):
            new = _standard(collapsed)
            if new != collapsed or collapsed in _roots():
                return new
    return _affixed(low) or low


def _hyphenated(low: str) -> str:
    """`ngasih-in` is one colloquial verb; `org-org` a reduplicated abbreviation."""
    parts = low.split("-")
    if len(parts) == 2 and parts[1] == "in":
        joined = parts[0] + "in"
        new = _standard(joined)
        return low if new == joined else new
    word = parts[0]
    if len(parts) == 2 and parts[1] == word and word in _SLANG and word not in _NO_REDUPLICATION:
        value = _SLANG[word]
        if " " not in value:
            return f"{value}-{value}"
    return low


# --- affix rules ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _roots() -> frozenset[str]:
    """Sastrawi's root-word dictionary (about 30,000 words), loaded on first use."""
    data = resources.files("Sastrawi.Stemmer").joinpath("data", "kata-dasar.txt")
    return frozenset(data.read_text(encoding="utf-8").split())


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=16_384)
def _stem(word: str) -> str:
    stemmed: str = _stemmer().stem(word)
    return stemmed or word


def _syllables(word: str) -> int:
    """Syllable count: one per vowel, the diphthongs ai, au, oi, ei counting once (si-ap, pa-kai)."""
    return len(_VOWEL_RE.findall(word)) - len(_DIPHTHONG_RE.findall(word))


def _spellings(word: str) -> tuple[str, ...]:
    """The word and its standard spelling: Jakarta speech turns a final closed -a- into -e-
    (`dateng` = datang, `simpen` = simpan, `tangkep` = tangkap). Final -e for -ai (`sampe`,
    `pake`) is left to the word list: as a rule it turned English words into roots."""
    if _FINAL_CLOSED_E_RE.search(word):
        return (word, _FINAL_CLOSED_E_RE.sub(r"a\1", word))
    return (word,)


def _known_roots(candidates: list[str], min_syllables: int = 2) -> list[str]:
    """The candidates (or their standard spellings) that are dictionary roots, in order.

    Roots of one syllable are only wanted after `nge-` (ngebom, ngecek): after n-, m-, ny-
    or ng- alone one means the token was some other word (nuts → tuts, mail → pail).
    """
    roots = _roots()
    found: list[str] = []
    for candidate in candidates:
        # A candidate that is a root is taken as it is; only otherwise its standard spellings
        # (and never for one-syllable words: cek is not cak).
        spellings = (candidate,) if candidate in roots or _syllables(candidate) < 2 else _spellings(candidate)
        for spelling in spellings:
            if spelling in roots and spelling not in found and _syllables(spelling) >= min_syllables:
                found.append(spelling)
    return found


def _denasalised(base: str) -> list[str]:
    """Roots a colloquial nasal verb may come from: casual speech drops the `me-` of
    `meN-` (nyerang = menyerang, ngirim = mengirim, nulis = menulis, mukul = memukul)."""
    if len(base) < 4:
        return []
    if base.startswith("ng") and base[2] in _VOWELS:
        rest = base[2:]
        # k-roots first (ngasih, ngirim), then nge + consonant for short roots (ngebom,
        # ngerusak), then vowel roots (ngambil) and h-roots whose h speakers drop (ngapus).
        found = _known_roots(["k" + rest])
        if rest[0] == "e" and rest[1] not in _VOWELS:
            found += _known_roots([rest[1:]], min_syllables=1)
        return found + _known_roots([rest, "h" + rest])
    if base.startswith("ny") and base[2] in _VOWELS:
        return _known_roots(["s" + base[2:], "c" + base[2:]])
    if base[0] == "n" and base[1] in _VOWELS:
        return _known_roots(["t" + base[1:]])
    if base[0] == "m" and base[1] in _VOWELS:
        return _known_roots(["p" + base[1:]])
    return []


def _men(root: str) -> str:
    """The standard `meN-` verb of a root (nasal assimilation as in KBBI)."""
    first, second = root[0], root[1:2]
    if _syllables(root) == 1:
        return "menge" + root  # mengebom, mengecek
    if first in _VOWELS or first in "gh":
        return "meng" + root
    if first == "k":
        return "meng" + (root[1:] if second in _VOWELS else root)
    if first == "p":
        return "mem" + (root[1:] if second in _VOWELS else root)
    if first in "bfv":
        return "mem" + root
    if first == "t":
        return "men" + (root[1:] if second in _VOWELS else root)
    if first == "s" and second in _VOWELS:
        return "meny" + root[1:]
    if first in "sdcjz":
        return "men" + root
    return "me" + root  # l, m, n, r, w, y


def _affixed(low: str) -> str | None:
    """Standard form of a colloquial affixed verb, or None when the token is not one.

    Only tokens that are neither a dictionary root nor a word Sastrawi already analyses
    (semakin, pemain, berlin) are candidates, and the result must be built on a root from
    Sastrawi's dictionary, so real words stay as they are.
    """
    if len(low) < 4 or low in _PROTECTED or low in GLOSSARY or not low.isalpha() or low in _roots():
        return None  # a name, an English word the project knows, or a root
    # (root, standard form, suffix) readings, best first
    options: list[tuple[str, str, str]] = []
    if low.endswith("in") and len(low) >= 6:
        base = low[:-2]  # gantiin → gantikan, kirimin → kirimkan, dikirimin → dikirimkan
        if base.startswith("di") and len(base) >= 5:
            options += [(r, "di" + r + "kan", "kan") for r in _known_roots([base[2:]])]
        options += [(r, r + "kan", "kan") for r in _known_roots([base])]
        options += [(r, _men(r) + "kan", "kan") for r in _denasalised(base)]
    # the whole token as a nasal verb: mimpin (not mimp-in) → memimpin
    options += [(r, _men(r), "") for r in _denasalised(low)]
    if not options:
        return None
    if _stem(low) != low:
        return None  # Sastrawi reads it as a standard derived word
    for root, form, _ in options:
        if _stem(form) == root:
            return form
    # Sastrawi mis-stems some standard forms (menanya → mena); the bare root is still right.
    root, _, suffix = options[0]
    return root + suffix if suffix and _stem(root + suffix) == root else root


@lru_cache(maxsize=65_536)
def is_indonesian_word(word: str) -> bool:
    """A root of Sastrawi's dictionary or a word that stems to one ("air", "menyerang"): such a word
    in an Indonesian question is not translated even when it is also an English word."""
    low = word.lower()
    roots = _roots()
    return low in roots or _stem(low) in roots


@lru_cache(maxsize=1)
def slang_spellings() -> dict[str, tuple[str, ...]]:
    """Standard word → the casual spellings of the word list (for chat-style training copies)."""
    spellings: dict[str, list[str]] = {}
    for casual, standard in _SLANG.items():
        if " " not in standard and casual not in _LOWERCASE_ONLY:
            spellings.setdefault(standard, []).append(casual)
    return {word: tuple(forms) for word, forms in spellings.items()}
