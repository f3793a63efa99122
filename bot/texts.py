"""Every user-facing sentence the bots and the command line say, in Indonesian and English.

Replies are Indonesian unless the question was English (`Answer.language == "en"`). Admin replies
and the command line are Indonesian. The core returns data and reasons (`Answer`, `Reason`,
`IngestReport`, `Refusal`); the functions here word them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.state.base import Report
from retrieval.answer import Answer, Reason
from retrieval.feeds import FeedSource, SyncReport
from retrieval.ingest import ArticleSummary, IngestReport
from retrieval.recency import parse_date
from retrieval.refusals import UNKNOWN_BINARY, Refusal, Why

SUMMARY_ITEMS = 20  # ids and refusals listed per kind in an ingest summary (chat messages are short)

_TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "not_found": "Maaf, jawabannya tidak ditemukan di artikel. Coba tanyakan dengan kata lain atau lebih spesifik.",
        "empty": "Pertanyaannya kosong. Contoh: /tanya Siapa pengganti Stoltenberg?",
        "no_text": "Tidak ada kata yang bisa dicari dalam pesan itu. Tulis pertanyaannya dengan kata-kata.",
        "too_long": "Pertanyaannya terlalu panjang (maksimal {limit} karakter). Persingkat menjadi satu pertanyaan.",
        "store_unavailable": "Maaf, arsip artikel sedang tidak bisa dibuka. Coba lagi sebentar lagi.",
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
        "inline_citation": "— {title}, {outlet}",
        "inline_citation_no_outlet": "— {title}",
        "inline_hint": "Tulis pertanyaan tentang berita",
        "inline_not_found": "Tidak ditemukan di artikel",
        "inline_slow_down": "Pelan-pelan ya 🙏 coba lagi sebentar lagi",
        "vote_up": "👍",
        "vote_down": "👎",
        "vote_counted": "{vote} Terima kasih, penilaian Anda tercatat.",
        "vote_same": "{vote} Penilaian Anda sudah tercatat.",
        "vote_expired": "Maaf, jawaban itu sudah terlalu lama untuk dinilai. Terima kasih sudah mencoba!",
        "cmd_tanya": "Ajukan pertanyaan tentang artikel",
        "cmd_sumber": "Kutipan lengkap jawaban terakhir",
        "cmd_bantuan": "Cara memakai bot",
        "cmd_start": "Mulai",
        "cmd_tambah": "(Admin) Tambahkan artikel: teks atau berkas",
        "cmd_hapus": "(Admin) Hapus artikel",
        "cmd_artikel": "(Admin) Daftar artikel",
        "cmd_statistik": "(Admin) Statistik bot",
        "stats_logged": "Tercatat seluruhnya: {answered} dijawab, {abstained} tidak ditemukan",
        "stats_index": "Artikel: {articles}\nParagraf: {paragraphs}\n",
        "stats_since_start": (
            "Pertanyaan dijawab sejak mulai: {answered}\nTidak ditemukan: {abstained}\n"
            "Median waktu jawab: {median_ms:.0f} ms\n"
        ),
        "report_period": "\n{days} hari terakhir: {total} pertanyaan\n",
        "report_empty": "\n{days} hari terakhir: belum ada pertanyaan.\n",
        "report_outcomes": (
            "Dijawab: {answered} ({answered_pct:.0f}%)\nTidak ditemukan: {abstained} ({abstained_pct:.0f}%)\n"
        ),
        "report_votes": "Penilaian: 👍 {up} · 👎 {down}\n",
        "report_gaps": "Paling sering tidak terjawab:\n",
        "report_gap": "{rank}. {asked}× {question}\n",
        "report_no_gaps": "Tidak ada pertanyaan yang tidak terjawab.\n",
        "report_log_off": (
            "Teks pertanyaan tidak dicatat (QUESTION_LOG=off): daftar yang tidak terjawab tidak tersedia.\n"
        ),
        "cli_report_csv": "CSV ditulis: {path}",
        "articles_header": "{count} artikel:",
        "article_line": "• {id} — {title} ({outlet}, {paragraphs} paragraf)",
        "discord_tanya": "Ajukan pertanyaan tentang artikel berita",
        "discord_tanya_pertanyaan": "Pertanyaan Anda, mis. Siapa pengganti Stoltenberg?",
        "discord_sumber": "Kutipan lengkap jawaban terakhir di kanal ini",
        "discord_sumber_nomor": "Nomor sumber (opsional)",
        "discord_tambah_teks": "Teks artikel",
        "discord_tambah_berkas": "Berkas txt, md, html atau jsonl",
        "webhook_needs_url": "Mode webhook memerlukan WEBHOOK_URL (alamat publik HTTPS bot ini).",
        # the local chat (`python -m bot chat`)
        "chat_intro": "Obrolan lokal — tanyakan apa saja tentang artikel berita.",
        "chat_commands": (
            "Perintah: /sumber [nomor] menampilkan kutipan lengkap jawaban terakhir, /bantuan pesan ini, "
            "/keluar untuk selesai."
        ),
        "chat_unknown_command": "Perintah {command} tidak dikenal. {commands}",
        "chat_prompt": "\nAnda> ",
        "chat_bot": "Bot> ",
        # the command line (`python -m bot …`)
        "cli_ask_usage": 'Tulis pertanyaannya, mis.: python -m bot ask "Siapa pengganti Stoltenberg?"',
        "cli_no_question_file": "Berkas pertanyaan tidak ditemukan: {path}",
        "cli_indexed": (
            "{action}: {reason}. {articles} artikel, {paragraphs} paragraf, {sentences} kalimat; "
            "{embedded} teks di-embed; FAISS {faiss}; model {embedder}; lokasi {path}"
        ),
        "cli_verify_ok": "Indeks {path} utuh: setiap berkas cocok dengan checksum-nya.",
        "cli_verify_damaged": "Indeks {path} rusak: {error}. Indeks dibangun ulang saat bot berikutnya dimulai.",
        "cli_verify_missing": "Tidak ada indeks tersimpan di {path}.",
        "cli_engine_kept": "Mesin embedding bawaan tetap dipakai ({error}).",
        "cli_engine_ready": "Mesin embedding untuk CPU ini siap: {library} (kecocokan kosinus {agreement:.5f}).",
        "cli_no_idk_mrc": "Berkas IDK-MRC tidak ditemukan: {path}",
        "cli_no_training_data": "Data IDK-MRC tidak ditemukan: {missing} (pakai --data FOLDER)",
        "cli_needs_train_extra": "Pelatihan memerlukan extra 'train': pip install '.[train]'",
        "cli_model_saved": "Model disimpan: {path} ({name}), ANSWER_MIN_CONFIDENCE bawaan {bar}",
        "cli_article_row": "{id}\t{paragraphs} paragraf\t{outlet}\t{title}",
        "cli_article_count": "{count} artikel di {corpus}",
        "cli_article_count_seeds": "{count} artikel di {corpus} dan {seeds}",
        "cli_article_count_database": "{count} artikel di basis data (STORE=postgres)",
        "cli_store_unavailable": "Basis data artikel tidak bisa dipakai: {error}",
        "cli_eval_local_only": "eval mengukur penyimpanan lokal; untuk STORE=postgres: python -m bench.pg_store",
        "cli_no_telegram_token": "TELEGRAM_BOT_TOKEN belum diatur (lihat .env.example).",
        "cli_telegram_token_refused": "TELEGRAM_BOT_TOKEN ditolak Telegram: periksa token dari @BotFather.",
        "cli_no_discord_token": "DISCORD_BOT_TOKEN belum diatur (lihat .env.example).",
        "cli_needs_discord_extra": "Bot Discord memerlukan extra 'discord': pip install '.[discord]'",
        "cli_no_tokens": "TELEGRAM_BOT_TOKEN dan DISCORD_BOT_TOKEN tidak diatur: membuka obrolan lokal.",
        "cli_bad_settings": "Pengaturan tidak valid: {error}",
        "cli_embedder_failed": "Model embedding tidak bisa dimuat: {error}",
        "cli_empty_corpus": "Korpus kosong: tidak ada artikel (.txt/.md) di {corpus}",
        "cli_empty_corpus_seeds": "Korpus kosong: tidak ada artikel (.txt/.md) di {corpus} atau {seeds}",
        "cli_index_failed": "Indeks tidak bisa dibuat: {problem}.",
        "cli_state_unavailable": "Basis data status tidak bisa dipakai: {error}",
        # what an ingest command did (`python -m bot ingest`, /tambah, /hapus)
        "ingest_failed": "Gagal: {problem}. Tidak ada artikel yang diubah; indeks lama tetap dipakai.",
        "ingest_unchanged": "Tidak ada perubahan: {skipped} artikel dilewati{reasons}.",
        "ingest_added": "Ditambahkan: {count}{ids}",
        "ingest_updated": "Diperbarui: {count}{ids}",
        "ingest_removed": "Dihapus: {ids}",
        "ingest_skipped": "Dilewati: {count}{reasons}",
        "ingest_rejected": "Ditolak: {count}",
        "ingest_repaired": "Indeks disegarkan: sebelumnya tidak cocok dengan korpus",
        "ingest_embedded": "Teks di-embed: {count}",
        "ingest_more_ids": ", … +{count} lagi",
        "ingest_more_items": "  … dan {count} lainnya",
        "ingest_duplicates": "duplikat",  # skipped articles counted together, whatever their twin
        # following feeds (`python -m bot feeds …`, /ikuti, /berhenti_ikuti, /daftar_feed, /baca_feed)
        "cmd_ikuti": "(Admin) Ikuti RSS, Atom atau sitemap sebuah situs berita",
        "cmd_berhenti_ikuti": "(Admin) Berhenti mengikuti sebuah feed",
        "cmd_daftar_feed": "(Admin) Daftar feed yang diikuti",
        "cmd_baca_feed": "(Admin) Baca semua feed sekarang",
        "discord_feed_alamat": "Alamat RSS, Atom atau sitemap, mis. https://contoh.id/rss",
        "ikuti_usage": "Pakai /ikuti <alamat RSS, Atom atau sitemap>, mis. /ikuti https://contoh.id/rss",
        "berhenti_ikuti_usage": "Pakai /berhenti_ikuti <alamat feed>; lihat alamatnya dengan /daftar_feed.",
        "feed_followed": (
            "Mengikuti {url} ({kind}, {items} item saat ini). {schedule} "
            "Hentikan dengan /berhenti_ikuti {url}"
        ),
        "feed_schedule": "Artikel baru dibaca setiap {minutes} menit.",
        "feed_schedule_off": "Bot tidak membaca feed sendiri (FEED_POLL_MINUTES=0): jalankan python -m bot feeds sync.",
        "feed_follow_failed": "Tidak bisa mengikuti: {problem}.",
        "feed_unfollowed": (
            "Berhenti mengikuti {url}. Artikel yang sudah masuk tetap disimpan "
            "(hapus satu per satu dengan /hapus <id>)."
        ),
        "feed_unfollow_failed": "Tidak bisa berhenti mengikuti: {problem}.",
        "feeds_none": (
            "Belum ada feed yang diikuti. Tambahkan dengan /ikuti <alamat> (atau python -m bot feeds add URL)."
        ),
        "feeds_header": "{count} feed diikuti:",
        "feed_line": "• {url} — {items} item dikenal; terakhir dibaca {checked}",
        "feed_line_failing": "  gagal {failures}× berturut-turut ({problem}); dicoba lagi {next}",
        "feed_never": "belum pernah",
        "feeds_sync_none": "Belum ada feed yang diikuti: tidak ada yang dibaca.",
        "feeds_sync_summary": (
            "Feed dibaca: {feeds} ({unchanged} tidak berubah, {failed} gagal). Halaman diambil: {fetched}; "
            "sudah dikenal (tidak diambil): {known}; menunggu sinkron berikutnya: {waiting}."
        ),
        "feeds_sync_failed": "Feed gagal:",
        "feeds_sync_refused": "Halaman ditolak: {count}",
        "feeds_progress": "Halaman",
        "feeds_sync_time": "Selesai dalam {seconds:.1f} detik.",
        "date_published": "terbit {date}",
        "date_fetched": "diambil {date}",
    },
    "en": {
        "not_found": "Sorry, the articles don't answer that. Try rephrasing or asking more specifically.",
        "empty": "The question is empty. Example: /tanya Who replaces Stoltenberg?",
        "no_text": "There are no words to search for in that message. Please write the question in words.",
        "too_long": "The question is too long (at most {limit} characters). Please shorten it to one question.",
        "store_unavailable": "Sorry, the article archive cannot be opened right now. Please try again shortly.",
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
        "inline_hint": "Type a question about the news",
        "inline_not_found": "Not found in the articles",
        "vote_counted": "{vote} Thank you, your rating is recorded.",
        "vote_same": "{vote} Your rating is already recorded.",
        "vote_expired": "Sorry, that answer is too old to rate. Thank you for trying!",
        "date_published": "published {date}",
        "date_fetched": "fetched {date}",
    },
}


def text(key: str, language: str = "id", **values: object) -> str:
    """The sentence `key` in `language` (falling back to Indonesian), formatted with `values`."""
    table = _TEXTS.get(language, _TEXTS["id"])
    template = table.get(key) or _TEXTS["id"][key]
    return template.format(**values)


GAP_CHARS = 120  # an unanswered question in the report is cut to this length (a chat message stays short)


def period_report(report: Report, days: int, *, question_log: bool) -> str:
    """The admins' view of the last `days` days: answered and not-found rates, 👍/👎, and the
    most-asked unanswered questions (or why they are not listed)."""
    total = report.answered + report.abstained
    if total == 0:
        lines = text("report_empty", days=days)
    else:
        lines = text("report_period", days=days, total=total) + text(
            "report_outcomes",
            answered=report.answered,
            answered_pct=100 * report.answered / total,
            abstained=report.abstained,
            abstained_pct=100 * report.abstained / total,
        )
    lines += text("report_votes", up=report.up, down=report.down)
    if not question_log:
        return lines + text("report_log_off")
    if not report.gaps:
        return lines + text("report_no_gaps")
    lines += text("report_gaps")
    for rank, gap in enumerate(report.gaps, 1):
        question = gap.question if len(gap.question) <= GAP_CHARS else gap.question[: GAP_CHARS - 1] + "…"
        lines += text("report_gap", rank=rank, asked=gap.asked, question=question)
    return lines


def vote_notice(vote: str, language: str, *, changed: bool) -> str:
    """What a person is told after a 👍/👎: counted, or the same vote as before (nothing changed)."""
    return text("vote_counted" if changed else "vote_same", language, vote=text(f"vote_{vote}"))


def vote_label(vote: str, count: int) -> str:
    """A 👍/👎 button's label: the emoji, and how many chose it once anyone has."""
    emoji = text(f"vote_{vote}")
    return f"{emoji} {count}" if count else emoji


