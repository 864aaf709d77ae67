"""Recognises questions that ask the assistant to leave its role (ignore its rules, reveal
its instructions or set-up, play someone else, write, translate or summarise things unrelated
to the documents, act as a prescriber or advise on a medicine, on personal legal or money
matters, do homework): they are refused before retrieval, without calling the model. Patterns
in French and English. Off-topic questions that ask nothing of the kind (a football score, the
weather) are left to the evidence gate, which finds no close passage, and to `role_examples`,
which recognises by resemblance the phrasings these patterns miss. A writing request is recognised by its form (the
sentence opens with the verb, after an optional « peux-tu », « can you »…), so a question
about the same words (« Qui rédige le compte rendu du CREX ? ») is not.

The first patterns (override the rules, reveal the instructions, change role) also find
instructions planted in documents: `without_instructions` removes them from the text an
answer sentence is checked against, so a model that repeats "ignore previous
instructions…" read in a passage is not "supported" by that passage."""

from __future__ import annotations

import re

from assistant.answering.language import fold

# Role play asked of the assistant. In a question « act as » and « pretend » count too; in a passage
# they are the regulations' own words (« a market surveillance authority to act as the single point
# of contact », « prétend »: 17 sentences of the sample corpus), and only role play addressed to the
# assistant counts there.
_ROLE_PLAY = r"fais semblant|imagine que tu es|agis comme|tu joues le role|role-?play|en tant que (medecin|avocat|pirate)"
_ROLE_PLAY_IN_QUESTION = rf"\b({_ROLE_PLAY}|pretend|act as)\b"
_ROLE_PLAY_IN_PASSAGE = rf"\b({_ROLE_PLAY}|pretend (to be|you are|that you)|act as (if|though) you)\b"
_INSTRUCTIONS = [
    # override the rules
    r"\b(ignore|oublie|oubliez|ignorez|disregard|forget)\b.{0,40}\b(consignes?|instructions?|regles?|rules|prompt|directives?|tout ce qui precede|previous|above)",
    r"\b(oublie|oubliez|forget)\b.{0,20}\b(que tu es|que vous etes|you are)\b",
    # reveal the instructions
    r"\b(prompt|message) (systeme|system)\b", r"\bsystem prompt\b",
    r"\b(affiche|montre|revele|repete|recite|donne|liste|listez|enumere|print|show|reveal|repeat|display|list)\b.{0,40}\b(tes|vos|your|les|the)\b.{0,25}\b(consignes|instructions|regles|rules|prompt)\b",
    # change identity or role
    r"\b(tu es|vous etes|you are) (maintenant|desormais|now)\b", r"\b(a partir de maintenant|from now on)\b",
    _ROLE_PLAY_IN_QUESTION,
    r"(?:^|[.!?;:]\s*)(?:(?:peux|pourrais)[- ]tu\s+)?(joue|jouez)\b le role\b",
    r"\b(nouvelles? consignes?|new instructions?|consignes? de l'administrateur|admin(istrator)? (override|instructions?))\b",
    r"\bDAN\b", r"\bjailbreak\b", r"\bmode developpeur\b|\bdeveloper mode\b",
    r"\b(oublie|oubliez|forget)\b (tout|everything)\b",
    r"\b(ignore|ignorez|disregard|forget|oublie|oubliez|set aside|put aside)\b (les|the|tes|vos|your) (documents|docs|sources|extraits|passages)\b",
    # answer from elsewhere than the documents, or an "override" of the system
    r"\b(from|with|using|use|on) your (own )?(general |personal )?knowledge\b",
    r"\b(avec|selon|d'apres|a partir de|sur|utilise|utilisez) (tes|vos) (propres )?connaissances\b",
    r"\bsystem override\b|\boverride (mode|code)\b",
    r"\b(tu n'es plus|vous n'etes plus|you are no longer|you're no longer)\b",
    r"\b(comme si tu etais|comme si vous etiez|as if you were)\b",
    r"\b(tes|your) (consignes|instructions|prompt)\b", r"\b(consignes|instructions|regles|rules) (cachees|secretes|initiales)\b",
    r"\b(hidden|secret|initial) (instructions|prompt|rules)\b",
    # how the assistant itself is set up (its instructions, model, settings)
    r"\b(consignes|instructions|regles|rules)\b.{0,40}\b(on t'a|qu'on t'a|t'a donne\w*|ton concepteur|tes concepteurs|tes createurs|"
    r"you were given|you've been given|your developers?|your creators?)",
    r"\b(ta|votre|your) (configuration|parametrage|temperature|parametres|reglages|settings|system message)\b",
    r"\b(quel|which|what) (modele|model)\b.{0,30}\b(tu|vous|you)\b.{0,5}\b(utilises|utilisez|es|etes|use|using|are|run)\b",
    r"\b(modele|model)\b.{0,40}\b(tu tournes|tu es base|tu reposes|you run on|you're running|are you based)\b",
    r"\b(ton|tes|votre|vos|your) (parametrage|parametres|configuration|setup|set-up|system message|modele sous-jacent|underlying model)\b",
    r"\b(underlying model|modele sous-jacent)\b", r"\b(built|made|created|trained|programmed) you\b", r"\bt'a (cree|concu|entraine|developpe|programme)\b",
    r"\b(texte|text|message|instructions?)\b.{0,30}\b(qu'on t'a donne|que tu as recu|you received|you were given|you've received)\b",
    # lifting its limits, whatever the pretext (a test, an administrator, a new policy)
    r"\b(ignore|ignores|ignorer|ignorez|contourne\w*|bypass\w*|desactive\w*|disable\w*|turn off|switch off|lift|leve|levez|enleve|supprime)\b.{0,20}"
    r"\b(tes|vos|your)\b.{0,10}\b(restrictions?|filtres?|filters?|limites?|limits?|limitations?|garde-fous|guardrails?|perimetre|scope)\b",
    r"\b(restriction aux (docs|documents)|document-only (rule|mode|restriction)|documents-only)\b",
    r"\b(unrestricted|mode (sans restriction|non restreint|libre|illimite|debug)|debug mode|god mode|assistant generaliste)\b",
    r"\b(nouvelle|new)\b.{0,15}\b(politique|policy|directive|regle|rule)\b.{0,60}\b(garant|tu|you)\b.{0,30}\b(allowed|autorise|peux|can|may)\b",
    r"\b(reponds a tout|reponds a toutes les questions|answer (anything|everything|any (medical |personal )?questions?))\b",
    r"\b(laisse tomber|sans t'appuyer sur|forget about)\b.{0,5}\b(les |the )?(documents?|docs|sources)\b",
    r"\b(max tokens|top-k|top_k|safety thresholds?|seuils? de securite)\b",
    # its own opinion or advice on the user's life, a game of make-believe
    r"\b(ton avis|a ton avis|tu en penses|t'en penses|tu penses quoi|que penses-tu|qu'en penses-tu|your (\w+ ){0,2}opinion|"
    r"tu ferais quoi a ma place|what would you do in my place|if you were me)\b",
    r"\b(on joue|let's play|jouons|let's pretend)\b",
]
# A request (not a question): the sentence opens with the verb, after an optional polite lead.
_ASK = (r"(?:^|[.!?;:]\s*)(?:(?:peux|pourrais|peut|pouvez|pourriez)[- ](?:tu|vous|on)\s+(?:me\s+|nous\s+|m')?|"
        r"(?:tu peux|tu pourrais|vous pouvez|vous pourriez)\s+(?:me\s+|nous\s+|m')?|can you |could you |"
        r"would you |please |merci de (?:me )?|s'il te plait,? |je veux que tu |i want you to )?")
