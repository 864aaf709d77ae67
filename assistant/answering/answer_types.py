"""What kind of value a question asks for, and whether the passages hold one: a question about
an amount of money (« Combien coûte la licence… », "What budget…") is answered only from a
passage that states one, in euros; a question asking a person's name (« Comment s'appelle le
référent IA ? », "What is the name of the DPO?") only from a passage that names someone
(« Mme Martin », « Jean DUPONT »). Governance documents rarely give costs, budgets or names
(they name roles), and without such a passage the nearest ones talk about something else: the
fines of a regulation, « Référent IA (Direction du numérique) » given as a name. Garant refuses
instead of quoting them or letting the model guess.

Fines are left out on purpose: the regulations state them, and a question about a fine whose
passages lack the amount is a search that missed, not a question outside the documents.
"""

from __future__ import annotations

import re

from assistant.answering.language import fold
from assistant.governance.redaction import redact

# Asking for an amount, not about money in general (« Comment maîtriser les coûts ? » is not).
_MONEY_QUESTION = re.compile(
    r"\b(?:combien (?:coute|coutent|a coute|ont coute|va couter|depense|depensent|gagne|gagnent|paie|paye|payent)|"
    r"(?:quel|quelle|quels|quelles)(?: est| sont| etait)?(?: le| la| les| l')? ?(?:cout|couts|budget|budgets|prix|tarif|tarifs|montant|salaire|remuneration)\b(?! de l'amende| des amendes)|"
    r"how much (?:does|do|did|will|would|is|are)\b.{0,40}\b(?:cost|costs|spend|spent|pay|paid|charge|budget|worth)|"
    r"what (?:is|are|was|were) the (?:cost|costs|price|prices|budget|salary|salaries)\b|what budget)",
    re.IGNORECASE,
)
_MONEY = re.compile(r"\d[\d\s\u00a0\u202f.,]*\s?(?:€|EUR\b|euros?\b|k€|M€)|€\s?\d|\bEUR\s?\d", re.IGNORECASE)


# Asking for the name of a person, by role (« le nom de l'outil » asks for a thing's name: not this).
_ROLES = (r"(?:referente?s?|dpo|delegue\w*|directeur|directrice|directeurs|responsables?|rssi|presidente?s?|vice-presidente?s?|"
          r"cadres?|medecins?|pharmaciens?|infirmiere?s?|correspondante?s?|interlocut\w+|chef|cheffe|coordinat\w+|"
          r"officers?|director|directors|head|manager|chair\w*|referents?|contact person|person in charge)")
_NAME_QUESTION = re.compile(
    rf"\b(?:comment s'appell(?:e|ent)|quel est le nom|quels sont les noms|(?:le |les )?noms?(?: et prenoms?)? (?:du|de la|de l'|des)|"
    rf"what(?: is|'s| are) the names? of|who is the current|name of the)\b.{{0,40}}\b{_ROLES}\b",
    re.IGNORECASE,
)


def asks_for_money(question: str) -> bool:
    """True for a question about a cost, a price, a budget, spending or pay."""
    return bool(_MONEY_QUESTION.search(fold(question)))


def states_money(text: str) -> bool:
    """True when the text states an amount in euros (« 15 000 000 EUR », « 2 500 € »)."""
    return bool(_MONEY.search(text))


def asks_for_person_name(question: str) -> bool:
    """True for a question asking the name of a person in a role."""
    return bool(_NAME_QUESTION.search(fold(question)))


def names_a_person(text: str) -> bool:
    """True when the text names someone (« Mme Martin », « Dr Leroy », « Claire Dubois »): what
    the governance log's redaction takes for a name, so both agree on what a name is."""
    return redact(text)[1].get("NOM", 0) > 0


def lacks_the_value_asked(question: str, texts: list[str]) -> bool:
    """True when the question asks for a kind of value that none of the texts holds."""
    if asks_for_money(question) and not any(states_money(text) for text in texts):
        return True
    return asks_for_person_name(question) and not any(names_a_person(text) for text in texts)