_REASON_KEYS = {
    Reason.NOT_FOUND: "not_found",
    Reason.EMPTY: "empty",
    Reason.NO_TEXT: "no_text",
    Reason.TOO_LONG: "too_long",
    Reason.UNAVAILABLE: "store_unavailable",
}


def reason_text(answer: Answer, limit: int = 1000) -> str:
    """Why there is no quote, in the asker's language."""
    return text(_REASON_KEYS.get(answer.reason, "not_found"), answer.language, limit=limit)


def thousands(n: int) -> str:
    """A count as Indonesians write it: 10.000."""
    return f"{n:,}".replace(",", ".")


def megabytes(n: int) -> str:
    """A file size as Indonesians read it: "30 MB", "2,5 MB", "512 KB"."""
    shown = f"{n / 1_000_000:.3g} MB" if n >= 1_000_000 else f"{n / 1000:.5g} KB"
    return shown.replace(".", ",")


# Why an article was skipped or refused, or a command failed: what the admin reads (Indonesian).
_REFUSALS: dict[Why, str] = {
    Why.ALREADY_STORED: "sudah ada",
    Why.DUPLICATE: "duplikat {of}",
    Why.NOT_FOUND: "tidak ditemukan",
    Why.NOT_A_FILE: "bukan berkas biasa",
    Why.OUTSIDE_ROOT: "di luar folder yang diizinkan",
    Why.UNREADABLE: "tidak bisa dibaca: {error}",
    Why.UNSUPPORTED_FORMAT: "format {suffix} tidak didukung (txt, md, html, jsonl){hint}",
    Why.BINARY: "berkas biner ({kind}), bukan teks",
    Why.NOT_UTF8: "bukan teks UTF-8 (byte tak valid di posisi {position}); simpan ulang berkas sebagai UTF-8",
    Why.TOO_BIG: "{size}, lebih dari batas {limit}",
    Why.NEEDS_INGEST_EXTRA: "HTML memerlukan extra 'ingest': pip install '.[ingest]'",
    Why.NO_HTML_TEXT: "tidak ada teks artikel yang bisa diambil dari HTML ini",
    Why.EMPTY_ARTICLE: "artikel kosong (tidak ada paragraf isi)",
    Why.LINE_TOO_BIG: "baris {size}, lebih dari batas {limit}",
    Why.LINE_NOT_UTF8: "baris bukan teks UTF-8",
    Why.LINE_NOT_JSON: "baris bukan JSON yang valid",
    Why.LINE_NOT_OBJECT: 'baris harus berupa objek JSON {{"text": ...}}',
    Why.LINE_WITHOUT_TEXT: "baris tanpa kunci 'text' (kuncinya: {keys})",
    Why.TEXT_NOT_STRING: "'text' harus berupa teks dalam tanda kutip, bukan {kind}",
    Why.TEXT_EMPTY: "'text' kosong",
    Why.ID_WITHOUT_LETTERS: "'id' {id!r} tidak memuat huruf atau angka",
    Why.ID_TAKEN: "id {id} sudah dipakai artikel lain dalam perintah ini",
    Why.TOO_MANY: "lebih dari {limit} artikel sekaligus; jalankan lagi untuk sisanya",
    Why.UNKNOWN_ID: "tidak ada artikel dengan id itu",
    Why.LAST_ARTICLE: "artikel terakhir tidak bisa dihapus (indeks tidak boleh kosong)",
    Why.SEEDS_READ_ONLY: (
        "CORPUS_DIR menunjuk ke folder seeds/ bawaan bot (dilacak git), yang tidak diubah; "
        "hapus CORPUS_DIR dari .env agar artikel baru disimpan di data/articles"
    ),
    Why.DISK_FULL: "disk penuh ({where})",
    Why.NOT_WRITABLE: "folder tidak bisa ditulis ({where}: {error})",
    Why.WRITE_FAILED: "gagal menulis ke disk ({where}: {error})",
    Why.INDEX_FAILED: "{error}",
    Why.DATABASE_FAILED: "basis data tidak bisa ditulis ({where}: {error})",
    Why.EMBEDDING_FAILED: "embedding gagal: {error}",
    Why.NOT_HTTP_URL: "{url} bukan alamat http:// atau https://",
    Why.FETCH_FAILED: "{url} tidak bisa dihubungi ({error})",
    Why.HTTP_STATUS: "{url} menjawab HTTP {status}",
    Why.FEED_MALFORMED: "{url} bukan RSS, Atom atau sitemap yang valid ({error})",
    Why.ROBOTS_DISALLOWED: "robots.txt situsnya melarang bot mengambil {url}",
    Why.NOT_HTML: "{url} bukan halaman HTML ({kind})",
    Why.FEED_FOLLOWED: "{url} sudah diikuti",
    Why.FEED_NOT_FOLLOWED: "{url} tidak sedang diikuti (lihat /daftar_feed)",
}
_FETCH_ERRORS = {"timeout": "waktu habis", "connect": "tidak tersambung", "redirects": "terlalu banyak pengalihan"}
_BINARY_KINDS = {"old Office": "dokumen Office lama", "RIFF": "RIFF (gambar/suara)", "ELF": "program"}
_JSON_KINDS = {
    "number": "angka",
    "boolean": "true/false",
    "list": "daftar",
    "object": "objek",
    "null": "null",
    "other": "nilai lain",
}
_DOCUMENT_SUFFIXES = frozenset({".pdf", ".doc", ".docx", ".odt", ".rtf"})  # hint: copy the text into a .txt


