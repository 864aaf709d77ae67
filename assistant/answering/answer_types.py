"""What kind of value a question asks for, and whether the passages hold one.

Some questions ask for a value of a given kind: an amount of money (« Combien coûte la
licence… »), a person's name (« Comment s'appelle le référent IA ? »), a duration or deadline
(« Pendant combien d'années les fiches sont-elles conservées ? »), a date, a time of day, an
e-mail address, a phone number, a dose, a count, a vendor's name, a percentage, who chairs a
committee. When no passage holds a value of that kind, no answer drawn from them can
give it, and the nearest passages talk about something else: the fines of a regulation,
« Référent IA (Direction du numérique) » given as a name, the 12 months that logs are kept given
as the time a form is kept. Garant refuses instead of quoting them or letting the model guess.
Refusing then costs nothing in facts: the value is in none of the passages.

For money and names any passage holding one will do (governance documents rarely state either).
Durations, dates, numbers and percentages are everywhere in these documents, so for those the
value must sit in a statement (a sentence or a table row) that shares two words of what is
asked besides the kind of value (« fiches », « conservées »; one for a duration): a deadline for
something else does not answer, and how long a thing is kept needs a statement about keeping
it. An average (« le délai moyen ») or a figure for a year (« en 2025 », « l'an dernier ») needs
a statement that gives one: the deadline a procedure sets is not what was observed. A count needs a number next to the thing counted (« 28 lits », « Lits : 28 », « nuit 1 IDE »), not
a deadline, a year or an article number that happens to share its sentence.

Who chairs a committee needs a statement saying who presides it (« présidé par », "chaired by")
that names the committee: the CREX is described, and the COPIL's chair stated, but not who chairs
the CREX.

A password or an access code (« le mot de passe du wifi », « le digicode ») is never answered,
whatever the passages: governance documents do not state one, and Garant is not where staff
should get one.

Fines are left out on purpose: the regulations state them, and a question about a fine whose
passages lack the amount is a search that missed, not a question outside the documents. A fine
actually imposed (« l'amende que la CNIL a infligée au CH », "How much has the CNIL fined our
hospital?") is not: it needs a passage reporting one with its amount, which rules and guides never
are; the ceilings they set do not answer it. Nor is the fine of a public body (« un hôpital public »,
« le CH de Val-Garant »): the regulations leave it to each Member State's law, and it needs a statement
giving an amount for a public body.

`value_holder` gives the same reading, passage by passage, to the search: once a question asking
for a value is judged answerable, the passages that hold one about what is asked (a fine's amount
included) are favoured.

Where a statement counts or measures the thing asked is read by `counting`; which items of a list
or rows of a table are about another subject, by `siblings`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answering.asking import REQUEST, REQUEST_WORDS, TURNED, asked_otherwise
from assistant.answering.counting import NUMBER, STAFF_ABBREVIATIONS, TIME_UNIT, counting_parts, measures, outer_parts
from assistant.answering.extracts import quote_terms
from assistant.answering.language import fold
from assistant.answering.siblings import closest_siblings
from assistant.governance.redaction import redact
from assistant.retrieval.analysis import analyse
from assistant.retrieval.references import without_references
from assistant.retrieval.statements import statement_groups

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
          r"cadres?|medecins?|pharmaciens?|infirmiere?s?|correspondante?s?|interlocut\w+|chef|cheffe|coordinat\w+|coordonnat\w+|"
          r"officers?|director|directors|head|manager|chair\w*|referents?|contact person|person in charge|"
          r"gestionnaires?|archivistes?|juristes?|representante?s?|ingenieure?s?|administrat\w+|secretaires?|garants?|personnes?|dg|ciso|"
          r"lawyers?|representatives?|engineers?|archivists?|guarantors?|person)")
_NAME_QUESTION = re.compile(
    rf"\b(?:comment s'appell(?:e|ent)|quel est le nom|quels sont les noms|(?:le |les )?noms?(?: et prenoms?)? (?:du|de la|de l'|des)|"
    rf"what(?: is|'s| are) the names? of|who is the current|name of the|"
    # « Qui est le président de la CME en ce moment ? »: who holds the role now is a name; « Qui préside
    # le COPIL ? » asks for a role the documents give
    rf"(?=.*\b(?:actuel|actuelle|actuellement|en ce moment|aujourd'hui|a ce jour|currently|right now|at the moment)\b)"
    rf"(?:qui est|qui sont|who is|who are)|"
    # asked for, or alone (« J'ai besoin du nom de notre gestionnaire des risques », "Name of the biomedical engineer…?")
    rf"comment se nomm(?:e|ent)|(?:^\W*|\b(?:{REQUEST})\W+)(?:le |du |the )?(?:noms?|name) (?:du|de la|de l'|des|de|d'|of))\b.{{0,40}}\b{_ROLES}\b|"
    # the role first (« Le coordonnateur général des soins, comment il s'appelle ? », "What's the CISO called?")
    rf"\b{_ROLES}\b.{{0,60}}\b(?:s'appellen?t? comment|se nomm(?:e|ent) comment|comment (?:il|elle|ils|elles) s'appellen?t?|nommement|"
    rf"(?:son|leur) nom\s*\W*$|by name|(?:his|her|their) names?|names?,? please|called\s*\W*$)",
    re.IGNORECASE,
)

# A quantity, in figures or in words (« 15 jours », « six mois », « plusieurs semaines »).
_QUANTITY = (r"(?:\d+(?:[.,]\d+)?|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|"
             r"quarante|cinquante|soixante|cent|plusieurs|quelques|one|two|three|four|five|seven|eight|nine|ten|eleven|"
             r"twelve|fifteen|twenty|thirty|forty|fifty|sixty|hundred|several|a few)")
_DURATION = re.compile(
    rf"\b{_QUANTITY}\s?(?:[a-z]+\s)?{TIME_UNIT}\b|\b(?:par|chaque|tous les|toutes les|each|every|per|a|an) {TIME_UNIT}\b|\bj\s?[-+]\s?\d+\b|\b(?:sans delai|sans tarder|immediatement|"
    r"dans les meilleurs delais|au plus tard|des que possible|sans attendre|without (?:undue )?delay|immediately|promptly|"
    r"as soon as possible|no later than|not later than|at the latest|annuel\w*|mensuel\w*|hebdomadaire\w*|quotidien\w*|"
    r"trimestriel\w*|annually|monthly|weekly|daily|yearly)\b",
    re.IGNORECASE,
)
_MONTHS = (r"(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|january|february|march|"
           r"april|may|june|july|august|september|october|november|december)")
_DATE = re.compile(rf"\b(?:19|20)\d\d\b|\b{_MONTHS}\b|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b", re.IGNORECASE)
# a bare number of four or five figures is an internal extension, unless it is a year (« édition 2024 »)
_PHONE = re.compile(r"\b(?:poste|ext\.?|extension|tel\.?|telephone|phone)\s?:?\s?\d{2,6}\b|\b0\d(?:[\s.]?\d\d){4}\b|\+\d{2}\s?\d|"
                    r"(?<![/.-])\b(?!(?:19|20)\d\d\b)\d{4,5}\b(?![/.-]\d)",
                    re.IGNORECASE)
_DOSE = re.compile(r"\d\s?(?:mg|g|µg|mcg|ug|ml|l|ui|iu|mmol|meq|gouttes?|drops?|comprimes?|gelules?|tablets?|capsules?)\b(?:\s?/\s?(?:kg|j|jour|day|h))?",
                   re.IGNORECASE)
_PERCENT = re.compile(r"\d\s?%|\bpour ?cent\b|\bper ?cent\b|\bpourcentage\b|\bpercentage\b|\bmoitie\b|\bhalf\b|\btiers\b|\bquart\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Kind:
    """A kind of value: how a question asks for it, how a statement holds one, and the words of
    the asking (« combien de temps ») that say nothing of what the value is about."""

    name: str
    asked: re.Pattern[str]
    value: re.Pattern[str]
    asking_words: str = ""
    counted: bool = False  # what is asked about is the thing counted, the word after « combien de » (group "noun")
    near_words: int = 0  # words of what is asked the statement must share; 0: NEAR_WORDS
    nouns: str = ""  # the nouns naming a value of this kind, for the other ways of asking for it (`asking.asked_otherwise`)
    alone: bool = True  # whether one of `nouns` starting a question asks for the value (see `asking.asked_otherwise`)


# Words of what is asked that the statement holding the value must share: one is too few (« patient »
# or « conserver » alone let a deadline about something else through: dev, the two sets written
# apart: 2 more unanswerable questions refused, and the 4 answerable ones refused as well had
# passages without their facts). Durations are the exception: deadlines are stated in few words
# (« qualifiée sous 72 heures »), and with two, 22 answerable questions of all the sets were refused
# (4 of them with their facts in the passages) for 7 unanswerable ones; with one, 9 (1) for 5.
NEAR_WORDS = 2


_EMAIL_WORDS = r"adresses? (?:e-?mail|mail|electronique|de messagerie|courriel)|courriel|e-?mail address|e-?mail"
_PHONE_WORDS = r"numeros? de (?:poste|telephone|tel|bip|portable)|phone(?: number)?|telephone number|(?:phone )?extension(?: number)?"
# the words that make the value someone's (« le numéro… du RSSI », « l'adresse mail du DPO »)
_EMAIL_OWNER = r"(?:(?:le|les|son|sa|leur|the|his|her|their|its) |l')"
_PHONE_OWNER = r"(?:le|les|son|leur|the|his|her|their|its) "


def _asked_for(words: str, determiners: str) -> str:
    """A value asked for, not merely named (folded text): its `words` after a question word
    (« C'est quoi le numéro de poste… », "What internal phone extension…"), or after one of the
    `determiners` as someone's (« le numéro de poste du RSSI »); « J'ai changé un numéro de poste
    dans une procédure », « envoyer un compte rendu par courriel » ask for none."""
    return (rf"(?:quel|quelle|quels|quelles|quoi|what|what's|which)\b(?:\W+\w+){{0,4}}?\W+(?:{words})|"
            rf"{determiners}(?:\w+ )?(?:{words})(?: \w+)? (?:du|de la|de l'|des|of|for|to reach)")


_NEAR_KINDS = (
    _Kind(
        "duration",
        re.compile(
            r"\b(?:combien de temps|(?:quel|quels|quelle|quelles)(?: est| sont)?(?: le| la| les)? (?:delais?|durees?)|"
            r"(?:dans|sous|en) (?:quel|combien de) (?:delai|temps)|pendant combien|combien d'(?:heures|annees|ans)|"
            r"(?:quel|quelle) (?:a ete|etait)\b.{0,30}\b(?:delai|duree)s?|"
            r"combien de (?:jours|mois|semaines|minutes|secondes|heures|annees|trimestres)|a quelle frequence|tous les combien|"
            r"how long|how often|within how many|how many (?:days|hours|months|years|weeks|minutes|seconds)|"
            r"what (?:is|are) the (?:deadline|time limit|period|duration|retention period)|how frequently)\b",
            re.IGNORECASE,
        ),
        _DURATION,
        "combien temps délai délais durée durées dure pendant quel quelle fréquence heures jours semaines mois années ans "
        "minutes secondes trimestres how long often within many days hours weeks months years minutes seconds deadline time limit period "
        "duration retention frequently",
        near_words=1,
        nouns=r"delais?|durees?|frequences?|periodicites?|deadlines?|time limits?|retention periods?|time ?frames?",
    ),
    _Kind(
        "date",
        re.compile(
            r"\b(?:a quelle date|(?:quelle|quelles)(?: est| sont)? (?:la |les )?dates?|depuis quand|a partir de quand|jusqu'a quand|"
            r"en quelle annee|quand (?:sera|seront|a ete|ont ete|va|vont|entrera|est entre|entre en vigueur|s'applique|s'appliquera|prend effet)|"
            r"when (?:will|was|were|did)\b|when (?:does|do|is|are)\b.{0,60}\b(?:apply|applies|applicable|enter into force|start|begin|expire)|"
            r"from (?:what|which) date|from when|until when|since when|"
            r"(?:what|which) (?:date|year)|in what year|(?:quel|what|which) (?:jour|mois|day|month)|en quel mois|in (?:what|which) month|"
            r"when(?:'s| is| are)\b.{0,60}\b(?:due|planned|scheduled|expected|going to)|"
            # a future event, the subject between (« Quand l'outil sera-t-il étendu… ? », « Quand est-ce que l'outil va… »)
            r"quand\b[^?]{0,60}?\b(?:sera|seront|va|vont)-t-(?:il|elle|ils|elles)|quand est-ce qu(?:e |')[^?]{0,60}?\b(?:sera|seront|va|vont)\b|"
            # an event of the past (« Quand le CSE a-t-il été informé ? »); not « quand faut-il… », a circumstance
            r"quand\b[^?]{0,60}?\b(?:a-t-(?:il|elle)|ont-(?:ils|elles)) (?:ete|eu))\b|"
            # when it happened or will, asked last (« Le guide de la CNIL, il est sorti quand ? », « c'est prévu pour quand ? »)
            r"\b(?:c'? ?est (?:prevue? )?pour|prevue?s? pour|sortie?s?|publiee?s?|datee?s? de|datent de|date de|a eu lieu|aura lieu) quand\s*\W*$",
            re.IGNORECASE,
        ),
        # « six mois après sa publication », « le deuxième mardi du mois » (« quel jour » asks for a day of the week too)
        re.compile(rf"{_DATE.pattern}|{_DURATION.pattern}|\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|"
                   r"wednesday|thursday|friday|saturday|sunday)s?\b", re.IGNORECASE),
        "quelle date dates quand depuis partir jusqu année when will from what which date year until since",
        nouns=r"dates?",
    ),
    _Kind(
        "time_of_day",
        re.compile(r"\b(?:(?:a|jusqu'a|a partir de|avant|apres) quelle heure|(?:quels sont )?les horaires|heures? d'ouverture|"
                   r"(?:at|until|by|from) what time|what time|at what hour|opening hours)\b", re.IGNORECASE),
        re.compile(r"\b\d{1,2}\s?h(?:\s?\d{2})?\b|\b\d{1,2}:\d{2}\b|\b(?:midi|minuit|noon|midnight)\b|\b\d{1,2}\s?(?:am|pm)\b", re.IGNORECASE),
        "quelle heure heures horaires ouverture jusqu partir avant après what time until opening hours hour",
        nouns=r"heures? (?:de (?:la |l')?(?:releve|fin|debut|ouverture|fermeture|passage|prise de poste)|limite|d'ouverture|de fermeture)|"
              r"horaires?|opening (?:hours|times?)|closing times?",
    ),
    _Kind(
        "email",
        re.compile(rf"\b(?:{_asked_for(_EMAIL_WORDS, _EMAIL_OWNER)})\b", re.IGNORECASE),
        re.compile(r"[\w.+-]+@[\w-]+\.\w+|\bboite\b|\bmessagerie\b|\bmailbox\b", re.IGNORECASE),
        "adresse mail email électronique messagerie courriel address what",
        nouns=rf"{_EMAIL_WORDS}|mails?",
    ),
    _Kind(
        "phone",
        re.compile(rf"\b(?:{_asked_for(_PHONE_WORDS, _PHONE_OWNER)}|quel poste|a quel numero|"
                   # the number to call (« Quel numéro composer pour joindre… », "Which number do I call to reach the DPO?")
                   r"(?:quel|which|what) (?:numero|number)\b[^?]{0,30}?\b(?:composer|appeler|faire|joindre|call|dial|ring|reach)|"
                   r"(?:appelle|appeler|composer|compose|joindre) quel numero)\b", re.IGNORECASE),
        _PHONE,
        "numéro numéros poste téléphone tel bip portable quel joindre appeler composer phone number telephone extension which what reach "
        "call dial hotline switchboard",
        nouns=rf"numeros? de (?:poste|telephone|tel|bip|portable|(?:la )?hotline|l'astreinte|garde|standard)|numeros? d'astreinte|telephones?|"
              rf"postes? telephoniques?|postes? (?:du |de la |de l'|des )(?:\w+ )?{_ROLES}|phone(?: numbers?)?|telephone numbers?|extensions?|"
              rf"hotline(?: numbers?)?|switchboard(?: numbers?)?|numeros? (?:du|de la|de l'|des) (?:standard|hotline|support|secretariat|astreinte)",
    ),
    _Kind(
        "dose",
        re.compile(r"\b(?:doses?|posologies?|dosages?|combien de (?:mg|milligrammes|grammes|comprimes|gelules|ml|gouttes)|"
                   r"how many (?:mg|milligrams|grams|tablets|capsules|ml|drops)|what dose)\b", re.IGNORECASE),
        _DOSE,
        "dose doses posologie posologies dosage dosages maximale maximal maximum combien mg milligrammes grammes comprimés gélules "
        "ml gouttes how many milligrams grams tablets capsules drops what",
        nouns=r"doses?|posologies?|dosages?",
    ),
    _Kind(
        "count",  # asked only when no other kind is (« combien de jours » asks for a duration)
        re.compile(r"\b(?:combien (?:y a-t-il |y a t il |y avait-il |faut-il (?:au (?:minimum|maximum|moins|plus) )?)?(?:de |d')|how many |"
                   r"quel (?:est le )?nombre (?:minim\w+ |maxim\w+ )?(?:de |d')|(?:what is )?the (?:minimum |maximum |minimal |maximal )?number of |"
                   r"(?:quel|quels) (?:est |sont )?(?:l'|les )?effectifs? (?:minim\w+ |maxim\w+ |requis |cibles? )?(?:de |d'|des |en )|"
                   # asked for (« Donne-moi le nombre de… », "I need the number of…") or alone (« Nombre d'aides-soignants requis… ? »)
                   rf"(?:{REQUEST}\W+|^\W*(?![^?]*(?:{TURNED})))(?:le |the )?(?:nombre (?:minim\w+ |maxim\w+ |total )?(?:de |d')|(?:minimum |maximum |total )?number of ))"
                   # not a number of (consecutive) hours or days: a duration, whose numbers `_counts` does not count
                   r"(?!(?:[\w-]+ ){0,2}(?:heures|jours|semaines|mois|annees|ans|minutes|hours|days|weeks|months|years)\b)(?P<noun>\w[\w-]*)",
                   re.IGNORECASE),
        NUMBER,
        "combien nombre how many number what",
        counted=True,
    ),
    _Kind(
        "organisation",  # a vendor's or maker's name: a name right after the word for its role (« Éditeur : Xyz »)
        re.compile(
            r"\b(?:(?:quel|quelle|quels|quelles)(?: est| sont)?(?: le nom de)?(?: l'| le | la | les | )?(?:editeur|fabricant|prestataire|societe|"
            r"entreprise|industriel|constructeur|marque)s?|quels? fournisseurs? (?:fournit|fournissent|a fourni|equipe|livre|vend)|"
            r"noms? (?:de l'|du |de la |des )(?:editeur|fournisseur|fabricant|prestataire|societe|entreprise|constructeur)s?|"
            r"(?:which|what) (?:company|companies|vendor|vendors|supplier|suppliers|manufacturer|manufacturers|brand|firm)|"
            r"who (?:supplies|supplied|sells|sold|manufactures|manufactured) (?:the|our|this|that)|"
            r"name of the (?:company|vendor|supplier|manufacturer|firm)|"
            # a product's or a host's name (« le nom commercial du logiciel », « quel hébergeur »)
            r"comment s'appellen?t? (?:l'|le |la |les )(?:editeur|fabricant|fournisseur|prestataire|societe|entreprise|constructeur|hebergeur)s?|"
            r"(?:quel|quels) organismes? notifies?|(?:which|what) notified bod(?:y|ies)|"
            r"noms? commercia(?:l|ux)|(?:brand|trade|product|commercial) names?|(?:quels?|le|l') hebergeurs?|"
            r"(?:which|what)(?: \w+){0,4}? (?:hosting providers?|hosts?)|"
            # who makes or sells it (« Qui fabrique l'outil ? », « Qui est l'éditeur… », "Who's the vendor of…")
            r"qui (?:est|sont) (?:le |la |les |l')(?:editeur|fabricant|distributeur|prestataire|hebergeur)s?|qui (?:fabrique|edite|commercialise|distribue|heberge)|"
            r"who(?:'s| is| are) (?:the |our )?(?:vendor|supplier|manufacturer|maker|editor|host)s?|"
            r"name of (?:the |our |your )?(?:[\w-]+ ){0,2}?(?:host|hosting provider|editor|vendor|supplier|manufacturer|maker)s?)\b",
            re.IGNORECASE,
        ),
        re.compile(  # the role word in any case, the name capitalised
            r"(?i:\b(?:editeur|fournisseur|fabricant|prestataire|societe|entreprise|industriel|constructeur|marque|vendor|supplier|"
            r"manufacturer|company|brand|nom commercial|brand name|trade name|hebergeur|hosting provider|organisme notifie|notified body|hosted by|heberge par|developpe par|fourni par|commercialise par|edite par|fabrique par|developed by|supplied by|"
            r"made by|manufactured by)s?)\s?(?:[:=(,]\s?)?(?:(?i:est|is)\s)?(?:(?i:la societe|l'entreprise|the company)\s)?[A-Z][\w&.-]+"
            r"|\b(?:SAS|SARL|SASU|GmbH|Inc|Ltd|LLC)\b"
        ),
        "quel quelle quels quelles nom éditeur fournisseur fabricant prestataire société entreprise industriel constructeur marque "
        "fournit commercial hébergeur which what company vendor supplier manufacturer brand firm who supplies sells manufactures name "
        "trade product hosting provider host distributeur distribue fabrique édite commercialise héberge maker editor software",
        # not « fournisseur »: the AI Act's provider, whose obligations are asked far more often than a vendor's name
        nouns=r"editeurs?|fabricants?|distributeurs?|prestataires?|hebergeurs?|vendors?|suppliers?|manufacturers?|makers?|software editors?|"
              r"hosting providers?",
        # « Le fabricant d'un dispositif… », « Prestataire de… : » start questions about its obligations (two of the sets written apart)
        alone=False,
    ),
    _Kind(
        "french_authority",  # a French body by its name: the EU acts designate none (« quelle autorité française… »)
        re.compile(r"\b(?:(?:quelle|quelles|quel|quels) (?:autorites?|organismes?|agences?|instances?)(?: \w+){0,3}? (?:francaises?|francais|en france)|"
                   r"(?:which|what) (?:french (?:authority|authorities|body|bodies|agency|agencies|regulator)|"
                   r"(?:authority|authorities|body|agency|regulator)(?: \w+){0,6}? in france))\b", re.IGNORECASE),
        re.compile(r"\b(?:CNIL|ANSM|ANSSI|ARS|HAS|DGOS|CERT Sant[eé]|Arcom|DGCCRF|Commission nationale de l'informatique et des libert[eé]s|"
                   r"Agence nationale de s[eé]curit[eé] du m[eé]dicament|Haute Autorit[eé] de sant[eé]|Agences? r[eé]gionales? de sant[eé])\b"),
        "quelle quelles quel quels autorité autorités organisme organismes agence agences instance instances française françaises "
        "français france which what french authority authorities body bodies agency agencies regulator in",
    ),
    _Kind(
        "chair",  # who chairs a committee: a statement saying who presides it (« présidé par le directeur général »)
        re.compile(r"\b(?:qui (?:preside|presidera|presidait|a preside)|qui (?:est|sont) (?:le |la |les )?(?:president|presidente|presidents)\b(?! de la republique)|"
                   r"qui (?:en )?assure la (?:vice-)?presidence|who (?:chairs|chaired|will chair|presides|presided)|"
                   r"who (?:is|are) (?:the )?(?:chair|chairs|chairman|chairwoman|chairperson|president)\b|"
                   # the committee first (« La CSIRMT, qui la préside ? », « Le CREX, il est présidé par qui ? »)
                   r"qui (?:la |le |les |l')(?:preside|presidera|presidait|a presidee?)|presidee?s? par qui|par qui (?:est|sont) presidee?s?|"
                   r"qui (?:tient|occupe|assure|a) la presidence|(?:la )?presidence (?:du|de la|de l'|des)\b[^?]*\b(?:qui|quoi)\s*\W*$|"
                   r"^\W*(?:la )?presidence (?:du|de la|de l'|des)\b|en tant que president|a la tete (?:du|de la|de l'|des)|"
                   r"who(?:'s| is) in the chair|who'?s (?:the )?(?:chair|chairman|chairwoman|chairperson)\b|^\W*(?:the )?chair(?:man|woman|person)? of\b)",
                   re.IGNORECASE),
        re.compile(r"\b(?:presid\w*|vice-presid\w*|chair\w*|co-chair\w*)\b", re.IGNORECASE),
        "qui préside présidera présidait présidé est sont président présidente présidents assure vice-présidence présidence "
        "who chairs chaired will chair presides presided is are chair chairman chairwoman chairperson president par tient occupe "
        "tête tant",
        near_words=1,
    ),
    _Kind(
        "percent",
        re.compile(r"\b(?:quel pourcentage|quelle (?:part|proportion)|quel taux|what (?:percentage|share|proportion|rate)|"
                   r"(?:quel|quelle) (?:est|etait) (?:le |la )(?:taux|pourcentage|proportion)|what (?:is|was) the (?:percentage|proportion|rate)|"
                   r"how many percent|"  # a tool's measured performance (« la sensibilité annoncée par le fabricant »)
                   # not « précision », « exactitude », "accuracy": also a detail asked, a principle of the GDPR
                   r"(?:quelle|quelles) (?:est |sont )?(?:la |les )?(?:sensibilite|specificite)|"
                   r"what (?:is|are) (?:the |its )?(?:sensitivity|specificity|false positive rate)|"
                   r"combien de pour ?cent|en pourcentage|in percent|as a percentage)\b",
                   re.IGNORECASE),
        _PERCENT,
        "quel quelle quelles pourcentage part proportion taux sensibilité spécificité "
        "what percentage share proportion rate how many percent sensitivity specificity false positive combien cent pour en",
        # not « part » alone (« la part de responsabilité du cadre »): the share of a plural (« la part des documents »)
        nouns=r"taux|pourcentages?|proportions?|sensibilite|specificite|parts?(?= des\b)|percentages?|sensitivity|specificity|(?<!hourly )rates?|"
              r"shares? of",
    ),
)


_KINDS = {kind.name: kind for kind in _NEAR_KINDS}

# What the statement holding the value must say besides: an average is not a rule (« le délai moyen
# de réponse »), and a figure for a year or for the past year (« en 2025 », « l'an dernier ») is a
# record of activity, which rules and guides do not keep; a deadline they set does not answer.
_AVERAGE = re.compile(  # not « par quel moyen », nor "what does X mean"
    r"\b(?:en moyenne|la moyenne|(?:delai|temps|nombre|taux|cout|montant|age)s? moyens?|(?:duree|proportion|part)s? moyennes?|"
    r"on average|average|median|mediane)\b",
    re.IGNORECASE,
)
_PAST_PERIOD = re.compile(r"\b(?:l'an (?:dernier|passe)|l'annee (?:derniere|passee)|le mois dernier|last (?:year|month)|the past year)\b",
                          re.IGNORECASE)
_YEAR = re.compile(r"(?<![/\d])(?:19|20)\d\d(?![/\d])")  # not the number of an act, « 2024/1689 »


# How long something is kept (« Pendant combien d'années les fiches sont-elles conservées ? ») is
# answered by a statement about keeping, archiving or deleting it: « signalé dans les 24 heures au
# moyen du formulaire FEI-IA » shares the question's words but is a deadline to do something else.
# Design sets without the model: 3 more unanswerable questions refused of 191, no fact lost; one
# answerable question refused whose passages lacked its facts. The duration, the keeping and what is
# kept must be in one clause (between semicolons outside brackets), and the keeping word is not what is
# kept: a version's changes « journaux conservés 12 mois, … ; signalement ramené à 24 heures (formulaire
# FEI-IA) » do not say how long FEI-IA forms are kept (3 more refused of 233, nothing lost).
# A duration of something measured in that unit (« combien de jours de congés », « combien d'heures
# d'astreinte », "how many days of annual leave"): the statement must put a number of that unit next to
# the thing (« 25 jours de congés », « congés annuels : 25 jours »); a deadline in days that merely
# shares « congés » (« demandes de congés avant J-49 ») is about something else. Not « jours d'affilée »,
# « de suite »: those say how the days run, not what they are of.
_MEASURED_ASKED = re.compile(r"\b(?:combien (?:de |d')|how many )(?:jours|heures|semaines|mois|annees|ans|days|hours|weeks|months|years) "
                             r"(?:de |d'|of )(?!(?:affilee|suite)\b)(?P<noun>[a-z]\w+)", re.IGNORECASE)
# The date of a next event (« la prochaine visite de certification », "the next meeting"): rules and guides
# state past dates (a version's, an act's) and schedules; only a statement about a next event or a
# recurring one (« tous les 2 ans », « chaque deuxième mardi ») answers.
_NEXT_WORDS = r"prochaine?s?|next|upcoming|a venir"
_NEXT = re.compile(rf"\b(?:{_NEXT_WORDS})\b", re.IGNORECASE)
_NEXT_OR_EVERY = re.compile(rf"\b(?:{_NEXT_WORDS}|tous les|toutes les|chaque|every|each|"
                            r"par (?:an|mois|semaine|trimestre)|per (?:year|month|week|quarter)|annuel\w*|mensuel\w*|annual\w*|monthly)\b",
                            re.IGNORECASE)
_KEEPING_ASKED = re.compile(r"\b(?:conserv\w*|gard(?:er|ee|ees|es|ent|ons|ez)|garde-t-\w+|on (?:les |la |le )?garde|archiv\w*|"
                            r"retention|retain\w*|kept|keep|keeps|keeping|stored?|storage)\b", re.IGNORECASE)
_KEEPING = re.compile(r"\b(?:conserv\w*|gard(?:er|e|ee|ees|es|ent)|archiv\w*|retention|retain\w*|kept|keep\w*|stor\w*|purg\w*|"
                      r"supprim\w*|efface\w*|detrui\w*|destruction|delet\w*|eras\w*|"
                      r"(?:tenir|tient|tiennent|tenus?|tenues?) a (?:la )?disposition|at the disposal)\b", re.IGNORECASE)


# A figure actually reached (« quel pourcentage de plannings a réellement été publié », « le taux effectivement
# atteint »): a record of activity, not the target a rule sets (« objectif : 95 % »).
_ACHIEVED_ASKED = re.compile(r"\b(?:reellement|effectivement|(?:a|ont) ete atteinte?s?|been (?:achieved|reached)|actually (?:achieved|reached))\b",
                             re.IGNORECASE)
_RECORD = re.compile(r"\b(?:atteinte?s?|constatee?s?|observee?s?|mesuree?s?|enregistree?s?|bilan|resultats?|achieved|reached|observed|measured|"
                     r"recorded|actual)\b", re.IGNORECASE)
# The precise date of an event (« à quelle date précise »): a day of a month, not a month or a schedule.
_PRECISE_DATE_ASKED = re.compile(r"\b(?:dates? (?:precises?|exactes?)|(?:exact|precise) dates?)\b", re.IGNORECASE)
_DAY_DATE = re.compile(rf"\b\d{{1,2}}(?:er)? {_MONTHS}\b|\b{_MONTHS} \d{{1,2}}\b|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b", re.IGNORECASE)


def _qualifiers(question: str) -> list[re.Pattern[str]]:
    """What a statement must also match to answer `question` (see `_AVERAGE`, `_PAST_PERIOD`, `_ACHIEVED_ASKED`)."""
    folded = fold(question)
    needed = [_AVERAGE] if _AVERAGE.search(folded) else []
    if _ACHIEVED_ASKED.search(folded):
        needed.append(_RECORD)
    years = sorted(set(_YEAR.findall(folded)))
    if years:
        needed.append(re.compile("|".join(rf"(?<![/\d]){year}(?![/\d])" for year in years)))
    elif _PAST_PERIOD.search(folded):
        needed.append(re.compile(f"{_YEAR.pattern}|{_PAST_PERIOD.pattern}", re.IGNORECASE))
    return needed


# The other ways of asking for an amount (see `asking.asked_otherwise`), and « on a dépensé combien », « combien d'euros »,
# "What did the deployment cost?"; a fine is not asked this way (see the module's docstring).
_MONEY_NOUNS = (r"couts?|budgets?|prix|tarifs?|montants?|salaires?|remunerations?|indemnites?|costs?|prices?|salar(?:y|ies)|fees?|"
                r"hourly rates?|allowances?")
_MONEY_ASKED = re.compile(
    r"\bcombien\b[^?]{0,40}?\b(?:d'euros|euros|€)|\bdepens\w*[^?]{0,20}?\bcombien\b|"
    r"\bcombien\b[^?]{0,40}?\b(?:paie|paye|payent|depense|depensent|coute|coutent)\b|"
    r"\bwhat did\b[^?]{0,50}\bcost\b|\bhow much\b[^?]{0,40}\b(?:cost|paid|pay|spend|spent|charge)\b",
    re.IGNORECASE,
)
_PENALTY = re.compile(r"\b(?:amendes?|fines?|fined|sanctions?|penalt\w+|astreintes?)\b", re.IGNORECASE)


def asks_for_money(question: str) -> bool:
    """True for a question about a cost, a price, a budget, spending or pay."""
    folded = fold(question)
    return bool(_MONEY_QUESTION.search(folded)) or (
        not _PENALTY.search(folded) and bool(_MONEY_ASKED.search(folded) or asked_otherwise(_MONEY_NOUNS).search(folded)))


# An amount asked in another currency than the documents' euro: "in pounds sterling", « en dollars ».
_OTHER_CURRENCIES = {
    "GBP": re.compile(r"£|\b(?:pounds?|sterling|gbp)\b", re.IGNORECASE),
    "USD": re.compile(r"\$|\b(?:dollars?|usd)\b", re.IGNORECASE),
    "CHF": re.compile(r"\b(?:chf|francs? suisses?|swiss francs?)\b", re.IGNORECASE),
    "JPY": re.compile(r"\b(?:yens?|jpy)\b", re.IGNORECASE),
}


def asks_in_other_currency(question: str, texts: list[str]) -> bool:
    """True when the question names a currency other than the euro that none of the texts does
    ("the maximum fine in pounds sterling under the UK GDPR?": the GDPR's fines are in euros)."""
    asked = [pattern for pattern in _OTHER_CURRENCIES.values() if pattern.search(question)]
    return bool(asked) and not any(pattern.search(text) for pattern in asked for text in texts)


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


# Asking for a secret: a password or an access code (« quel est le mot de passe du wifi ? »). Governance
# documents never state one, and Garant is not where staff should get one; how to reset a password
# (« Comment réinitialiser mon mot de passe ? ») is a question about a procedure, not this.
_CREDENTIAL_QUESTION = re.compile(
    r"\b(?:quel(?:le)? est|quels sont|c'est quoi|donne[sz]?(?:-moi| moi)?|envoie(?:-moi)?|communique(?:-moi)?|what(?: is|'s| are)|"
    r"give me|tell me|send me)\s+(?:le |la |les |l'|the |my |our |mon |notre |ton |votre )?(?:[\w-]+ ){0,2}?"
    r"(?:mots? de passe|passwords?|passcodes?|codes? (?:d'acces|wifi|wi-fi|de la porte|pin)|digicodes?|pin codes?|access codes?|"
    r"wi-?fi (?:key|code)|cle wi-?fi)\b"
    # the rules for passwords are a question about a procedure (« les règles de mot de passe », "password policy")
    r"(?!\s+(?:rules?|polic\w*|requirements?|length|complexity|strength|managers?|format|regles?|politique|longueur|complexite|"
    r"robustesse|gestionnaires?))",
    re.IGNORECASE,
)


def asks_for_credential(question: str) -> bool:
    """True for a question asking for a password or an access code."""
    return bool(_CREDENTIAL_QUESTION.search(fold(question)))


def kinds_asked(question: str) -> list[str]:
    """The kinds of value (duration, date, time of day, e-mail, phone, dose, count, organisation, chair, French authority,
    percent) the question asks for."""
    folded = fold(question)
    kinds = [kind.name for kind in _NEAR_KINDS
             if kind.asked.search(folded) or (kind.nouns and asked_otherwise(kind.nouns, kind.alone).search(folded))]
    return ["count"] if kinds == ["count"] and not asks_for_money(question) else [kind for kind in kinds if kind != "count"]


@functools.cache
def _asking_terms(name: str, lang: str) -> frozenset[str]:
    kind = _KINDS[name]
    return frozenset(analyse(f"{kind.asking_words} {REQUEST_WORDS}", lang))


def holds_value_near(name: str, question: str, texts: list[str], lang: str, translated: str = "") -> bool:
    """True when a statement of `texts` holds a value of kind `name` and shares `NEAR_WORDS` words
    of what the question asks about (all of them when it names fewer; any such statement will
    do when it names nothing else). `translated`: the words of the concepts the question names,
    in the other language (the retriever's glossary); a statement may share those instead, read
    in that language (« Which phone extension… the AI referent? » and « Le référent IA … est
    joignable au poste 4100 » share no English word; « Combien de temps pour répondre à une
    demande d'accès (RGPD) ? » and the GDPR's "within one month of receipt of the request" no
    French one)."""
    kind = _KINDS[name]
    asked = fold(question)
    counted: list[set[str]] = []  # the ways of writing the thing counted, when it is a count
    if kind.counted:
        # the thing counted must be there too (« 28 lits » for another unit holds a number of beds, not
        # this one's); question and statements are both read folded, so their words stem alike
        match = kind.asked.search(asked)
        noun = set(analyse(match.group("noun"), lang)) if match else set()
        counted = [noun, *({short} for word in sorted(noun) for short in STAFF_ABBREVIATIONS.get(word, ()))] if noun else []
        about = set(analyse(fold(without_references(question)), lang)) - noun - _asking_terms(name, lang)
    else:
        about = set(quote_terms(question, lang) - _asking_terms(name, lang))
    needed = min(kind.near_words or NEAR_WORDS, len(about))
    other = "fr" if lang == "en" else "en"
    about_other = set(analyse(translated, other)) - _asking_terms(name, other) if translated and lang in ("fr", "en") else set()
    needed_other = min(kind.near_words or NEAR_WORDS, len(about_other))
    qualifiers = [] if name == "date" else _qualifiers(question)  # the year a date question names is the value asked
    if name == "date" and _NEXT.search(asked):
        qualifiers.append(_NEXT_OR_EVERY)  # the date of the next visit: a date of a past one does not answer
    if name == "date" and _PRECISE_DATE_ASKED.search(asked):
        qualifiers.append(_DAY_DATE)  # « la séance de juin »: June is not its date
    keeping = name == "duration" and bool(_KEEPING_ASKED.search(asked))
    if keeping:
        qualifiers.append(_KEEPING)  # how long a thing is kept: a deadline to do something else does not answer
        # and what is kept must be said with the duration, not only « conservés » (the clauses kept below)
        about = {term for term in about if not _KEEPING.fullmatch(term)}  # « conserv », "retain", "kept"
        about_other = {term for term in about_other if not _KEEPING.fullmatch(term)}
        needed, needed_other = min(needed, len(about)), min(needed_other, len(about_other))
    measured = _MEASURED_ASKED.search(asked) if name == "duration" else None
    measured_noun = set(analyse(measured.group("noun"), lang)) if measured else set()
    for text in texts:
        before = ""
        for group in statement_groups(text):
            folded_group = [fold(statement) for statement in group]
            closest = closest_siblings(folded_group, about, about_other, lang, other)
            for statement, folded, close in zip(group, folded_group, closest, strict=True):
                previous, before = before, statement
                if not close:
                    continue
                if not kind.value.search(folded) or not all(pattern.search(folded) for pattern in qualifiers):
                    continue
                if keeping:
                    parts = [part for part in outer_parts(folded) if _DURATION.search(part) and _KEEPING.search(part)]
                    if not parts:
                        continue
                    folded = statement = " ; ".join(parts)
                if measured_noun and not measures(folded, measured_noun, lang) and not (
                        about_other and measures(folded, about_other, other)):  # a statement in the other language
                    continue
                if counted:
                    # what is asked about must be said in the part of the statement (between semicolons) that holds
                    # the count: « médecine polyvalente (28 lits)… ; chirurgie… (32 lits)… ; urgences adultes… »
                    # gives no number of beds for the emergency unit
                    parts = counting_parts(folded, counted, lang)
                    if not parts:
                        continue
                    folded = " ; ".join(parts)
                terms = set(analyse(folded if kind.counted else statement, lang))
                if previous and _REFERS_BACK.match(folded):
                    terms |= set(analyse(previous, lang))  # « • Conserver ces évènements… »: the events of the item before
                if len(about & terms) >= needed:
                    return True
                if about_other and len(about_other & set(analyse(folded if kind.counted else statement, other))) >= needed_other:
                    return True
    return False


# A statement that names what it is about by pointing back at the one before it (« • Conserver ces
# évènements sur une période… », "Such records shall be kept…"), within its first words. The twin of
# `statements.sentences_of`, which joins a sentence *starting* with such a word to the one before;
# list items and a demonstrative after the first word are not joined there, so the value check reads
# them with the statement before here (joining them in `statements` would change the quotes and the
# retrieval's statement signal too: not measured).
_REFERS_BACK = re.compile(r"^\W*(?:\w+\W+){0,3}?(?:ces|cette|cet|ceux-ci|celles-ci|these|those|such|this)\b", re.IGNORECASE)


# The amount of a fine: not refused when no passage states one (see the module's docstring), but an
# amount is what the answer must give.
_FINE_QUESTION = re.compile(r"\b(?:amendes?|fines?|fined)\b(?!-)", re.IGNORECASE)


# A fine actually imposed (« l'amende que la CNIL a infligée au CH », "How much has the CNIL fined our
# hospital so far?", "the largest GDPR fine ever imposed"): a record of a sanction, which rules and guides
# do not keep; what they state is a ceiling, which does not answer it. Not a fine that can or would be imposed.
_FINE_IMPOSED_ASKED = re.compile(
    r"\b(?:(?:a|ont|a-t-elle|a-t-il|ont-elles|ont-ils) (?:deja )?(?:inflige|prononce|impose)e?s?|(?:deja |effectivement )(?:inflige|prononce)e?s?|"
    r"amendes? (?:que|qu')\w*(?: [\w'-]+){0,4} (?:a|ont) (?:deja )?(?:inflige|prononce)e?s?|"
    r"(?:was|were|has been|have been|got|been) fined|(?:has|have|had|did)(?: [\w'-]+){1,4} (?:fined?|imposed?)\b|(?<!are )(?<!is )(?<!be )(?<!been )imposed on|ever imposed|(?:a|ont)(?:-t-(?:il|elle|ils|elles))? (?:deja )?ete condamnee?s?)\b",
    re.IGNORECASE,
)
_FINE_POSSIBLE = re.compile(r"\b(?:maxim\w*|plafonds?|ceilings?|jusqu'a|up to|peut|peuvent|pourrait|pourraient|pouvant|can|could|may|might|"
                            r"would|risqu\w*|encour\w*|prevue?s?|provides?|foresee\w*|highest band|top band)\b", re.IGNORECASE)
_FINE_IMPOSED = re.compile(r"\b(?:(?:a|ont) (?:ete )?(?:inflige|prononce|condamne)\w*|infligee?s? (?:a|au|aux)|(?:was|were|has been|have been) fined|"
                           r"imposed a fine|fined \w+ (?:eur|€|\d))", re.IGNORECASE)


def asks_for_imposed_fine(question: str) -> bool:
    """True for a question about a fine actually imposed (see `_FINE_IMPOSED_ASKED`)."""
    folded = fold(question)
    return bool(_FINE_QUESTION.search(folded) and _FINE_IMPOSED_ASKED.search(folded) and not _FINE_POSSIBLE.search(folded))


def reports_imposed_fine(text: str) -> bool:
    """True when the text reports a fine imposed, with its amount (« a infligé une amende de 150 000 € »)."""
    return bool(_FINE_IMPOSED.search(fold(text))) and states_money(text)


# A fine for a public body (« l'amende maximale pour un hôpital public », "what fine can a public hospital
# get", the establishment itself: « le CH de Val-Garant », "our hospital"): the regulations set their
# ceilings for undertakings and leave public authorities and bodies to each Member State's law (GDPR
# art. 83(7), AI Act art. 99(8)); an amount answers it only when a statement gives it for a public body.
# « un hôpital » alone is a deployer like any other. Sets written apart disagree: the datasets' guide
# counts « le montant d'une amende pour l'établissement » as unanswerable, one writer expected the ceiling
# (sets never read: 176 → 178 of 229 refused, one answerable question refused).
_PUBLIC_BODIES = (r"public authorit(?:y|ies)|public bod(?:y|ies)|autorites? publiques?|organismes? publics?|etablissements? publics?|"
                  r"hopitaux publics|hopital public|public hospitals?")
_PUBLIC_BODY_ASKED = re.compile(
    rf"\b(?:{_PUBLIC_BODIES}|(?:centre hospitalier|ch) de val-garant|our hospital|notre (?:hopital|etablissement)|val-garant)\b",
    re.IGNORECASE,
)
_PUBLIC_BODY = re.compile(rf"\b(?:{_PUBLIC_BODIES}|personnes? morales? de droit public)\b", re.IGNORECASE)


def asks_for_public_body_fine(question: str) -> bool:
    """True for a question about the fine a public body may get (see `_PUBLIC_BODY_ASKED`); one
    actually imposed is `asks_for_imposed_fine`'s."""
    folded = fold(question)
    return bool(_FINE_QUESTION.search(folded) and _PUBLIC_BODY_ASKED.search(folded)) and not asks_for_imposed_fine(question)


def states_public_body_fine(text: str) -> bool:
    """True when one statement of the text gives an amount for a public body."""
    return any(states_money(statement) and _PUBLIC_BODY.search(fold(statement))
               for group in statement_groups(text) for statement in group)


def value_holder(question: str, lang: str = "fr", translated: str = "") -> Callable[[str], bool] | None:
    """For a question asking for a value (an amount of money or of a fine, or one of the kinds of
    `kinds_asked`), whether a passage's text holds one, as `lacks_the_value_asked` reads it;
    None for any other question. The search favours such passages once the question is judged
    answerable: the regulations' recitals on fines outrank the article giving their amount, and a
    guide's advice on logs the sentence saying how long to keep them."""
    kinds = kinds_asked(question)
    money = asks_for_money(question) or bool(_FINE_QUESTION.search(fold(question)))
    if not kinds and not money:
        return None
    return lambda text: (not money or states_money(text)) and all(holds_value_near(name, question, [text], lang, translated) for name in kinds)


def lacks_the_value_asked(question: str, texts: list[str], lang: str = "fr", translated: str = "") -> bool:
    """True when the question asks for a kind of value that none of the texts holds; a password
    or an access code is never answered, whatever the texts. `translated`: see `holds_value_near`."""
    if asks_for_credential(question):
        return True
    if asks_in_other_currency(question, texts):
        return True
    if asks_for_money(question) and not any(states_money(text) for text in texts):
        return True
    if asks_for_imposed_fine(question) and not any(reports_imposed_fine(text) for text in texts):
        return True
    if asks_for_public_body_fine(question) and not any(states_public_body_fine(text) for text in texts):
        return True
    if asks_for_person_name(question) and not any(names_a_person(text) for text in texts):
        return True
    return any(not holds_value_near(name, question, texts, lang, translated) for name in kinds_asked(question))
