"""`garant log …`: the governance log commands — list, show, stats, export, report, purge,
backup, verify. Thin handlers over the governance modules; `assistant.cli` only wires them.
Errors are raised as `GarantError`s, which the CLI turns into one sentence and an exit code.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import GarantError, InputError

if TYPE_CHECKING:
    from assistant.settings import Settings

COMMANDS = ("list", "show", "stats", "export", "report", "purge", "backup", "verify")


def add_log_parser(sub: Any) -> None:
    """Add `log` and its sub-commands to the `garant` parser (`garant log` alone lists)."""
    log = sub.add_parser("log", help="journal de gouvernance : consulter, exporter, rapport au comité, purger, sauvegarder, vérifier")
    log.set_defaults(what="list", id=None, limit=20, refused=False, degraded=False, flagged=False, days=30, json=False)
    what = log.add_subparsers(dest="what", metavar="{" + ",".join(COMMANDS) + "}")
    p = what.add_parser("list", help="dernières réponses (défaut)")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--refused", action="store_true", help="seulement les refus")
    p.add_argument("--degraded", action="store_true", help="seulement le mode dégradé")
    p.add_argument("--flagged", action="store_true", help="seulement les réponses signalées par le personnel")
    p.add_argument("--json", action="store_true")
    p = what.add_parser("show", help="une réponse et toute sa provenance")
    p.add_argument("id", nargs="?", help="identifiant de la réponse")
    p = what.add_parser("stats", help="chiffres du tableau de bord")
    p.add_argument("--days", type=int, default=30, help="période des statistiques")
    p = what.add_parser("export", help="exporte les réponses avec passages, retours et décisions (textes expurgés)")
    _period_options(p, days=False)
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("--out", type=Path, help="fichier de sortie (défaut : la sortie standard)")
    p = what.add_parser("report", help="rapport au comité (Markdown + HTML autonome) sur une période")
    p.add_argument("--out", type=Path, required=True, help="dossier où écrire le rapport")
    _period_options(p, days=True)
    p = what.add_parser("purge", help="supprime les réponses plus anciennes que N jours (180 au moins, sauf --force)")
    p.add_argument("--older-than", type=int, required=True, metavar="JOURS")
    p.add_argument("--force", action="store_true", help="autorise moins de 180 jours (sur décision écrite)")
    p = what.add_parser("backup", help="sauvegarde à chaud (API de sauvegarde de SQLite), vérifiée")
    p.add_argument("dest", type=Path, help="fichier à créer, ou dossier où créer un fichier daté")
    p = what.add_parser("verify", help="vérifie l'intégrité (SQLite et chaîne d'empreintes)")
    p.add_argument("--db", type=Path, help="journal à vérifier (défaut : celui des réglages ; une sauvegarde par exemple)")
    p.add_argument("--anchor", metavar="SEQ:EMPREINTE", help="tête de chaîne relevée plus tôt (rapport au comité) qui doit y figurer")


def _period_options(parser: argparse.ArgumentParser, days: bool) -> None:
    parser.add_argument("--since", metavar="AAAA-MM-JJ", help="premier jour inclus (UTC)")
    parser.add_argument("--until", metavar="AAAA-MM-JJ", help="dernier jour inclus (UTC)")
    if days:
        parser.add_argument("--days", type=int, default=None, help="les N derniers jours, aujourd'hui compris (défaut : 30)")


def parse_day(text: str | None, option: str) -> date | None:
    """A day given on the command line, or a clear error."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"Date invalide pour {option} : « {text} ». Écrivez-la AAAA-MM-JJ, par exemple 2025-03-31.",
                         f"Invalid date for {option}: '{text}'. Write it YYYY-MM-DD, for example 2025-03-31.") from None


def period(since: str | None, until: str | None, days: int | None, today: date) -> tuple[date, date]:
    """[first day, day after the last) from --since/--until (last day included) or --days."""
    if days is not None and (since or until):
        raise InputError("Donnez soit --days, soit --since/--until, pas les deux.", "Give either --days or --since/--until, not both.")
    if days is not None and days < 1:
        raise InputError(f"--days doit être au moins 1 (reçu {days}).", f"--days must be at least 1 (got {days}).")
    end = (parse_day(until, "--until") or today) + timedelta(days=1)
    start = parse_day(since, "--since") or end - timedelta(days=days or 30)
    if start >= end:
        raise InputError("Période vide : --since doit précéder --until.", "Empty period: --since must come before --until.")
    return start, end


def run_log(args: argparse.Namespace, settings: Settings) -> int:
    """Run one `garant log` sub-command; returns the exit code."""
    handler = {"export": _export, "report": _report, "purge": _purge, "backup": _backup, "verify": _verify}.get(args.what, _read)
    try:
        return handler(args, settings)
    except sqlite3.Error as exc:  # a damaged or foreign file: say so, never a traceback
        path = _log_path(settings)
        raise GarantError(f"Journal de gouvernance {path} illisible ({exc}) : lancez `garant log verify` et, s'il n'est pas "
                          "intègre, restaurez la dernière sauvegarde.",
                          f"Governance log {path} unreadable ({exc}): run `garant log verify` and, if it is not intact, "
                          "restore the last backup.") from exc