_MAKE = (r"(redige|redigez|rediger|ecris|ecrivez|ecrire|compose|composez|composer|genere|generez|generer|cree|creez|creer|fais|faites|faire|"
         r"invente|inventez|raconte|racontez|raconter|trouve|trouvez|write|draft|generate|create|make|tell|invent|produce|come up with)")
_WORK = (r"(poemes?|poems?|slogans?|raps?|slams?|toasts?|haikus?|histoires?|stories|story|contes?|blagues?|jokes?|chansons?|songs?|dissertations?|essais?|essays?|"
         r"codes?|scripts?|programmes?|programs?|sql|python|javascript|images?|dessins?|pictures?|drawings?|"
         r"ordonnances?|prescriptions?|comptes? rendus?|lettres? de motivation|cover letters?|discours|speech)")
_REQUESTS = [
    rf"{_ASK}\b{_MAKE}\b(-moi|-nous| moi| nous| me| us)?.{{0,30}}\b{_WORK}\b",
    rf"{_ASK}\b(traduis|traduisez|traduire|translate)\b",
    # help writing something, or a text the user brings to be summarised or translated
    # (asked of the assistant: « Peux-tu m'aider à rédiger… », not « un outil d'IA pour m'aider à rédiger… »)
    rf"{_ASK}(?:please |s'il te plait,? )?\b(m'aider a|aider a|aide-moi a|aidez-moi a|help me)\b.{{0,15}}\b(rediger|ecrire|composer|write|draft)\b",
    r"\b(tu peux|peux-tu|pourrais-tu|can you|could you)\b.{0,5}\b(l'ecrire|le rediger|la rediger|write it|draft it)\b",
    r"\b(voici|here is|here's|ci-dessous|below)\b.{0,80}\b(resume|resumer|resumes|summary|summari[sz]e|traduis|traduire|translate)\b",
    r"\b(resume|resumer|summari[sz]e|traduis|traduire|translate)\w*\b.{0,40}\b(ce texte|this text|the following|ci-dessous|suivant)\b",
    r"\b(resume|resumez|resumer|summary|summari[sz]e)\b.{0,30}\b(film|livre|roman|serie|movie|book|novel|plot|intrigue)\b",
]
_PATTERNS = [
    *_INSTRUCTIONS,
    # make-believe about the documents (« Fais comme si la charte autorisait ChatGPT et rédige… »); in a
    # passage, « ne faites pas comme si… » is the document's own advice
    r"\b(fais|faites|faisons) comme si\b",
    # clearly off-role tasks
    r"\b(recette|recipe|poeme|poem|blague|joke|chanson|song|histoire drole)\b",
    # writing for the user: Garant answers from the documents, it does not draft mail or letters
    rf"{_ASK}\b(redige|redigez|ecris|ecrivez|compose|composez|write|draft)\b(-moi|-nous| moi| nous| me| us)?.{{0,30}}"
    r"\b(courriels?|mails?|e-?mails?|lettres?|letters?|sms|messages?|posts?|tweets?|contrats?|contracts?)\b",
    # personal medical acts asked of the assistant
    r"\b(prescris|prescrivez|diagnostique|diagnostiquez|prescribe|diagnose)\b[- ]?(moi|me|nous|us)\b",
    r"\b(dose|doses|posologie|dosage)\b.{0,60}\b(mon|ma|mes|my) (patient|patiente|patients|malade|enfant|child)\b",
    r"\b(mon|ma|mes|my) (patient|patiente|patients|malade|enfant|child)\b.{0,100}\b(dose|doses|posologie|dosage|prescrire|prescribe)\b",
    r"\b(dose|doses|posologie|dosage)\b.{0,80}\b\d+ ?kg\b",  # a dose for a body weight is a prescription
    # a medicine: Garant's documents are not a formulary
    r"\b(paracetamol|ibuprofene?|amoxicilline?|aspirine?|doliprane|morphine|insuline?|antibiotiques?|antibiotics?|"
    r"anticoagulants?|heparine?|tramadol|codeine)\b",
    # homework
    r"\b(mon|ma|son|sa|my|his|her|with my) (devoirs?|homework)\b", r"\b(resoudre l'equation|solve (the|this) equation)\b",
    # personal legal or money matters
    r"\b(mes|my) (economies|epargne|savings|impots|placements?|investissements?|investments?)\b",
    r"\b(aux impots|ma declaration d'impots|tax return|my taxes)\b",
    # spreadsheets and code for the user
    r"\b(formules? excel|excel formula|macro vba|formule de tableur|spreadsheet formula|requete sql|sql query|expression reguliere|regex)\b",
    r"\b(mon|ma|my) (proprietaire|bailleur|landlord|divorce|avocat|lawyer)\b", r"\b(going through a divorce|mon divorce)\b",
    # writing, translating or summarising something else than the documents' answer
    *_REQUESTS,
]
_COMPILED = [re.compile(p, re.IGNORECASE | re.MULTILINE) for p in _PATTERNS]
_PASSAGE_INSTRUCTIONS = [_ROLE_PLAY_IN_PASSAGE if p is _ROLE_PLAY_IN_QUESTION else p for p in _INSTRUCTIONS]
_COMPILED_INSTRUCTIONS = [re.compile(p, re.IGNORECASE) for p in _PASSAGE_INSTRUCTIONS]
_PARTS = re.compile(r"(?<=[.!?;])\s+|\n+")


def leaves_role(question: str) -> bool:
    """True when the question tries to make the assistant leave its role."""
    folded = fold(question)
    return any(p.search(folded) for p in _COMPILED)


def without_instructions(text: str) -> str:
    """`text` without its sentences that address an assistant (override its rules, reveal its
    instructions, change its role): planted in a document, they are not facts to answer from."""
    kept = [part for part in _PARTS.split(text) if not _addresses_assistant(fold(part))]
    return " ".join(kept)


def _addresses_assistant(folded: str) -> bool:
    """Whether a folded sentence of a passage is an instruction to an assistant (`without_instructions`)."""
    return any(p.search(folded) for p in _COMPILED_INSTRUCTIONS)
