"""Recognises questions that ask the assistant to leave its role (ignore its rules, reveal
its instructions, play someone else, write, translate or summarise things unrelated to the
documents, act as a prescriber): they are refused before retrieval, without calling the
model. Patterns in French and English. A writing request is recognised by its form (the
sentence opens with the verb, after an optional « peux-tu », « can you »…), so a question
about the same words (« Qui rédige le compte rendu du CREX ? ») is not.

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
    r"\b(oublie|oubliez|forget)\b (tout|everything)\b", r"\b(ignore|ignorez|disregard)\b (les|the) (documents|sources|extraits)\b",
    r"\b(tu n'es plus|vous n'etes plus|you are no longer|you're no longer)\b",
    r"\b(comme si tu etais|comme si vous etiez|as if you were)\b",
    r"\b(tes|your) (consignes|instructions|prompt)\b", r"\b(consignes|instructions) (cachees|secretes|initiales)\b",
    r"\b(hidden|secret|initial) (instructions|prompt)\b",
]
# A request (not a question): the sentence opens with the verb, after an optional polite lead.
_ASK = (r"(?:^|[.!?;:]\s*)(?:(?:peux|pourrais|peut|pouvez|pourriez)[- ](?:tu|vous|on)\s+(?:me\s+|nous\s+|m')?|can you |could you |"
        r"would you |please |merci de (?:me )?|s'il te plait,? |je veux que tu |i want you to )?")
_MAKE = (r"(redige|redigez|rediger|ecris|ecrivez|ecrire|compose|composez|composer|genere|generez|generer|cree|creez|creer|fais|faites|faire|"
         r"invente|inventez|raconte|racontez|raconter|write|draft|generate|create|make|tell|invent|produce)")
_WORK = (r"(poemes?|poems?|haikus?|histoires?|stories|story|contes?|blagues?|jokes?|chansons?|songs?|dissertations?|essais?|essays?|"
         r"codes?|scripts?|programmes?|programs?|sql|python|javascript|images?|dessins?|pictures?|drawings?|"
         r"ordonnances?|prescriptions?|comptes? rendus?|lettres? de motivation|cover letters?|discours|speech)")
_REQUESTS = [
    rf"{_ASK}\b{_MAKE}\b(-moi|-nous| moi| nous| me| us)?.{{0,30}}\b{_WORK}\b",
    rf"{_ASK}\b(traduis|traduisez|traduire|translate)\b",
    r"\b(resume|resumez|resumer|summary|summari[sz]e)\b.{0,30}\b(film|livre|roman|serie|movie|book|novel|plot|intrigue)\b",
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
    r"\b(dose|doses|posologie|dosage)\b.{0,60}\b(mon|ma|mes|my) (patient|patiente|patients|malade|enfant|child)\b",
    # writing, translating or summarising something else than the documents' answer
    *_REQUESTS,
]
_COMPILED = [re.compile(p, re.IGNORECASE | re.MULTILINE) for p in _PATTERNS]
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