def _read(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.cli_support import print_json
    from assistant.governance.log import InteractionLog

    journal = InteractionLog(settings.home, settings.governance)
    if args.what == "show":
        if not args.id:
            raise InputError("Indiquez l'identifiant de la réponse : `garant log show ID`.", "Give the answer id: `garant log show ID`.")
        print_json(journal.get(args.id))
        return 0
    if args.what == "stats":
        print_json(journal.stats(days=args.days))
        return 0
    rows = journal.list(refused=True if args.refused else None, degraded=True if args.degraded else None,
                        flagged=True if args.flagged else None, limit=args.limit)
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        flags = "".join(["R" if row.get("refused") else "-", "D" if row.get("degraded") else "-"])
        print(f"{row.get('created_at', '')[:19]}  {flags}  {row.get('id')}  {(row.get('question_redacted') or '')[:90]}")
    return 0


def _log_path(settings: Settings) -> Path:
    return settings.governance.resolve_log_path(settings.home)


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.governance.export import iter_records, write_csv, write_jsonl
    from assistant.governance.log import InteractionLog

    since, until = parse_day(args.since, "--since"), parse_day(args.until, "--until")
    end = until + timedelta(days=1) if until else None
    write = write_csv if args.format == "csv" else write_jsonl
    with InteractionLog(settings.home, settings.governance).reader() as db:
        if args.out is None:
            count = write(iter_records(db, since, end), sys.stdout)
        else:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            with open(args.out, "w", encoding="utf-8", newline="") as out:
                count = write(iter_records(db, since, end), out)
    sys.stderr.write(f"{count} réponse(s) exportée(s){f' vers {args.out}' if args.out else ''}.\n")
    return 0


def _report(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.governance.committee_report import gather, write_report
    from assistant.governance.log import InteractionLog
    from assistant.governance.maintenance import verify

    now = datetime.now(UTC)
    since, until = period(args.since, args.until, args.days, now.date())
    path = _log_path(settings)
    verification = verify(path) if path.is_file() else None
    with InteractionLog(settings.home, settings.governance).reader() as db:
        report = gather(db, since, until, verification, now)
    markdown, html = write_report(report, args.out)
    print(f"Rapport écrit : {html} (à ouvrir dans un navigateur ou à imprimer) et {markdown}.")
    return 0


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.governance.maintenance import purge_older_than

    deleted = purge_older_than(_log_path(settings), args.older_than, force=args.force)
    cutoff = (datetime.now(UTC) - timedelta(days=args.older_than)).date().isoformat()
    if not deleted["interactions"]:
        print(f"Rien à purger : aucune réponse antérieure au {cutoff}.")
        return 0
    print(f"Purge effectuée : {deleted['interactions']} réponse(s) antérieure(s) au {cutoff} supprimée(s), avec "
          f"{deleted['citations']} passage(s), {deleted['feedback']} retour(s) du personnel et {deleted['reviews']} décision(s) "
          "de revue. La purge est inscrite dans la chaîne d'intégrité.")
    return 0


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.governance.maintenance import backup, verify

    path = _log_path(settings)
    written = backup(path, args.dest)
    result = verify(written)
    if not result.ok:
        print(f"Sauvegarde écrite : {written}, mais elle n'est pas intègre :")
        for problem in result.problems("fr"):
            print(f"  - {problem}")
        raise result.error()
    rows = result.chain.rows if result.chain else 0
    print(f"Sauvegarde écrite et vérifiée : {written} ({rows} lignes).\n"
          f"Pour la restaurer : arrêtez Garant (page, API, page de revue), supprimez {path.name}-wal et {path.name}-shm "
          f"s'ils existent, copiez la sauvegarde sur {path}, redémarrez, puis lancez `garant log verify`.")
    return 0


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.governance.maintenance import verify

    anchor = None
    if args.anchor:
        seq, _, digest = args.anchor.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise InputError(f"Tête de chaîne invalide « {args.anchor} » : attendu SEQ:EMPREINTE, comme dans le rapport au comité.",
                             f"Invalid chain head '{args.anchor}': expected SEQ:HASH, as in the committee report.")
        anchor = (int(seq), digest.lower())
    result = verify(args.db or _log_path(settings), anchor)
    if not result.ok:
        print(f"Journal {result.path} NON intègre :")
        for problem in result.problems("fr"):
            print(f"  - {problem}")
        raise result.error()
    chain = result.chain
    assert chain is not None
    print(f"Journal {result.path} intègre : contrôle SQLite conforme ; chaîne de {chain.entries} entrées, {chain.rows} lignes, "
          f"{chain.purges} purge(s) de conservation.\nTête de chaîne : {chain.head_seq}:{chain.head_hash}")
    return 0
