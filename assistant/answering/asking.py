"""The ways a question asks for a value named by a noun, besides a question word right before it.

Staff ask for a deadline, a number or an address in many ways: in a request (« donne-moi le délai
de… », « j'ai besoin du numéro… », "I need the number of…"), with the noun alone and what it is of
(« Délai de qualification d'une FEI-IA ? », "Email of the security officer?"), or with the noun
first and the question's last words asking for it (« Le délai pour remplir la FEI-IA, c'est
combien ? », « Le guide de la CNIL, il est sorti quand ? »). `answer_types` gives each kind of value
its nouns; this module owns the patterns that find them asked for (read on folded text). Read on
420 questions written to name each kind of value in as many ways as staff would
(`evaluation/datasets/kind-phrasings.jsonl`), the kinds' own patterns found 180 of 300.
"""

from __future__ import annotations

import functools
import re

REQUEST = (r"(?:(?:donne|dis|indique|communique|rappelle|precise|envoie|trouve)[sz]?(?:-moi|-nous| moi| nous)|"
           r"(?:je |j')(?:voudrais|veux|souhaite|souhaiterais|aimerais|cherche|recherche|ai besoin)\b(?: (?:de |d')?(?:connaitre|savoir|avoir|obtenir|trouver))?|"
           r"tu as|t'as|tu connais|tu aurais|vous avez|vous connaissez|vous auriez|avez-vous|as-tu|"
           r"(?:tell|give|send|show|find) me|i (?:need|want|would like|'d like)(?: to know)?|i'm looking for|i am looking for|"
           r"do you (?:have|know)|(?:can|could|would) you (?:tell|give|send|find) me)")
# the words of a request, which say nothing of what the value is about (not « donne », « indique », « envoie »: their
# stems are those of « données », « indiqué », « envoi »)
REQUEST_WORDS = ("dis voudrais veux souhaite souhaiterais aimerais cherche recherche besoin connaître savoir obtenir connais aurais "
                 "auriez tell give send show find need want like know looking please")
DETERMINER = r"(?:(?:le|la|les|l'|du|de la|de l'|des|the|our|notre|nos|mon|ma|son|sa|leur|votre|your|its|their) ?)?"
# a question ending on what it asks (« …, c'est combien ? », « …, c'est quoi ? », « …, c'est qui ? », « …, c'est pour quand ? »)
ASKED_LAST = (r"(?:(?:c'est|c est|ca fait|ca monte a|ca coute|est de|sont de|il faut compter) )?(?:combien|lequel|laquelle|lesquels|lesquelles)|"
              r"c'? ?est (?:quoi|qui)|(?:c'? ?est (?:prevue? )?(?:pour )?|prevue?s? pour |sortie?s? |publiee?s? |datee?s? de |datent de |date de )quand|"
              r",? please")
# a question turned round is asking something of the noun (« Le délai de 72 h court-il… ? », « Est-ce que le taux… »)
TURNED = r"[\w-]-(?:t-)?(?:il|elle|ils|elles|on)\b|\best-ce\b"


def ways_of_asking(nouns: str, alone: bool = True) -> str:
    """A question asking for the value that one of `nouns` names (folded text): after a question word,
    with at most two words between (« quel est le taux de… », "what's the target training rate"), in a
    request, on its own at the start of a question that does not turn round nor give a number right after
    it (« Le délai de 24 h s'applique-t-il… ? » asks about a value given) and says what the value is of
    (« Délai de qualification… ? », not "The vendor says…"; not when `alone` is false), or before the
    question's last words asking for it."""
    nominal = (rf"^\W*{DETERMINER}(?:{nouns})\s*(?:de |d'|du |des |of |for |pour |:|,|\?)(?![^?]*(?:{TURNED}))"
               rf"(?!\W*(?:[\w-]+\W+){{0,2}}?\d)|") if alone else ""
    return (rf"\b(?:quel|quelle|quels|quelles|quoi|what|what's|whats|which)(?: (?:est|sont|etait|etaient|is|are|was|were))?"
            rf"(?: (?:le|la|les|l'|the|our|notre|nos|votre|your))? ?(?:[\w-]+ ){{0,2}}?(?:{nouns})\b|"
            rf"\b{REQUEST}\W+{DETERMINER}(?:[\w'-]+ ){{0,4}}?(?:{nouns})\b|"
            rf"{nominal}"
            rf"\b(?:{nouns})\b[^?]*\b(?:{ASKED_LAST})\s*\W*$")


@functools.cache
def asked_otherwise(nouns: str, alone: bool = True) -> re.Pattern[str]:
    """`ways_of_asking`, compiled (once per kind)."""
    return re.compile(ways_of_asking(nouns, alone), re.IGNORECASE)

