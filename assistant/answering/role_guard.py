"""Recognises questions that ask the assistant to leave its role (ignore its rules, reveal
its instructions, play someone else, write things unrelated to the documents): they are
refused before retrieval, without calling the model. Patterns in French and English.

The first patterns (override the rules, reveal the instructions, change role) also find
instructions planted in documents: `without_instructions` removes them from the text an
answer sentence is checked against, so a model that repeats "ignore previous
instructions…" read in a passage is not "supported" by that passage."""

from __future__ import annotations

import re
import unicodedata

_INSTRUCTIONS = [
    # override the rules
    r"\b(ignore|oublie|oubliez|ignorez|disregard|forget)\b.{0,40}\b(consignes?|instructions?|regles?|rules|prompt|directives?|tout ce qui precede|previous|above)",
    r"\b(oublie|oubliez|forget)\b.{0,20}\b(que tu es|que vous etes|you are)\b",
    # reveal the instructions
    r"\b(prompt|message) (systeme|system)\b", r"\bsystem prompt\b",
    r"\b(affiche|montre|revele|repete|recite|donne|print|show|reveal|repeat|display)\b.{0,40}\b(tes|vos|your|les|the)\b.{0,25}\b(consignes|instructions|regles|rules|prompt)\b",
    # change identity or role
    r"\b(tu es|vous etes|you are) (maintenant|desormais|now)\b", r"\b(a partir de maintenant|from now on)\b",
    r"\b(fais semblant|pretend|imagine que tu es|act as|agis comme|joue le role|role-?play|en tant que (medecin|avocat|pirate))\b",
    r"\bDAN\b", r"\bjailbreak\b", r"\bmode developpeur\b|\bdeveloper mode\b",
]
_PATTERNS = [
    *_INSTRUCTIONS,
    # clearly off-role tasks
    r"\b(recette|recipe|poeme|poem|blague|joke|chanson|song|histoire drole)\b",
    # writing for the user: Garant answers from the documents, it does not draft mail or letters
    r"\b(redige|redigez|ecris|ecrivez|compose|composez|write|draft)\b(-moi|-nous| moi| nous| me| us)?.{0,30}"
    r"\b(courriels?|mails?|e-?mails?|lettres?|letters?|sms|messages?|posts?|tweets?|contrats?|contracts?)\b",
    # personal medical acts asked of the assistant
    r"\b(prescris|prescrivez|diagnostique|diagnostiquez|prescribe|diagnose)\b[- ]?(moi|me|nous|us)\b",
]
_COMPILED = [re.compile(p, re.IGNORECASE) for p in _PATTERNS]
_COMPILED_INSTRUCTIONS = [re.compile(p, re.IGNORECASE) for p in _INSTRUCTIONS]
_PARTS = re.compile(r"(?<=[.!?;])\s+|\n+")


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def leaves_role(question: str) -> bool:
    """True when the question tries to make the assistant leave its role."""
    folded = _fold(question)
    return any(p.search(folded) for p in _COMPILED)


def without_instructions(text: str) -> str:
    """`text` without its sentences that address an assistant (override its rules, reveal its
    instructions, change its role): planted in a document, they are not facts to answer from."""
    kept = [part for part in _PARTS.split(text) if not any(p.search(_fold(part)) for p in _COMPILED_INSTRUCTIONS)]
    return " ".join(kept)