def _refusal_values(why: Why, values: dict[str, Any]) -> dict[str, Any]:
    """A refusal's values as its template shows them: sizes in MB, kinds and key lists in words."""
    shown = dict(values)
    if why in (Why.TOO_BIG, Why.LINE_TOO_BIG):
        shown.update(size=megabytes(values["size"]) if values["size"] is not None else None)
        shown.update(limit=megabytes(values["limit"]))
    elif why is Why.UNSUPPORTED_FORMAT:
        shown.update(suffix=values["suffix"] or "(tanpa ekstensi)")
        shown.update(hint="; salin teksnya ke berkas .txt" if values["suffix"] in _DOCUMENT_SUFFIXES else "")
    elif why is Why.BINARY:
        shown.update(kind=_BINARY_KINDS.get(values["kind"], values["kind"]))
    elif why is Why.LINE_WITHOUT_TEXT:
        shown.update(keys=", ".join(values["keys"]) or "-")
    elif why is Why.TEXT_NOT_STRING:
        shown.update(kind=_JSON_KINDS[values["kind"]])
    elif why is Why.FETCH_FAILED:
        shown.update(error=_FETCH_ERRORS.get(values["error"], values["error"]))
    return shown


def refusal_text(refusal: Refusal) -> str:
    """Why an article was skipped or refused, or an ingest command failed, in Indonesian."""
    values = dict(refusal.values)
    template = _REFUSALS[refusal.why]
    if refusal.why is Why.BINARY and values["kind"] == UNKNOWN_BINARY:
        template = "berkas biner, bukan teks"
    elif refusal.why is Why.TOO_BIG and values["size"] is None:  # only known to be over the limit
        template = "lebih dari batas {limit}"
    return template.format(**_refusal_values(refusal.why, values))


