"""What kind of value a question asks for, and whether the passages hold one: a question about
an amount of money (« Combien coûte la licence… », "What budget…") is answered only from a
passage that states one, in euros. Governance documents rarely give costs or budgets, and
without such a passage the nearest ones talk about something else (the fines of a regulation,
a procedure's dates): Garant refuses instead of quoting them or letting the model guess.

Fines are left out on purpose: the regulations state them, and a question about a fine whose
passages lack the amount is a search that missed, not a question outside the documents.
"""

from __future__ import annotations

import re
import unicodedata

# Asking for an amount, not about money in general (« Comment maîtriser les coûts ? » is not).
_MONEY_QUESTION = re.compile(
    r"\b(?:combien (?:coute|coutent|a coute|ont coute|va couter|depense|depensent|gagne|gagnent|paie|paye|payent)|"
    r"(?:quel|quelle|quels|quelles)(?: est| sont| etait)?(?: le| la| les| l')? ?(?:cout|couts|budget|budgets|prix|tarif|tarifs|montant|salaire|remuneration)\b(?! de l'amende| des amendes)|"
    r"how much (?:does|do|did|will|would|is|are)\b.{0,40}\b(?:cost|costs|spend|spent|pay|paid|charge|budget|worth)|"
    r"what (?:is|are|was|were) the (?:cost|costs|price|prices|budget|salary|salaries)\b|what budget)",
    re.IGNORECASE,
)
_MONEY = re.compile(r"\d[\d\s\u00a0\u202f.,]*\s?(?:€|EUR\b|euros?\b|k€|M€)|€\s?\d|\bEUR\s?\d", re.IGNORECASE)


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def asks_for_money(question: str) -> bool:
    """True for a question about a cost, a price, a budget, spending or pay."""
    return bool(_MONEY_QUESTION.search(_fold(question)))


def states_money(text: str) -> bool:
    """True when the text states an amount in euros (« 15 000 000 EUR », « 2 500 € »)."""
    return bool(_MONEY.search(text))


def lacks_the_value_asked(question: str, texts: list[str]) -> bool:
    """True when the question asks for a kind of value that none of the texts holds."""
    return asks_for_money(question) and not any(states_money(text) for text in texts)
