"""`garant`: the command for staff-facing use — prepare models, ask a question, serve the page.

Thin layer over `assistant.services`; see `garant --help`.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from assistant.cli_support import add_common_options, print_json, run, settings_from
from assistant.governance.cli_log import add_log_parser

if TYPE_CHECKING:
    from assistant.retrieval.hybrid import Passage


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="garant", description="Garant : assistant documentaire hors ligne.")
    add_common_options(parser)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("models", help="assemble le modèle livré en paquets et vérifie son empreinte SHA-256")
    p = sub.add_parser("ask", help="pose une question et affiche la réponse avec ses sources")
    p.add_argument("question")
    p.add_argument("--lang", choices=["fr", "en"])
    p.add_argument("--json", action="store_true", help="sortie JSON (réponse, citations, provenance)")
    p.add_argument("--include-archived", action="store_true")
    p.add_argument("--no-llm", action="store_true", help="mode dégradé forcé : les passages, sans synthèse par le modèle")
    p.add_argument("--k", type=int, default=None, help="nombre de passages retenus (défaut : retrieval.top_k)")
    p = sub.add_parser("serve", help="ouvre la page du personnel")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p = sub.add_parser("settings", help="affiche la référence des réglages, ou (--effective) les réglages en vigueur")
    p.add_argument("--effective", action="store_true",
                   help="les réglages en vigueur (fichier + environnement), en JSON, empreintes de secrets masquées")
    add_log_parser(sub)
    sub.add_parser("review", help="ouvre la page de revue du comité de pilotage IA (port governance.review_port)")
    p = sub.add_parser("review-passwd", help="crée l'empreinte du mot de passe d'un compte de revue, à coller dans garant.toml")
    p.add_argument("username")
    p.add_argument("--role", choices=["reviewer", "admin"], default="reviewer")
    return parser


def _log(args: argparse.Namespace) -> int:
    from assistant.governance.cli_log import run_log

    return run_log(args, settings_from(args))


def _ask(args: argparse.Namespace) -> int:
    from assistant.services import build_services

    settings = settings_from(args)
    if args.include_archived:
        settings.retrieval.include_archived = True
    services = build_services(settings)
    try:
        stream = services.answerer.stream(args.question, lang=args.lang, k=args.k, no_llm=args.no_llm)
        final = None
        for event in stream:
            if event.kind == "token" and not args.json:
                sys.stderr.write(event.data)
                sys.stderr.flush()
            elif event.kind == "final":
                final = event.data
                services.record(final, f"cli:{getpass.getuser()}")
    finally:
        services.close()
    assert final is not None
    if args.json:
        print_json(final.as_dict())
        return 0
    if not args.json:
        sys.stderr.write("\n")
    print(f"⚠ {final.notice}")
    if final.degraded:
        print(final.text)
        for number, passage in enumerate(final.retrieved, start=1):
            print(f"\n[{number}] {_source_line(passage)}\n{passage.chunk.text[:600]}")
        return 0
    print(final.text)
    if final.cited:
        print("\nSources :")
        for number in final.cited:
            passage = final.retrieved[number - 1]
            print(f"[{number}] {_source_line(passage)}")
            print(f"    « {passage.chunk.text[:300]}… »")
    return 0


def _source_line(passage: Passage) -> str:
    """A source as the terminal lists it: title, kind and version (as the page shows them: « version OJ L
    2024/1689… », not « vOJ L… »), then where in the document."""
    doc = passage.document
    about = f"{doc.kind}, version {doc.version}" if doc.version else doc.kind
    return f"{doc.title} ({about}) {passage.location}"


def main(argv: list[str] | None = None) -> int:
    """Entry point body (wrapped by `run`)."""
    args = _parser().parse_args(argv)
    if args.command == "models":
        from assistant.engines.model_file import verified_model_path

        settings = settings_from(args)
        path, sha = verified_model_path(settings.llm, settings.models_dir)
        print(f"modèle prêt : {path} (sha256 {sha})")
        return 0
    if args.command == "ask":
        return _ask(args)
    if args.command == "log":
        return _log(args)
    if args.command == "review":
        from assistant.governance.review_app import serve_review

        serve_review(settings_from(args))
        return 0
    if args.command == "review-passwd":
        from assistant.governance.accounts import account_entry

        password = getpass.getpass("Mot de passe / password: ")
        print(account_entry(args.username, args.role, password, getpass.getpass("Confirmation: ")))
        return 0
    if args.command == "settings":
        from assistant.settings import settings_reference

        if args.effective:
            settings = settings_from(args)
            print_json({"fingerprint": settings.fingerprint(), "settings": _masked(settings.model_dump(mode="json"))})
        else:
            print(settings_reference())
        return 0
    from assistant.web.app import serve

    settings = settings_from(args)
    if args.host:
        settings.server.host = args.host
    if args.port:
        settings.server.port = args.port
    serve(settings)
    return 0


def entry() -> None:
    """Console-script entry point."""
    sys.exit(run(main))


_SECRET_KEYS = ("password_hash", "sha256")


def _masked(value: object) -> object:
    """Settings as JSON with password and token hashes replaced (they are secrets' fingerprints)."""
    if isinstance(value, dict):
        return {k: "***" if k in _SECRET_KEYS and v else _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value
