"""`garant-ingest`: the IT command that keeps the index in step with the documents.

Thin layer over `ingest.pipeline` and `ingest.inventory`; see `garant-ingest --help`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.cli_support import add_common_options, print_json, run, settings_from
from assistant.engines.embedder import build_embedder
from assistant.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="garant-ingest", description="Indexe les documents de l'établissement pour Garant.")
    add_common_options(parser)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sync", help="met l'index en accord avec un dossier (défaut : ingest.corpus_dir)")
    p.add_argument("folder", nargs="?", type=Path)
    p.add_argument("--json", action="store_true")
    p.add_argument("--if-stale", action="store_true", help="ne fait rien si l'index est déjà à jour (sans charger de modèle)")
    p = sub.add_parser("add", help="indexe ou met à jour un fichier")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("remove", help="retire un document de l'index")
    p.add_argument("doc_id")
    p = sub.add_parser("list", help="liste les documents indexés")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("status", help="état de l'index")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("rebuild", help="reconstruit l'index depuis zéro")
    p.add_argument("folder", nargs="?", type=Path)
    p.add_argument("--json", action="store_true")
    sub.add_parser("verify", help="vérifie la cohérence de l'index en service")
    return parser


def _ingestor(settings: Settings, verbose: bool):  # type: ignore[no-untyped-def]
    from ingest.pipeline import Ingestor

    def progress(stage: str, done: int, total: int) -> None:
        if verbose:
            sys.stderr.write(f"\r{stage}: {done}/{total}")
            if done == total:
                sys.stderr.write("\n")

    return Ingestor(settings, lambda: build_embedder(settings.embedder), progress)


def _print_report(report, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        print_json(report.as_dict())
        return
    for doc_id in report.added:
        print(f"ajouté      {doc_id}")
    for doc_id in report.updated:
        print(f"mis à jour  {doc_id}")
    for doc_id in report.removed:
        print(f"retiré      {doc_id}")
    for failure in report.failed:
        print(f"ÉCHEC       {failure.path} : {failure.reason_fr}", file=sys.stderr)
    for path in report.unsupported:
        print(f"ignoré      {path} (format non pris en charge)", file=sys.stderr)
    state = f"nouvelle version {report.version_id}" if report.changed else "index inchangé"
    print(
        f"{len(report.added)} ajouté(s), {len(report.updated)} mis à jour, {len(report.removed)} retiré(s), "
        f"{report.unchanged} inchangé(s), {len(report.failed)} en échec ; {report.chunks_embedded} passages vectorisés "
        f"en {report.seconds_total:.1f} s ; {state}."
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point body (wrapped by `run`)."""
    args = _parser().parse_args(argv)
    settings = settings_from(args)
    folder = getattr(args, "folder", None) or settings.ingest.corpus_dir
    if args.command == "sync":
        if args.if_stale:
            from ingest.inventory import index_is_stale

            if not index_is_stale(settings, folder):
                print("index à jour.")
                return 0
        report = _ingestor(settings, args.verbose).sync(folder)
    elif args.command == "add":
        report = _ingestor(settings, args.verbose).add(args.file)
    elif args.command == "remove":
        report = _ingestor(settings, args.verbose).remove(args.doc_id)
        args.json = False
    elif args.command == "rebuild":
        report = _ingestor(settings, args.verbose).rebuild(folder)
    elif args.command == "list":
        from ingest.inventory import list_documents

        docs = list_documents(settings)
        if args.json:
            print_json(docs)
        else:
            for d in docs:
                print(f"{d['doc_id']:<55} {d['kind']:<14} v{d['version']:<8} {d['status']:<11} {d['chunk_count']:>5} passages  {d['title']}")
        return 0
    elif args.command == "status":
        from ingest.inventory import status

        info = status(settings, folder)
        if args.json:
            print_json(info)
        else:
            for key, value in info.items():
                print(f"{key}: {value}")
        return 0
    else:
        from ingest.inventory import verify

        problems, warnings = verify(settings)
        for warning in warnings:
            print(f"avertissement : {warning}")
        for problem in problems:
            print(f"PROBLÈME : {problem}", file=sys.stderr)
        print("index sain." if not problems else f"{len(problems)} problème(s) : lancez `garant-ingest rebuild`.")
        return 1 if problems else 0
    _print_report(report, args.json)
    return 0 if not report.failed else 6


def entry() -> None:
    """Console-script entry point."""
    sys.exit(run(main))