def ingest_summary(report: IngestReport, limit: int | None = SUMMARY_ITEMS, *, verbose: bool = False) -> str:
    """What one ingest command did: counts, skipped articles grouped by reason (each one only when
    `verbose`), at most `limit` ids and refusals per list (None: all of them)."""
    if report.failure is not None:
        return text("ingest_failed", problem=refusal_text(report.failure))
    skipped, reasons = thousands(len(report.skipped)), _by_reason(report.skipped)
    if not (report.changed or report.rejected or report.repaired):
        return text("ingest_unchanged", skipped=skipped, reasons=reasons)
    lines = [
        text("ingest_added", count=thousands(len(report.added)), ids=_ids(report.added, limit)),
        text("ingest_updated", count=thousands(len(report.updated)), ids=_ids(report.updated, limit)),
    ]
    if report.removed:
        lines.append(text("ingest_removed", ids=", ".join(report.removed)))
    lines.append(text("ingest_skipped", count=skipped, reasons=reasons))
    if verbose:
        lines += _itemised(report.skipped, limit)
    lines += [text("ingest_rejected", count=thousands(len(report.rejected))), *_itemised(report.rejected, limit)]
    if report.repaired:
        lines.append(text("ingest_repaired"))
    lines.append(text("ingest_embedded", count=thousands(report.embedded)))
    return "\n".join(lines)


