"""`garant-eval`: measures retrieval and answers on a question set, writes the report, and
compares two runs; counts the value questions of a phrasing set whose kind is recognised.

Thin layer over `evaluation.runner`, `evaluation.report` and `evaluation.compare`; see
`garant-eval --help`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.cli_support import add_common_options, run, settings_from


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="garant-eval", description="Évalue Garant sur un jeu de questions et rédige le rapport.")
    add_common_options(parser)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="pose les questions (reprend là où une évaluation interrompue s'est arrêtée), puis écrit le rapport")
    p.add_argument("--dataset", type=Path, required=True, help="questions, une ligne JSON par question")
    p.add_argument(
        "--out", type=Path, required=True, help="dossier des résultats (results.jsonl, run.json, metrics.json, report.md, report.html)"
    )
    p.add_argument(
        "--no-llm",
        action="store_true",
        help="sans le modèle de langue : la recherche, et les réponses de `garant ask --no-llm` (passages recopiés mot pour mot, ou refus)",
    )
    p.add_argument("--limit", type=int, default=None, help="seulement les N premières questions du jeu")
    p.add_argument("--compare", type=Path, default=None, help="dossier --out d'une évaluation précédente à comparer")
    p = sub.add_parser("report", help="réécrit le rapport à partir des résultats déjà enregistrés")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--compare", type=Path, default=None)
    p = sub.add_parser(
        "compare", help="ce qui s'est amélioré ou dégradé entre deux évaluations, chiffre par chiffre et question par question"
    )
    p.add_argument("old", type=Path, help="dossier --out de l'évaluation de référence (avant)")
    p.add_argument("new", type=Path, help="dossier --out de l'évaluation à juger (maintenant)")
    p.add_argument("--out", type=Path, default=None, help="écrit aussi la comparaison dans ce fichier (.md ou .html)")
    p = sub.add_parser(
        "kinds", help="combien de questions d'un jeu de formulations sont reconnues comme demandant leur type de valeur (sans index ni modèle)"
    )
    p.add_argument("--dataset", type=Path, required=True, help="une ligne JSON par question, avec « question » et « kind »")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point body (wrapped by `run`)."""
    from evaluation.report import write_report

    args = _parser().parse_args(argv)
    if args.command == "kinds":
        from evaluation.kinds import score_file

        sys.stdout.write(score_file(args.dataset).render())
        return 0
    if args.command == "compare":
        from evaluation.compare import compare_runs, load_folder
        from evaluation.compare_report import check_output, render_comparison, write_comparison

        if args.out is not None:
            check_output(args.out)
        text = render_comparison(compare_runs(load_folder(args.old), load_folder(args.new)))
        sys.stdout.write(text)
        if args.out is not None:
            sys.stderr.write(f"comparaison : {write_comparison(args.out, text)}\n")
        return 0
    if args.command == "run":
        from evaluation.runner import run as run_evaluation

        summary = run_evaluation(settings_from(args), args.dataset, args.out, no_llm=args.no_llm, limit=args.limit)
        print(f"{summary.computed} question(s) évaluée(s), {summary.skipped} reprise(s) d'une exécution précédente.")
    _, report = write_report(args.out, args.compare)
    print(f"rapport : {report}")
    if report.suffix == ".md":
        print(f"rapport HTML : {report.with_suffix('.html')}")
    return 0


def entry() -> None:
    """Console-script entry point."""
    sys.exit(run(main))
