"""Every user-facing sentence the bots say, in Indonesian and English.

Replies are Indonesian unless the question was English (`Answer.language == "en"`).
"""

from __future__ import annotations

from retrieval.answer import Answer, Reason

_TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "not_found": "Maaf, jawabannya tidak ditemukan di artikel. Coba tanyakan dengan kata lain atau lebih spesifik.",
        "empty": "Pertanyaannya kosong. Contoh: /tanya Siapa pengganti Stoltenberg?",
        "no_text": "Tidak ada kata yang bisa dicari dalam pesan itu. Tulis pertanyaannya dengan kata-kata.",
        "too_long": "Pertanyaannya terlalu panjang (maksimal {limit} karakter). Persingkat menjadi satu pertanyaan.",
        "sources": "Sumber",
        "paragraph": "paragraf",
        "button": "📚 Sumber",
        "no_citations": "Belum ada jawaban yang bisa ditunjukkan sumbernya di obrolan ini.",
        "bad_number": "Tidak ada sumber nomor {n}. Jawaban itu punya {count} sumber: /sumber 1 sampai /sumber {count}.",
        "expired": "Jawaban itu sudah terlalu lama; sumbernya tidak disimpan lagi.",
        "bad_source_argument": "Tulis /sumber untuk semua sumber, atau /sumber diikuti satu nomor (mis. /sumber 2).",
        "rate_limited": "Pelan-pelan ya 🙏 — maksimal {limit} pertanyaan per menit per orang di grup.",
        "error": "Maaf, terjadi kesalahan saat memproses pertanyaan. Silakan coba lagi.",
        "state_unavailable": "Maaf, riwayat jawaban sedang tidak bisa dibuka. Coba lagi sebentar lagi.",
        "help": (
            "Saya menjawab pertanyaan tentang artikel berita dengan mengutip kalimat dari artikel itu.\n\n"
            "• Di obrolan pribadi: kirim saja pertanyaannya.\n"
            "• Di grup: /tanya <pertanyaan>, sebut saya ({mention}), atau balas salah satu jawaban saya "
            "untuk bertanya lanjutan.\n"
            "• /sumber — kutipan lengkap jawaban terakhir; /sumber 2 — sumber nomor 2 saja.\n"
            "• /bantuan — pesan ini.\n\n"
            "Jika artikel tidak memuat jawabannya, saya akan bilang begitu."
        ),
        "admin_only": "Maaf, perintah ini hanya untuk admin bot.",
        "tambah_usage": "Pakai /tambah sebagai balasan ke dokumen (txt, md, html, jsonl), atau /tambah <teks artikel>.",
        "hapus_usage": "Pakai /hapus <id artikel>; lihat id dengan /artikel.",
        "tambah_too_short": (
            "Teks itu terlalu pendek untuk sebuah artikel ({words} kata; minimal {minimum}). "
            "Tempel seluruh isi artikel setelah /tambah, atau balas dokumennya dengan /tambah."
        ),
        "upload_too_big": "Berkas {name} berukuran {size}, lebih dari batas {limit}; tidak diunduh.",
        "unknown_button": "Tombol ini tidak dikenal atau sudah tidak berlaku.",
        "cmd_tanya": "Ajukan pertanyaan tentang artikel",
        "cmd_sumber": "Kutipan lengkap jawaban terakhir",
        "cmd_bantuan": "Cara memakai bot",
        "cmd_start": "Mulai",
        "cmd_tambah": "(Admin) Tambahkan artikel: teks atau berkas",
        "cmd_hapus": "(Admin) Hapus artikel",
        "cmd_artikel": "(Admin) Daftar artikel",
        "cmd_statistik": "(Admin) Statistik bot",
        "stats_logged": "Tercatat seluruhnya: {answered} dijawab, {abstained} tidak ditemukan",
    },
    "en": {
        "not_found": "Sorry, the articles don't answer that. Try rephrasing or asking more specifically.",
        "empty": "The question is empty. Example: /tanya Who replaces Stoltenberg?",
        "no_text": "There are no words to search for in that message. Please write the question in words.",
        "too_long": "The question is too long (at most {limit} characters). Please shorten it to one question.",
        "sources": "Sources",
        "paragraph": "paragraph",
        "button": "📚 Sources",
        "no_citations": "There is no answer to show sources for in this chat yet.",
        "bad_number": "There is no source {n}. That answer has {count} sources: /sumber 1 to /sumber {count}.",
        "expired": "That answer is too old; its sources are no longer kept.",
        "bad_source_argument": "Send /sumber for every source, or /sumber with one number (e.g. /sumber 2).",
        "rate_limited": "Easy there 🙏 — at most {limit} questions per minute per person in a group.",
        "error": "Sorry, something went wrong while answering. Please try again.",
        "state_unavailable": "Sorry, the answer history cannot be opened right now. Please try again shortly.",
    },
}


def text(key: str, language: str = "id", **values: object) -> str:
    """The sentence `key` in `language` (falling back to Indonesian), formatted with `values`."""
    table = _TEXTS.get(language, _TEXTS["id"])
    template = table.get(key) or _TEXTS["id"][key]
    return template.format(**values) if values else template


_REASON_KEYS = {
    Reason.NOT_FOUND: "not_found",
    Reason.EMPTY: "empty",
    Reason.NO_TEXT: "no_text",
    Reason.TOO_LONG: "too_long",
}


def reason_text(answer: Answer, limit: int = 1000) -> str:
    """Why there is no quote, in the asker's language."""
    return text(_REASON_KEYS.get(answer.reason, "not_found"), answer.language, limit=limit)