def _ids(ids: Sequence[str], limit: int | None) -> str:
    """` (a, b, … +3 lagi)`: the first `limit` ids; "" when there are none."""
    shown = ids if limit is None else ids[:limit]
    more = text("ingest_more_ids", count=thousands(len(ids) - len(shown))) if len(ids) > len(shown) else ""
    return f" ({', '.join(shown)}{more})" if ids else ""


def _itemised(items: Sequence[tuple[str, Refusal]], limit: int | None) -> list[str]:
    """`  - what: why`, one line for each of the first `limit` items, then how many more there are."""
    shown = items if limit is None else items[:limit]
    lines = [f"  - {what}: {refusal_text(why)}" for what, why in shown]
    if len(items) > len(shown):
        lines.append(text("ingest_more_items", count=thousands(len(items) - len(shown))))
    return lines


def _by_reason(items: Iterable[tuple[str, Refusal]]) -> str:
    """` (sudah ada 450, duplikat 7)`: how many were skipped for each reason, duplicates together."""
    counts = Counter(text("ingest_duplicates") if why.why is Why.DUPLICATE else refusal_text(why) for _, why in items)
    return f" ({', '.join(f'{reason} {thousands(n)}' for reason, n in counts.most_common())})" if counts else ""


def article_list(items: Sequence[ArticleSummary]) -> str:
    """`/artikel`: how many articles there are, then one line for each."""
    lines = [text("articles_header", count=len(items))]
    lines += [
        text("article_line", id=a.article_id, title=a.title, outlet=a.outlet or "-", paragraphs=a.paragraphs)
        for a in items
    ]
    return "\n".join(lines)


