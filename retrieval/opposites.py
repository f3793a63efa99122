"""Words with an opposite meaning, as stems: evidence that a passage says the reverse of a question.

A near-miss question often turns one word of the passage around: the passage says Russia lacks
ammunition ("kekurangan"), the question asks why it has too much ("kelebihan"); the passage says
Finland joined ("bergabung"), the question asks why it left ("keluar"). Such a passage shares
almost every word with the question and embeds close to it, yet cannot answer it. The answer
model counts the question words a sentence lacks while holding their opposite (`s_opposite`).

The pairs below were written for this project, as stems (after `retrieval.text.stem`: "kekurangan"
and "mengurangi" both give "kurang"). Only pairs whose two sides are plainly opposite in news and
encyclopedia text are listed; a word may have several opposites.
"""

from __future__ import annotations

from collections.abc import Iterable

_PAIRS = """
lebih:kurang tambah:kurang naik:turun tingkat:turun naik:jatuh gabung:keluar masuk:keluar
terima:tolak dukung:tolak dukung:lawan tuju:tolak izin:larang menang:kalah
hasil:gagal sukses:gagal besar:kecil tinggi:rendah awal:akhir pertama:akhir
mulai:akhir mulai:henti buka:tutup hidup:mati lahir:mati lahir:wafat maju:mundur kuat:lemah
kaya:miskin sekutu:musuh kawan:lawan untung:rugi ekspor:impor jual:beli tua:muda cepat:lambat
benar:salah utara:selatan timur:barat dekat:jauh damai:perang pria:wanita laki:perempuan
siang:malam pagi:malam panjang:pendek mahal:murah panas:dingin kering:basah
positif:negatif aktif:pasif darat:laut legal:ilegal aman:bahaya sehat:sakit kalah:unggul
"""


def _opposites(pairs: Iterable[str]) -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for pair in pairs:
        left, right = pair.split(":")
        table.setdefault(left, set()).add(right)
        table.setdefault(right, set()).add(left)
    return {word: frozenset(others) for word, others in table.items()}


OPPOSITES: dict[str, frozenset[str]] = _opposites(_PAIRS.split())


def says_opposite(terms: Iterable[str], passage: frozenset[str]) -> bool:
    """Whether the passage holds the opposite of one of `terms` (a question word's alternatives)."""
    return any(not OPPOSITES.get(term, frozenset()).isdisjoint(passage) for term in terms)
