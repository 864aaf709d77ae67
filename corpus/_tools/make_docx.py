"""Regenerate the fictional procedure PQ-IA-02 as a DOCX file.

Usage (from the repository root):
    .venv/bin/python corpus/_tools/make_docx.py

Writes corpus/etablissement/procedures/PQ-IA-02-validation-planning-assiste-ia.docx.
The document is a FICTIONAL example written for the Garant demo; its metadata lives in
the sidecar PQ-IA-02-validation-planning-assiste-ia.docx.meta.yaml (kept by hand, not
written by this script). The output is deterministic apart from the DOCX zip timestamps.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.shared import Pt

OUT = Path(__file__).resolve().parents[1] / "etablissement" / "procedures" / "PQ-IA-02-validation-planning-assiste-ia.docx"

LABEL = "Document fictif d'exemple, rédigé pour la démonstration de Garant — ne s'applique à aucun établissement réel."

TITLE = "PQ-IA-02 — Validation d'un planning du personnel établi avec l'aide d'un système d'IA"

# Each section: (heading level, heading text, list of items). An item is a str (paragraph),
# ("bullets", [str, ...]), ("numbers", [str, ...]) or ("table", header, rows).
SECTIONS: list[tuple[int, str, list]] = [
    (
        1,
        "1. Objet",
        [
            "Cette procédure décrit comment le cadre de santé contrôle et valide le planning "
            "(tableau de service) de son unité lorsque ce planning est proposé par le module de "
            "proposition automatique du logiciel de gestion du temps de travail (ci-après « l'outil "
            "de planning assisté »). Elle garantit que chaque planning publié au Centre hospitalier "
            "de Val-Garant a été vérifié et validé par un humain, qu'il respecte les règles de temps "
            "de travail de la fonction publique hospitalière et les règles de l'établissement, et "
            "que les agents sont informés de l'usage de l'IA.",
            "L'outil propose ; le cadre de santé décide. Aucun planning n'est publié sans la "
            "validation électronique nominative du cadre de santé : la fonction de publication "
            "automatique de l'outil est désactivée dans le paramétrage de l'établissement.",
        ],
    ),
    (
        1,
        "2. Domaine d'application",
        [
            "La procédure s'applique aux unités qui utilisent l'outil de planning assisté, soit à "
            "la date d'application les trois unités pilotes suivantes :",
            (
                "bullets",
                [
                    "médecine polyvalente (28 lits), organisée en postes de 7 h 30 le jour et de 10 h la nuit ;",
                    "chirurgie digestive et orthopédique (32 lits), organisée en postes de 7 h 30 le jour et de 10 h la nuit ;",
                    "urgences adultes, organisées en postes de 12 heures.",
                ],
            ),
            "Elle concerne les infirmiers (IDE) et les aides-soignants (AS) de ces unités. Les "
            "plannings médicaux (tableaux de service des praticiens) ne sont pas concernés. "
            "L'extension à d'autres unités est décidée par le Comité de pilotage IA et numérique, "
            "après avis du comité social d'établissement (CSE).",
        ],
    ),
    (
        1,
        "3. Références",
        [
            (
                "bullets",
                [
                    "Décret n° 2002-9 du 4 janvier 2002 relatif au temps de travail et à l'organisation "
                    "du travail dans la fonction publique hospitalière (articles 6, 7 et 13).",
                    "Accord local du 14 octobre 2024 relatif au repos quotidien dans les unités organisées "
                    "en postes de 12 heures, et décision du directeur général du 4 novembre 2024.",
                    "Règlement (UE) 2024/1689 sur l'intelligence artificielle, articles 4, 14 et 26 : "
                    "par précaution, l'établissement applique à l'outil les obligations des déployeurs de "
                    "systèmes d'IA à haut risque, l'annexe III, point 4, visant les systèmes utilisés pour "
                    "attribuer des tâches aux travailleurs.",
                    "Règlement (UE) 2016/679 (RGPD), articles 5, 13, 22 et 35.",
                    "Charte d'utilisation de l'IA du CH de Val-Garant (CHA-IA-01), procédure PQ-IA-01 "
                    "(signalement d'un dysfonctionnement d'un système d'IA).",
                    "Note de l'Anap « Déployer une IA de confiance » : la validation d'un manager est "
                    "obligatoire dans le cadre d'une automatisation de planning.",
                ],
            ),
        ],
    ),
    (
        1,
        "4. Rôles et responsabilités",
        [
            (
                "table",
                ["Acteur", "Responsabilités"],
                [
                    [
                        "Agent (IDE, AS)",
                        "Saisit ses souhaits et demandes de congés dans le portail agent "
                        "avant la clôture (J-49) ; consulte le planning publié ; peut demander une explication "
                        "ou une révision (formulaire DR-PLAN).",
                    ],
                    [
                        "Outil de planning assisté",
                        "Calcule une proposition de planning à partir des règles "
                        "paramétrées, des effectifs cibles, des compétences, des congés validés et des souhaits ; "
                        "signale les règles qu'il n'a pas pu respecter. Ne publie rien.",
                    ],
                    [
                        "Cadre de santé de l'unité",
                        "Contrôle la proposition avec la grille GC-PLAN, la corrige, "
                        "justifie chaque écart, valide et publie le planning. Il est le garant humain du planning "
                        "de son unité.",
                    ],
                    [
                        "Cadre supérieur de santé du pôle",
                        "Accorde ou refuse les dérogations ; seul habilité à "
                        "lever une alerte bloquante ; réalise un audit trimestriel par échantillon.",
                    ],
                    [
                        "Coordonnateur général des soins",
                        "Garant humain référent de l'outil inscrit au registre "
                        "des systèmes d'IA ; présente le suivi au COPIL IA et numérique.",
                    ],
                    [
                        "Direction des ressources humaines",
                        "Paramètre les règles statutaires et les quotités ; "
                        "tient à jour les interfaces avec le SIRH et la gestion des temps (GTT).",
                    ],
                    ["Référent IA", "Assure le lien avec le fournisseur, instruit les signalements FEI-IA avec la cellule qualité."],
                ],
            ),
        ],
    ),
    (
        1,
        "5. Calendrier d'élaboration",
        [
            "Le planning est établi par période de 4 semaines commençant un lundi. Les échéances sont "
            "comptées en jours calendaires avant le premier jour de la période (J) :",
            (
                "table",
                ["Échéance", "Action", "Responsable"],
                [
                    ["J-49", "Clôture de la saisie des souhaits et des demandes de congés par les agents", "Agents"],
                    ["J-45", "Validation des congés et mise à jour des absences prévues dans la GTT", "Cadre de santé"],
                    ["J-42", "Génération de la proposition de planning", "Outil (lancement par le cadre)"],
                    ["J-42 à J-30", "Contrôle avec la grille GC-PLAN, corrections, justification des écarts", "Cadre de santé"],
                    ["J-30", "Envoi des demandes de dérogation ; réponse sous 2 jours ouvrés", "Cadre de santé, cadre supérieur"],
                    ["J-28 au plus tard", "Validation électronique et publication du planning", "Cadre de santé"],
                    ["J-15", "Limite réglementaire de publication (article 13 du décret n° 2002-9)", "—"],
                ],
            ),
            "L'objectif de l'établissement est la publication à J-28 ; la limite réglementaire de "
            "15 jours avant l'application du tableau de service ne doit jamais être dépassée, y compris "
            "en procédure dégradée.",
        ],
    ),
    (
        1,
        "6. Déroulement du contrôle",
        [
            (2, "6.1 Vérifier les données d'entrée"),
            "Avant de lancer la proposition, le cadre de santé vérifie que les données transmises à "
            "l'outil sont à jour : effectif de l'unité et quotités de travail, congés validés, absences "
            "prévues, compétences (par exemple agents en période d'intégration), effectifs cibles de "
            "l'unité. Une donnée d'entrée erronée produit un planning erroné : c'est la première cause "
            "d'écart relevée pendant la phase pilote.",
            (2, "6.2 Contrôler la proposition avec la grille GC-PLAN"),
            "Le cadre de santé contrôle la proposition règle par règle avec la grille de contrôle "
            "GC-PLAN (tableau ci-dessous), qu'il coche dans l'outil. Les règles statutaires sont "
            "paramétrées en alertes bloquantes : l'outil empêche la validation tant qu'elles ne sont "
            "pas respectées, sauf levée par le cadre supérieur de santé. Les règles d'établissement "
            "sont des alertes non bloquantes : le cadre peut passer outre en saisissant un motif.",
            (
                "table",
                ["N°", "Règle contrôlée", "Valeur", "Origine", "Alerte"],
                [
                    [
                        "R1",
                        "Repos quotidien entre deux prises de poste",
                        "12 h consécutives minimum ; 11 h minimum aux urgences adultes (postes de 12 h)",
                        "Décret 2002-9, art. 6 ; accord local du 14/10/2024",
                        "Bloquante",
                    ],
                    [
                        "R2",
                        "Durée maximale de travail sur toute période de 7 jours glissants, heures supplémentaires comprises",
                        "48 h",
                        "Décret 2002-9, art. 6",
                        "Bloquante",
                    ],
                    ["R3", "Repos hebdomadaire", "36 h consécutives minimum", "Décret 2002-9, art. 6", "Bloquante"],
                    [
                        "R4",
                        "Jours de repos",
                        "4 jours par période de 2 semaines, dont 2 consécutifs incluant un dimanche",
                        "Décret 2002-9, art. 6",
                        "Bloquante",
                    ],
                    [
                        "R5",
                        "Durée quotidienne de travail",
                        "9 h le jour, 10 h la nuit ; 12 h aux urgences adultes (dérogation après avis du CSE)",
                        "Décret 2002-9, art. 7",
                        "Bloquante",
                    ],
                    [
                        "R6",
                        "Pause",
                        "20 minutes dès que le travail quotidien dépasse 6 h consécutives",
                        "Décret 2002-9, art. 7",
                        "Bloquante",
                    ],
                    [
                        "R7",
                        "Effectif minimal par poste",
                        "Médecine polyvalente : matin 3 IDE + 3 AS ; après-midi 3 IDE + 2 AS ; nuit 1 IDE + 1 AS",
                        "Tableau des effectifs cibles validé par la direction des soins",
                        "Bloquante",
                    ],
                    [
                        "R8",
                        "Encadrement des nouveaux arrivants",
                        "Un agent en période d'intégration (4 premières semaines) n'est jamais seul de sa fonction sur un poste",
                        "Règle d'établissement",
                        "Non bloquante",
                    ],
                    ["R9", "Jours travaillés consécutifs", "5 jours au plus", "Règle d'établissement", "Non bloquante"],
                    ["R10", "Week-ends", "Au moins un week-end complet de repos sur deux", "Règle d'établissement", "Non bloquante"],
                    [
                        "R11",
                        "Enchaînements",
                        "Pas de poste du matin le jour qui suit un poste de nuit",
                        "Règle d'établissement",
                        "Non bloquante",
                    ],
                    [
                        "R12",
                        "Équité de répartition",
                        "Écart de 2 week-ends travaillés au plus entre agents de même fonction et de même quotité sur 12 semaines",
                        "Règle d'établissement",
                        "Non bloquante",
                    ],
                ],
            ),
            (2, "6.3 Rechercher les erreurs que l'outil ne voit pas"),
            "Le respect des règles paramétrées ne suffit pas. Le cadre de santé vérifie aussi, avec sa "
            "connaissance de l'unité, ce que l'outil ignore : une contrainte personnelle signalée "
            "oralement, un temps partiel thérapeutique, une formation planifiée hors GTT, la répartition "
            "des compétences rares (par exemple les agents formés à la prise en charge des voies veineuses "
            "centrales), la charge en soins prévisible. Il ne valide pas un planning qu'il n'a pas relu "
            "en entier, même si l'outil n'affiche aucune alerte.",
            (2, "6.4 Justifier les écarts et demander les dérogations"),
            "Chaque alerte non bloquante maintenue est justifiée par un motif saisi dans l'outil ; ces "
            "motifs alimentent le registre des écarts. Une dérogation à une règle bloquante (par exemple "
            "un effectif minimal non atteint faute de remplaçant) est demandée au cadre supérieur de santé "
            "au plus tard à J-30 ; il répond dans les 2 jours ouvrés et, s'il l'accorde, lève l'alerte "
            "avec son propre motif.",
            (2, "6.5 Valider et publier"),
            "Le cadre de santé valide le planning par sa signature électronique dans l'outil, au plus "
            "tard à J-28. La validation horodatée vaut publication : le planning devient visible dans le "
            "portail agent et est affiché dans l'unité. En l'absence du cadre de santé, la validation est "
            "faite par le cadre de santé suppléant désigné par le cadre supérieur de santé, jamais par un "
            "agent non cadre ni par l'outil.",
        ],
    ),
    (
        1,
        "7. Modifications après publication",
        [
            "Toute modification d'un planning publié est faite par le cadre de santé (ou, la nuit et le "
            "week-end, par le cadre de garde), tracée dans l'outil avec son motif, et portée à la "
            "connaissance de l'agent concerné. Une modification demandée à l'agent moins de 48 heures "
            "avant sa prise de poste requiert son accord, sauf nécessité impérieuse de service, qui est "
            "alors motivée par écrit. Les règles R1 à R7 restent contrôlées par l'outil à chaque "
            "modification.",
        ],
    ),
    (
        1,
        "8. Information et droits des agents",
        [
            (
                "bullets",
                [
                    "Avant la mise en service de l'outil, le CSE a été informé le 18 février 2025, et chaque "
                    "agent des unités pilotes a reçu la note d'information NOT-IA-PLAN (article 26, "
                    "paragraphe 7, du règlement sur l'IA).",
                    "Chaque planning publié porte la mention : « Planning proposé avec l'aide d'un outil "
                    "d'IA, contrôlé et validé par [nom du cadre de santé] ».",
                    "Tout agent peut demander une explication de son planning ou sa révision au moyen du "
                    "formulaire DR-PLAN, dans les 7 jours suivant la publication ; le cadre de santé répond "
                    "par écrit dans les 7 jours.",
                    "L'outil n'est pas utilisé pour évaluer la performance des agents ; les souhaits non "
                    "satisfaits ne sont pas utilisés à d'autres fins que le suivi de l'équité (R12).",
                ],
            ),
        ],
    ),
    (
        1,
        "9. Protection des données",
        [
            "L'outil ne reçoit que les données nécessaires : identité professionnelle, fonction, quotité, "
            "compétences, congés, absences sous un code générique (le motif médical d'une absence n'est "
            "jamais transmis), souhaits des agents. Une analyse d'impact relative à la protection des "
            "données (AIPD) a été réalisée avec le DPO avant la mise en service. Les journaux de l'outil "
            "(propositions, alertes, levées d'alerte, validations, modifications) sont conservés 12 mois, "
            "conformément à la charte d'utilisation de l'IA.",
        ],
    ),
    (
        1,
        "10. Procédure dégradée",
        [
            "Si l'outil est indisponible ou suspendu, le cadre de santé établit le planning avec le modèle "
            "MOD-PLAN-03 (tableau de service manuel) et contrôle les règles R1 à R12 avec la version papier "
            "de la grille GC-PLAN. Les échéances de la section 5 restent applicables.",
        ],
    ),
    (
        1,
        "11. Signalement des anomalies",
        [
            "Une proposition qui enfreint une règle paramétrée sans déclencher d'alerte, un calcul "
            "d'heures erroné, une indisponibilité ou une répartition qui semble systématiquement "
            "défavorable à certains agents sont des dysfonctionnements : le cadre de santé les signale "
            "dans les 24 heures avec le formulaire FEI-IA, selon la procédure PQ-IA-01.",
        ],
    ),
    (
        1,
        "12. Évaluation",
        [
            (
                "table",
                ["Indicateur", "Objectif", "Fréquence"],
                [
                    ["Plannings publiés au plus tard à J-28", "95 % ou plus", "Trimestrielle"],
                    ["Plannings publiés après J-15", "0", "Trimestrielle"],
                    ["Alertes bloquantes levées sans dérogation écrite", "0", "Audit trimestriel"],
                    ["Modifications après publication, par agent et par période", "Suivi (pas d'objectif)", "Trimestrielle"],
                    ["Demandes DR-PLAN traitées dans les 7 jours", "100 %", "Trimestrielle"],
                ],
            ),
            "Le cadre supérieur de santé audite chaque trimestre un planning publié par unité pilote, "
            "tiré au sort, avec la grille GC-PLAN. Les résultats sont présentés au COPIL IA et numérique.",
        ],
    ),
    (
        1,
        "13. Historique des modifications",
        [
            (
                "table",
                ["Version", "Date", "Modifications"],
                [
                    ["1.0", "1er avril 2025", "Création pour la phase pilote dans trois unités"],
                ],
            ),
        ],
    ),
]


def add_table(doc: Document, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    doc.add_paragraph()


def build() -> Path:
    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)

    props = doc.core_properties
    props.title = TITLE
    props.author = "Centre hospitalier de Val-Garant (fictif) — cellule qualité"
    props.subject = "Procédure qualité fictive pour la démonstration de Garant"
    props.language = "fr-FR"
    props.created = dt.datetime(2025, 3, 20, 9, 0, 0)
    props.modified = dt.datetime(2025, 3, 20, 9, 0, 0)
    props.revision = 1

    label = doc.add_paragraph()
    label_run = label.add_run(LABEL)
    label_run.italic = True

    doc.add_heading(TITLE, level=0)
    doc.add_paragraph("Centre hospitalier de Val-Garant — procédure qualité — version 1.0 — applicable au 1er avril 2025")
    add_table(
        doc,
        ["Rédaction", "Vérification", "Approbation"],
        [
            [
                "Cadre supérieur de santé du pôle médecine ; référent IA",
                "Direction des ressources humaines ; DPO ; cellule qualité",
                "Coordonnateur général des soins",
            ]
        ],
    )

    for level, heading, items in SECTIONS:
        doc.add_heading(heading, level=level)
        for item in items:
            if isinstance(item, str):
                doc.add_paragraph(item)
            elif item[0] == "bullets":
                for text in item[1]:
                    doc.add_paragraph(text, style="List Bullet")
            elif item[0] == "numbers":
                for text in item[1]:
                    doc.add_paragraph(text, style="List Number")
            elif item[0] == "table":
                add_table(doc, item[1], item[2])
            elif isinstance(item[0], int):
                doc.add_heading(item[1], level=item[0])
            else:
                raise ValueError(f"unknown item {item!r}")

    doc.add_paragraph(
        "Documents associés : CHA-IA-01 Charte d'utilisation de l'IA ; PQ-IA-01 Signalement d'un "
        "dysfonctionnement d'un système d'IA ; grille GC-PLAN ; formulaire DR-PLAN ; note "
        "d'information NOT-IA-PLAN ; modèle MOD-PLAN-03."
    )

    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc.save(OUT)
    return OUT


if __name__ == "__main__":
    print(build())