_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_ZONES = {7: "WIB", 8: "WITA", 9: "WIT"}  # Indonesia's time zones by UTC offset in hours


def date_text(raw: str | None, date_source: str | None = None, language: str = "id") -> str | None:
    """An article's date as a reader sees it: `terbit 24 Nov 2026 08.30 WIB`, or `diambil …` when the
    date is only when it was fetched; None when there is no readable date."""
    shown = _date_words(raw, language)
    if shown is None:
        return None
    return text("date_fetched" if date_source == "fetched" else "date_published", language, date=shown)


def _date_words(raw: str | None, language: str = "id") -> str | None:
    """`24 Nov 2026`, with `08.30 WIB` when `raw` has a time; None when it is not a date."""
    when = parse_date(raw)
    if when is None or raw is None:
        return None
    shown = f"{when.day} {_MONTHS.get(language, _MONTHS['id'])[when.month - 1]} {when.year}"
    if len(raw.strip()) > 10:  # not a bare date: the time too, in the zone it was given in
        offset = when.utcoffset() or timedelta(0)
        hours = offset.total_seconds() / 3600
        zone = _ZONES.get(int(hours)) if hours.is_integer() else None
        zone = zone or ("UTC" if not offset else f"UTC{hours:+g}")
        shown += f" {when:%H.%M} {zone}"
    return shown


def _moment(at: float | None) -> str:
    """A wall-clock time for admins: `24 Nov 2026 08.30 UTC`."""
    if at is None:
        return text("feed_never")
    return _date_words(datetime.fromtimestamp(at, UTC).isoformat()) or "-"


def feed_list(sources: Sequence[FeedSource]) -> str:
    """`/daftar_feed`, `feeds list`: every followed feed, how much of it is known, and how it is failing."""
    if not sources:
        return text("feeds_none")
    lines = [text("feeds_header", count=len(sources))]
    for source in sources:
        checked = _moment(source.last_checked)
        lines.append(text("feed_line", url=source.url, items=thousands(source.items), checked=checked))
        error = source.error
        if source.failures and error is not None:
            retry = _moment(source.next_attempt)
            lines.append(text("feed_line_failing", failures=source.failures, problem=refusal_text(error), next=retry))
    return "\n".join(lines)


def sync_summary(report: SyncReport, limit: int | None = SUMMARY_ITEMS) -> str:
    """What one feed sync did: feeds read, pages fetched and refused, then what ingesting them did."""
    if not report.feeds:
        return text("feeds_sync_none")
    unchanged = sum(1 for f in report.feeds if f.unchanged)
    lines = [
        text(
            "feeds_sync_summary",
            feeds=len(report.feeds),
            unchanged=unchanged,
            failed=len(report.failed),
            fetched=thousands(report.fetched),
            known=thousands(report.known),
            waiting=thousands(report.waiting),
        )
    ]
    if report.failed:
        lines.append(text("feeds_sync_failed"))
        lines += [f"  - {refusal_text(f.failure)}" for f in report.failed if f.failure is not None]
    if report.refused:
        lines.append(text("feeds_sync_refused", count=thousands(len(report.refused))))
        lines += _itemised(report.refused, limit)
    lines.append(ingest_summary(report.ingest, limit))
    if not report.ingest.changed and not report.ingest.rejected:  # "nothing re-embedded" said as a count too
        lines.append(text("ingest_embedded", count=thousands(report.ingest.embedded)))
    return "\n".join(lines)
