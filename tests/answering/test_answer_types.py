"""Questions asking for an amount of money need a passage that states one."""

from __future__ import annotations

import pytest

from assistant.answering.answer_types import (
    asks_for_imposed_fine,
    asks_for_money,
    asks_for_public_body_fine,
    asks_in_other_currency,
    kinds_asked,
    lacks_the_value_asked,
    states_money,
)


@pytest.mark.parametrize("question", [
    "Combien coûte la licence annuelle de l'outil de planning ?",
    "Quel budget l'hôpital consacre-t-il à l'IA en 2025 ?",
    "Quel est le coût du module de formation ?",
    "How much does the hospital spend each year on AI training?",
    "What is the cost of the licence?",
])
def test_questions_asking_for_an_amount_of_money(question: str) -> None:
    assert asks_for_money(question)


@pytest.mark.parametrize("question", [
    "Quelle amende maximale encourt-on pour une pratique interdite ?",  # the regulations state fines
    "Quel est le montant de l'amende prévue par l'article 99 ?",
    "What is the maximum fine for a deployer?",
    "Is there a fee for patients' access to their data?",  # « free of charge »: no amount to find
    "Comment l'Anap conseille-t-elle de maîtriser les coûts ?",
    "Combien de temps dure la formation ?",
])
def test_questions_about_money_that_do_not_ask_for_an_amount(question: str) -> None:
    assert not asks_for_money(question)


@pytest.mark.parametrize(("question", "asks"), [
    ("Le budget de la formation IA, c'est combien ?", True),
    ("Donne-moi le coût annuel de la maintenance du logiciel.", True),
    ("On a dépensé combien pour les licences ?", True),
    ("Combien d'euros par mois pour l'hébergement ?", True),
    ("What did the deployment of the speech recognition tool cost?", True),
    ("I need the price of the fracture detection licence.", True),
    ("Tarif de l'atelier « Garantie humaine » par agent ?", True),
    ("L'amende maximale pour un déployeur, ça monte à combien en euros ?", False),  # a fine: see the module
    ("Le budget est validé par qui ?", False),  # who validates it, not its amount
])
def test_other_ways_of_asking_for_an_amount(question: str, asks: bool) -> None:
    assert asks_for_money(question) is asks


def test_an_amount_in_euros_is_what_a_money_question_needs() -> None:
    assert states_money("jusqu'à 15 000 000 EUR ou 3 % du chiffre d'affaires") and states_money("une licence de 2 500 € par an")
    assert not states_money("La formation dure 3 heures ; elle est obligatoire depuis le 2 février 2025.")
    question = "Combien coûte la licence de l'outil ?"
    assert lacks_the_value_asked(question, ["La licence est renouvelée chaque année par la DSI."])
    assert not lacks_the_value_asked(question, ["La licence coûte 2 500 € par an."])
    assert not lacks_the_value_asked("Qui renouvelle la licence ?", ["La licence est renouvelée chaque année par la DSI."])


@pytest.mark.parametrize(("question", "asks"), [
    ("Comment s'appelle le référent IA actuel du CH ?", True),
    ("What is the name of the hospital's data protection officer?", True),
    ("Quel est le nom du directeur général ?", True),
    ("Comment s'appelle le formulaire de recours ?", False),  # a thing's name, not a person's
    ("Quel est le nom de l'éditeur de l'outil ?", False),
    ("Qui est le référent IA ?", False),  # a role may answer it
    ("Qui est le président de la CME en ce moment ?", True),  # who holds it now: a name
    ("Qui est actuellement le RSSI de l'hôpital ?", True),
    ("Who is the DPO of the hospital right now?", True),
    ("Qui préside le COPIL IA actuellement ?", False),  # « préside »: the role the documents give
    ("Quel est le rôle actuel du DPO ?", False),
    # asked for, alone, or after the role
    ("J'ai besoin du nom de notre juriste pour lui écrire.", True),
    ("Nom du correspondant de matériovigilance ?", True),
    ("Le coordonnateur général des soins, comment il s'appelle ?", True),
    ("Comment se nomme la directrice des soins ?", True),
    ("What's the CISO called?", True),
    ("Who is the archivist? Name please.", True),
    ("Le référent IA, c'est qui ?", False),  # a role may answer it
])
def test_questions_asking_the_name_of_a_person(question: str, asks: bool) -> None:
    from assistant.answering.answer_types import asks_for_person_name

    assert asks_for_person_name(question) is asks


def test_a_product_or_host_name_needs_a_passage_that_names_one() -> None:
    question = "Quel est le nom commercial du logiciel de gestion du temps ?"
    assert lacks_the_value_asked(question, ["Le logiciel de gestion du temps propose un planning que le cadre valide."])
    assert not lacks_the_value_asked(question, ["Logiciel de gestion du temps : nom commercial Chronos, module planning."])
    host = "Quel hébergeur héberge les données de l'outil de planning ?"
    assert lacks_the_value_asked(host, ["Les données de l'outil de planning sont chez un hébergeur certifié HDS."])
    assert not lacks_the_value_asked(host, ["Les données de l'outil de planning sont hébergées par SantéCloud (hébergeur : SantéCloud)."])


def test_a_name_question_needs_a_passage_that_names_someone() -> None:
    question = "Comment s'appelle le référent IA ?"
    # roles are not names: the nearest passage of a charter that names no one does not answer
    assert lacks_the_value_asked(question, ["Le référent IA (Direction du numérique) tient le registre des outils."])
    assert not lacks_the_value_asked(question, ["Le référent IA est Mme Claire Martin, poste 4100."])


@pytest.mark.parametrize(("question", "kinds"), [
    ("Pendant combien d'années les fiches sont-elles conservées ?", ["duration"]),
    ("Dans quel délai faut-il signaler un dysfonctionnement ?", ["duration"]),
    ("How long must deployers keep the logs?", ["duration"]),
    ("À partir de quand s'applique l'article 6 ?", ["date"]),
    ("From what date does the regulation apply?", ["date"]),
    ("Jusqu'à quelle heure le self est-il ouvert ?", ["time_of_day"]),
    ("Quel est le numéro de poste du référent IA ?", ["phone"]),
    ("What is the email address of the DPO?", ["email"]),
    ("C'est quoi le numéro de poste pour appeler le référent IA ?", ["phone"]),
    ("Quel est le nom et le numéro de téléphone direct du DPO ?", ["phone"]),
    ("What internal phone extension should I dial to reach the AI referent?", ["phone"]),
    ("Quelle est l'adresse mail du DPO ?", ["email"]),
    # a number or an address named, not asked for
    ("J'ai juste changé un numéro de poste dans une procédure : faut-il refaire tout le circuit ?", []),
    ("The AI referent's phone extension changed. Do we have to redo the whole sign-off?", []),
    ("If an AI tool harms a patient, who should I phone right away?", []),
    ("Est-ce que je peux envoyer un compte rendu par courriel à un confrère ?", []),
    ("Can I send patient data by email to a colleague?", []),
    ("Quelle est la dose maximale de paracétamol ?", ["dose"]),
    ("Quel taux de formation l'établissement vise-t-il ?", ["percent"]),
    ("Quel est le taux de faux négatifs de l'outil de détection ?", ["percent"]),
    ("What is the rate of false negatives of the fracture detection tool?", ["percent"]),
    ("Quelle est la part de responsabilité du cadre ?", []),  # a share of something else than a figure
    ("Combien de lits compte l'unité ?", ["count"]),
    ("Combien de jours d'affilée un agent peut-il travailler ?", ["duration"]),  # a count of days is a duration
    ("Combien faut-il d'IDE au minimum la nuit en chirurgie ?", ["count"]),
    ("Combien faut-il au minimum de soignants sur le poste de nuit ?", ["count"]),
    ("What is the minimum number of nurses on the night shift?", ["count"]),
    ("What's the maximum number of hours someone can work in 7 days?", []),  # hours: not a count
    ("Below how many employees is an organisation exempt from keeping a record?", ["count"]),
    ("Combien coûte la licence ?", []),  # money: checked on its own
    ("Qui valide le planning ?", []),
    ("Quand faut-il remplir une FEI-IA ?", []),  # « quand » asking a circumstance, not a date
    ("Quand doit-on prévenir le cadre de santé ?", []),
    ("When must a controller designate a data protection officer?", []),
    ("When does the AI Act apply to deployers?", ["date"]),
    ("When will the planning tool be extended to paediatrics?", ["date"]),
    ("Quel éditeur fournit l'outil de détection des fractures ?", ["organisation"]),
    ("Quel est le nom de l'éditeur de l'outil de planning ?", ["organisation"]),
    ("Which company supplies the fracture detection software?", ["organisation"]),
    ("Comment s'appelle l'éditeur du logiciel de détection des fractures ?", ["organisation"]),
    ("Which notified body certified our fracture detection tool?", ["organisation"]),
    ("Quel est le rôle d'un organisme notifié ?", []),
    ("Who makes our schedule when the planning tool is down?", []),  # a role, not a vendor
    ("Quel est le nom commercial du logiciel de planning ?", ["organisation"]),
    ("What is the brand name of the scheduling software?", ["organisation"]),
    ("Quel hébergeur héberge les données de l'outil ?", ["organisation"]),
    ("Which certified hosting provider do we use for health data?", ["organisation"]),
    ("L'hébergeur doit-il être certifié HDS ?", []),  # a rule about the host, not its name
    ("Quelles sont les obligations du fournisseur d'un système à haut risque ?", []),  # the AI Act's « provider »
    ("Quel a été l'an dernier le délai moyen de réponse des fournisseurs ?", ["duration"]),
    ("Quelle est la sensibilité annoncée par le fabricant de l'outil ?", ["percent"]),
    ("What is the specificity of the fracture detection tool?", ["percent"]),
    ("Quelle précision faut-il apporter dans le dossier ?", []),  # a detail, not a rate
    ("What is the accuracy principle of the GDPR?", []),
    # a typographic apostrophe is the plain one
    ("Quel est l’effectif de nuit en médecine ?", ["count"]),
    # asked for in a request, alone, or last
    ("Donne-moi le délai de notification d'une violation de données.", ["duration"]),
    ("Délai de qualification d'une FEI-IA par la cellule qualité ?", ["duration"]),
    ("Le délai pour remplir la fiche, c'est combien ?", ["duration"]),
    ("How frequently must the degraded procedure be tested?", ["duration"]),
    ("Le délai de 24 h s'applique-t-il aussi la nuit ?", []),  # a question about a value given
    ("Date d'entrée en vigueur du règlement sur l'IA ?", ["date"]),
    ("Je voudrais connaître la date de la séance qui a validé la charte.", ["date"]),
    ("Le guide de la CNIL, il est sorti quand ?", ["date"]),
    ("Quand le CSE a-t-il été informé du projet ?", ["date"]),
    ("When's the next review of the procedure due?", ["date"]),
    ("When is the scheduling tool going to be rolled out to paediatrics?", ["date"]),
    ("Quand l'outil de planning sera-t-il étendu à la pédiatrie ?", ["date"]),
    ("Quand est-ce que l'outil va être déployé en pédiatrie ?", ["date"]),
    ("Le CREX se tient quel jour du mois ?", ["date"]),
    ("Horaires d'ouverture de la cellule qualité ?", ["time_of_day"]),
    ("C'est quoi le mail du RSSI ?", ["email"]),
    ("The archivist's e-mail address, please?", ["email"]),
    ("Numéro de téléphone du DPO ?", ["phone"]),
    ("Quel numéro composer pour joindre la cellule qualité ?", ["phone"]),
    ("Which number do I call to reach the DPO?", ["phone"]),
    ("Donne-moi le poste du cadre de garde.", ["phone"]),
    ("Le poste de nuit commence à quelle heure ?", ["time_of_day"]),  # a shift, not a phone
    ("Nombre d'aides-soignants requis le matin en médecine ?", ["count"]),
    ("I need the number of pilot units.", ["count"]),
    ("Le nombre de lits est-il pris en compte par l'outil ?", []),
    ("Is the number of beds an input to the scheduling tool?", ["count"]),  # "the number of": kept as before
    ("Qui fabrique l'outil de détection des fractures ?", ["organisation"]),
    ("L'hébergeur de nos sauvegardes, c'est qui ?", ["organisation"]),
    ("Who's the vendor of the scheduling module?", ["organisation"]),
    ("The vendor says our clinicians cannot overrule the tool. Is that allowed?", []),
    ("La CSIRMT, qui la préside ?", ["chair"]),
    ("Le CREX, il est présidé par qui ?", ["chair"]),
    ("Présidence du comité de retour d'expérience ?", ["chair"]),
    ("Who's the chair of the medical committee?", ["chair"]),
    ("What's the target training rate for AI users?", ["percent"]),
    ("Part des documents révisés à temps : quel objectif ?", ["percent"]),
    ("La sensibilité de l'outil, c'est combien en pourcentage ?", ["percent"]),
])
def test_the_kind_of_value_a_question_asks_for(question: str, kinds: list[str]) -> None:
    from assistant.answering.answer_types import kinds_asked

    assert kinds_asked(question) == kinds


def test_a_duration_must_be_stated_about_what_is_asked() -> None:
    question = "Pendant combien d'années les fiches de signalement sont-elles conservées ?"
    # a duration about something else does not answer (the 12 months are the logs')
    assert lacks_the_value_asked(question, ["Les journaux des outils d'IA sont gardés 12 mois."])
    # the subject without a duration does not answer either
    assert lacks_the_value_asked(question, ["Les fiches de signalement sont conservées dans le logiciel."])
    assert not lacks_the_value_asked(question, ["Les fiches de signalement sont conservées 10 ans."])
    assert not lacks_the_value_asked(question, ["Chaque fiche est conservée pendant dix ans."])
    assert not lacks_the_value_asked("Dans quel délai faut-il prévenir le DPO d'une violation ?",
                                     ["Le DPO est prévenu sans délai de toute violation de données."])


def test_how_long_a_thing_is_kept_needs_a_statement_about_keeping_it() -> None:
    question = "Pendant combien d'années les fiches FEI-IA sont-elles gardées dans le logiciel de signalement ?"
    # shares « FEI-IA » and « logiciel », but the 24 hours are a deadline to report
    deadline = "Tout professionnel le signale dans les 24 heures au moyen du formulaire FEI-IA du logiciel."
    assert lacks_the_value_asked(question, [deadline])
    assert not lacks_the_value_asked(question, ["Les fiches FEI-IA sont archivées 5 ans dans le logiciel."])
    assert not lacks_the_value_asked(question, ["Les fiches FEI-IA sont supprimées du logiciel au bout de 5 ans."])
    # keeping a document available to the authorities is keeping it
    assert not lacks_the_value_asked("How long must the provider keep the technical documentation?",
                                     ["For 10 years, the provider shall keep at the disposal of the authorities the technical documentation."], "en")
    assert not lacks_the_value_asked("Combien de temps le fournisseur doit-il garder la documentation technique ?",
                                     ["Pendant 10 ans, le fournisseur tient à la disposition des autorités la documentation technique."])
    # a question that does not ask how long something is kept still takes a deadline
    assert not lacks_the_value_asked("Dans quel délai faut-il signaler un dysfonctionnement avec la fiche FEI-IA ?", [deadline])


def test_how_long_a_thing_is_kept_is_said_in_the_clause_of_the_duration() -> None:
    question = "Pendant combien d'années les fiches FEI-IA sont-elles conservées dans le logiciel de signalement ?"
    # a version's changes: the logs are kept 12 months, and the FEI-IA form is in another clause of the row
    history = ("Version : 2.0 ; Modifications : formation obligatoire (art. 4), journaux conservés 12 mois, transparence (art. 50) ; "
               "signalement ramené à 24 heures (formulaire FEI-IA)")
    assert lacks_the_value_asked(question, [history])
    # « conservées » is what the question asks, not what it asks about: the clause must name what is kept
    assert lacks_the_value_asked(question, ["Les données sont conservées 5 ans ; le logiciel de signalement reçoit les fiches FEI-IA."])
    assert not lacks_the_value_asked(question, ["Les fiches FEI-IA sont conservées 5 ans dans le logiciel de signalement ; puis supprimées."])
    assert not lacks_the_value_asked("Combien de temps les journaux sont-ils conservés ?", [history])


def test_the_statement_holding_the_value_shares_two_words_of_what_is_asked() -> None:
    question = "À partir de quelle date le dossier médical du patient est-il archivé ?"
    assert lacks_the_value_asked(question, ["Le patient est informé depuis le 1er mars 2025 de l'usage de l'IA."])  # « patient » alone
    assert not lacks_the_value_asked(question, ["Le dossier médical est archivé à partir du 1er mars 2025."])
    # a question naming one thing only needs that one
    assert not lacks_the_value_asked("Quel est le numéro de poste du DPO ?", ["Le DPO est joignable au poste 4200."])


def test_a_duration_needs_one_word_of_what_is_asked_only() -> None:
    # deadlines are stated in few words: this one shares « vérifier » alone with the question
    question = "On m'a demandé de vérifier une procédure : combien de temps ai-je pour le faire ?"
    assert not lacks_the_value_asked(question, ["Le vérificateur dispose de 15 jours ouvrés pour vérifier."])
    assert lacks_the_value_asked(question, ["La charte est révisée tous les 2 ans."])


def test_a_french_authority_needs_a_statement_naming_one_about_what_is_asked() -> None:
    question = "Which French authority has been designated as market surveillance authority for the AI Act?"
    assert kinds_asked(question) == ["french_authority"]
    # the AI Act speaks of market surveillance authorities and names no French one
    assert lacks_the_value_asked(question, ["Member States shall designate at least one market surveillance authority."], "en")
    assert not lacks_the_value_asked(question, ["In France, the CNIL is designated as market surveillance authority."], "en")
    assert not lacks_the_value_asked("Quelle autorité française faut-il prévenir d'une violation de données ?",
                                     ["Notifier la violation de données à la CNIL dans les 72 heures."])
    assert kinds_asked("À quelle autorité faut-il notifier une violation de données ?") == []  # no country named


def test_the_date_of_a_next_event_needs_a_statement_about_a_next_or_recurring_one() -> None:
    question = "À quelle date aura lieu la prochaine visite de certification de l'hôpital ?"
    # the date of a past visit, or of the version that mentions visits, is not the next one's
    assert lacks_the_value_asked(question, ["La visite de certification de l'hôpital a eu lieu le 12 mars 2024."])
    assert not lacks_the_value_asked(question, ["La prochaine visite de certification de l'hôpital aura lieu le 3 juin 2027."])
    assert not lacks_the_value_asked(question, ["La visite de certification de l'hôpital a lieu tous les 4 ans, en juin."])
    # without « prochaine », a stated date answers as before
    assert not lacks_the_value_asked("À quelle date a eu lieu la visite de certification de l'hôpital ?",
                                     ["La visite de certification de l'hôpital a eu lieu le 12 mars 2024."])


def test_a_statement_pointing_back_is_read_with_the_one_before_it() -> None:
    question = "Combien de temps la CNIL recommande-t-elle de garder les journaux des accès ?"
    guide = ("• Prévoir un système de journalisation (fichiers journaux ou « logs ») des accès des utilisateurs.\n"
             "• Conserver ces évènements sur une période glissante comprise entre six mois et un an.")
    assert not lacks_the_value_asked(question, [guide])
    # alone, « ces évènements » says nothing of logs; and an item that does not point back is read alone
    assert lacks_the_value_asked(question, [guide.split("\n")[1]])
    assert lacks_the_value_asked(question, [guide.replace("Conserver ces évènements", "Conserver les sauvegardes")])


def test_days_of_something_need_a_number_of_days_next_to_that_thing() -> None:
    question = "Combien de jours de congés annuels a une infirmière à temps plein ?"
    # a deadline in days that shares « congés » is not a number of days of leave
    assert lacks_the_value_asked(question, ["Les infirmières saisissent leurs demandes de congés ; le planning est publié 28 jours avant."])
    assert not lacks_the_value_asked(question, ["Une infirmière à temps plein a droit à 25 jours de congés annuels."])
    assert not lacks_the_value_asked(question, ["Congés annuels d'une infirmière à temps plein : 25 jours."])
    assert not lacks_the_value_asked("Combien d'heures de travail d'affilée avant une pause ?",
                                     ["Pause de 20 minutes dès que le travail quotidien dépasse 6 h consécutives."])
    # an English question read against a French statement by the French words of its concepts
    english = "How many days of annual leave does a nurse get?"
    assert not lacks_the_value_asked(english, ["Une infirmière a droit à 25 jours de congés annuels."], "en", "congés infirmier")
    assert lacks_the_value_asked(english, ["Les demandes de congés des infirmiers sont saisies dans le portail au plus tard 49 jours avant."], "en", "congés infirmier")


@pytest.mark.parametrize("question", ["Qui préside le CREX ?", "Qui est le président du CREX ?", "Who chairs the CREX?"])
def test_who_chairs_a_committee_needs_a_statement_saying_who_presides_it(question: str) -> None:
    assert kinds_asked(question) == ["chair"]
    # the committee is there, and a chair of another one: neither says who chairs this one
    others = ["Le CREX se réunit chaque mois et analyse les événements.", "Le COPIL IA-N est présidé par le directeur général."]
    assert lacks_the_value_asked(question, others, "en" if question.startswith("Who") else "fr")
    assert not lacks_the_value_asked(question, ["The CREX is chaired by the head of the quality unit."], "en")
    assert not lacks_the_value_asked(question, ["Le CREX est présidé par le responsable de la cellule qualité."], "fr")


@pytest.mark.parametrize(("question", "imposed"), [
    ("Quel est le montant de l'amende que la CNIL a infligée au CH de Val-Garant ?", True),
    ("Combien d'amendes la CNIL a-t-elle déjà infligées à l'hôpital ?", True),
    ("How much has the CNIL fined our hospital so far?", True),
    ("How much was the fine the Irish authority imposed on Meta in 2023?", True),
    ("What is the largest GDPR fine ever imposed?", True),
    # a fine the rules set or allow is what they state
    ("Quelle est l'amende maximale pour une pratique d'IA interdite ?", False),
    ("Quelle amende la CNIL peut-elle infliger à un hôpital ?", False),
    ("What fines are imposed on deployers who breach Article 26?", False),
    ("How much would a hospital be fined for not training its staff?", False),
])
def test_a_fine_actually_imposed_needs_a_passage_reporting_one(question: str, imposed: bool) -> None:
    ceiling = "Le non-respect de l'interdiction fait l'objet d'amendes administratives pouvant aller jusqu'à 35 000 000 EUR."
    assert asks_for_imposed_fine(question) is imposed
    assert lacks_the_value_asked(question, [ceiling], "en" if question.isascii() else "fr") is imposed
    assert not lacks_the_value_asked(question, ["En 2024, la CNIL a infligé 2 amendes à l'hôpital, pour un montant de 50 000 €."])


@pytest.mark.parametrize(("question", "public"), [
    ("What's the maximum AI Act fine for a French public hospital that fails its deployer obligations?", True),
    ("Quelle amende maximale un hôpital public encourt-il pour un manquement au RGPD ?", True),
    ("Si la CNIL sanctionne le CH de Val-Garant, l'amende maximale c'est combien ?", True),
    ("What fine could our hospital get for not training its staff in AI literacy?", True),
    # a deployer or a hospital in general: the regulation's ceiling answers
    ("What is the maximum administrative fine if a hospital, acting as a deployer, breaches Article 26?", False),
    ("Quelle amende maximale est prévue pour un déployeur qui ne respecte pas l'article 26 ?", False),
])
def test_the_fine_of_a_public_body_needs_an_amount_stated_for_one(question: str, public: bool) -> None:
    lang = "en" if question.isascii() else "fr"
    ceiling = "Infringements of the obligations of deployers shall be subject to administrative fines of up to 15 000 000 EUR."
    left_to_states = ("Each Member State shall lay down rules on to what extent administrative fines may be imposed on public "
                      "authorities and bodies established in that Member State.")
    assert asks_for_public_body_fine(question) is public
    assert lacks_the_value_asked(question, [ceiling + "\n" + left_to_states], lang) is public
    assert not lacks_the_value_asked(question, ["Les établissements publics de santé encourent une amende de 50 000 euros."], lang)


def test_a_figure_actually_reached_needs_a_record_not_a_target() -> None:
    question = "Pendant la phase pilote, quel pourcentage de plannings a réellement été publié à J-28 ?"
    assert lacks_the_value_asked(question, ["Indicateur : plannings publiés à J-28 pendant la phase pilote ; objectif : 95 %."])
    assert not lacks_the_value_asked(question, ["Bilan de la phase pilote : 92 % des plannings publiés à J-28."])
    # without « réellement », the target answers
    assert not lacks_the_value_asked(question.replace(" réellement", ""),
                                     ["Indicateur : plannings publiés à J-28 pendant la phase pilote ; objectif : 95 %."])


def test_a_precise_date_needs_a_day_not_a_month() -> None:
    question = "À quelle date précise se tiendra la séance de juin du COPIL IA et numérique ?"
    schedule = "Le COPIL IA et numérique se réunit une fois par trimestre (en mars, juin, septembre et décembre)."
    assert lacks_the_value_asked(question, [schedule])
    assert not lacks_the_value_asked(question, ["La séance de juin du COPIL IA et numérique se tiendra le 12 juin 2026."])
    assert not lacks_the_value_asked("En quel mois se tient la séance d'été du COPIL IA et numérique ?", [schedule])


def test_a_coordonnateur_is_a_role_whose_name_is_asked() -> None:
    question = "Comment s'appelle le coordonnateur général des soins ? Je voudrais lui écrire directement."
    assert lacks_the_value_asked(question, ["Le coordonnateur général des soins préside la CSIRMT."])
    assert not lacks_the_value_asked(question, ["Le coordonnateur général des soins est Mme Claire Martin."])


def test_a_count_needs_a_number_of_the_thing_counted_about_what_is_asked() -> None:
    question = "Combien de lits compte le service des urgences ?"
    assert lacks_the_value_asked(question, ["Le service des urgences accueille 120 patients par jour."])  # not beds
    assert lacks_the_value_asked(question, ["Unités pilotes : médecine polyvalente (28 lits)."])  # beds of another unit
    assert not lacks_the_value_asked(question, ["Le service des urgences compte 35 lits."])


def test_a_count_is_about_what_the_part_of_its_statement_names() -> None:
    # one statement lists three units between semicolons: the beds of two give none to the third
    units = ("Unités pilotes : médecine polyvalente (28 lits), en postes de 10 h la nuit ; chirurgie digestive "
             "(32 lits), en postes de 10 h la nuit ; urgences adultes, en postes de 12 heures.")
    assert lacks_the_value_asked("Combien de lits compte l'unité des urgences adultes ?", [units])
    assert not lacks_the_value_asked("Combien de lits compte l'unité de chirurgie digestive ?", [units])


def test_a_value_in_a_list_item_is_not_about_the_sibling_item_the_question_names() -> None:
    # as the roster procedure writes it: one line per unit, each joined to the introduction, whose words
    # (« unités », « planning ») every item shares; the beds of two units give none to the third
    units = ("La procédure s'applique aux unités qui utilisent le planning assisté, soit les trois unités pilotes suivantes :\n"
             "médecine polyvalente (28 lits), en postes de 10 h la nuit ;\nchirurgie digestive et orthopédique (32 lits), "
             "en postes de 10 h la nuit ;\nurgences adultes, organisées en postes de 12 heures.")
    assert lacks_the_value_asked("Combien de lits compte l'unité des urgences adultes qui teste le planning assisté ?", [units])
    assert not lacks_the_value_asked("Combien de lits compte l'unité de chirurgie digestive qui teste le planning assisté ?", [units])
    assert not lacks_the_value_asked("Combien de lits comptent les unités pilotes du planning assisté ?", [units])
    # a sibling sharing one more word than the others does not set them aside (« mon avis »: « Avis des instances »)
    grid = ("| Étape | Acteur | Délai |\n|---|---|---|\n| Vérification | Vérificateur(s) | 15 jours ouvrés |\n"
            "| Avis des instances | CME, CSE | Selon leur calendrier |")
    assert not lacks_the_value_asked("Je suis vérificatrice d'une procédure, combien de temps pour rendre mon avis ?", [grid])


def test_a_count_in_brackets_is_part_of_what_its_clause_says() -> None:
    # the semicolon of an example in brackets does not cut the clause that the count completes
    item = ("Imposer une complexité du mot de passe :\n"
            "- entropie de 50 bits (ex. : 8 caractères ; 16 chiffres) avec blocage du compte après 10 échecs.")
    assert not lacks_the_value_asked("Avec une entropie de 50 bits, au bout de combien d'échecs faut-il bloquer le compte ?", [item])


@pytest.mark.parametrize("question", [
    "Combien y a-t-il de lits aux urgences adultes ?",
    "Combien y a t il de lits aux urgences adultes ?",
])
def test_there_are_how_many_asks_for_a_count_of_the_noun_after_it(question: str) -> None:
    units = ("Unités pilotes : médecine polyvalente (28 lits), en postes de 10 h la nuit ; urgences adultes, "
             "en postes de 12 heures.")
    assert kinds_asked(question) == ["count"]
    assert lacks_the_value_asked(question, [units])  # the beds are another unit's
    assert not lacks_the_value_asked(question.replace("urgences adultes", "médecine polyvalente"), [units])


def test_a_count_is_a_number_next_to_the_thing_counted_not_a_duration_a_year_or_a_reference() -> None:
    question = "Combien de signalements FEI-IA ont été déclarés en 2025 ?"
    # a deadline, the number of an article and the year of a version are in the same statement as the
    # reports and the year asked, and count no report
    history = "Version : 2.0 ; Date : 1er mars 2025 ; Modifications : transparence (art. 50) ; signalement ramené à 24 heures (FEI-IA)"
    assert lacks_the_value_asked(question, [history])
    assert lacks_the_value_asked(question, ["En 2025, le signalement des FEI-IA se fait sous 24 heures."])
    assert not lacks_the_value_asked(question, ["En 2025, 37 signalements FEI-IA ont été déclarés."])
    assert not lacks_the_value_asked(question, ["Bilan 2025 : signalements FEI-IA déclarés : 37."])


def test_staff_are_counted_by_their_abbreviation_and_a_staffing_question_is_a_count() -> None:
    grid = ("Règle contrôlée : Effectif minimal par poste ; Valeur : Médecine polyvalente : matin 3 IDE + 3 AS ; "
            "nuit 1 IDE + 1 AS")
    assert kinds_asked("Quel est l'effectif minimal d'infirmiers la nuit en médecine polyvalente ?") == ["count"]
    assert not lacks_the_value_asked("Quel est l'effectif minimal d'infirmiers la nuit en médecine polyvalente ?", [grid])
    assert not lacks_the_value_asked("Combien d'aides-soignants faut-il le matin en médecine polyvalente ?", [grid])
    assert lacks_the_value_asked("Combien de pharmaciens faut-il la nuit en médecine polyvalente ?", [grid])


def test_times_addresses_phones_doses_and_dates_need_one_in_the_passages() -> None:
    assert lacks_the_value_asked("Jusqu'à quelle heure le self est-il ouvert ?", ["Le self propose un menu équilibré."])
    assert not lacks_the_value_asked("Jusqu'à quelle heure le self est-il ouvert ?", ["Le self est ouvert de 11 h 30 à 14 h."])
    assert lacks_the_value_asked("What is the email address of the DPO?", ["The DPO advises the controller."], "en")
    assert not lacks_the_value_asked("What is the email address of the DPO?", ["The DPO can be reached at dpo@example.org."], "en")
    assert not lacks_the_value_asked("Quel est le numéro de poste du référent IA ?", ["Le référent IA est joignable au poste 4100."])
    # a year is not an extension (« édition 2024 »), nor is the number of an act (« 2024/1689 »)
    for year in ("Le RSSI suit le guide de la CNIL (édition 2024).", "Le RSSI applique le règlement (UE) 2024/1689."):
        assert lacks_the_value_asked("Quel est le numéro de poste du RSSI ?", [year])
    assert not lacks_the_value_asked("Quel est le numéro de poste du RSSI ?", ["Contact du RSSI : poste 4120."])
    assert lacks_the_value_asked("Quelle est la dose maximale de paracétamol ?", ["Le pharmacien valide chaque prescription."])
    assert not lacks_the_value_asked("Quelle est la dose maximale de paracétamol ?", ["Paracétamol : dose maximale 4 g par jour."])
    assert lacks_the_value_asked("À partir de quand s'applique le règlement ?", ["Le règlement s'applique aux déployeurs."])
    assert not lacks_the_value_asked("À partir de quand s'applique le règlement ?", ["Le règlement s'applique à partir du 2 août 2026."])


def test_a_vendor_question_needs_a_name_given_as_the_vendor() -> None:
    question = "Quel éditeur fournit l'outil d'aide à la détection des fractures ?"
    # a statement about the tool, even naming a town, does not name its vendor
    assert lacks_the_value_asked(question, ["Le centre hospitalier de Perpignan a installé une aide à la détection des fractures."])
    assert lacks_the_value_asked(question, ["L'éditeur de l'outil d'aide à la détection des fractures est informé de tout incident."])
    assert not lacks_the_value_asked(question, ["Aide à la détection des fractures | Éditeur : Radiolab | Urgences, imagerie"])
    assert not lacks_the_value_asked("Which company supplies the fracture detection software?",
                                     ["The fracture detection software is supplied by Radiolab SAS."], "en")


def test_an_average_or_a_figure_for_a_period_needs_a_statement_that_gives_one() -> None:
    average = "Quel a été le délai moyen de réponse des fournisseurs après un signalement ?"
    # the deadline a procedure sets is not the average observed
    assert lacks_the_value_asked(average, ["Le fournisseur répond au signalement sous 5 jours ouvrés."])
    assert not lacks_the_value_asked(average, ["Le délai moyen de réponse des fournisseurs au signalement a été de 4 jours."])
    dated = "Combien de signalements FEI-IA ont été déclarés en 2025 ?"
    assert lacks_the_value_asked(dated, ["Le référent IA analyse les signalements FEI-IA : 3 signalements par agent au plus."])
    assert not lacks_the_value_asked(dated, ["En 2025, 14 signalements FEI-IA ont été déclarés."])
    last_year = "How many serious AI incidents did the hospital report last year?"
    assert lacks_the_value_asked(last_year, ["Serious incidents are reported within 15 days; two incidents at most."], "en")
    assert not lacks_the_value_asked(last_year, ["In 2024 the hospital reported two serious incidents."], "en")
    # the number of an act is not a year the question names
    assert not lacks_the_value_asked("Dans quel délai notifier une violation selon le règlement (UE) 2016/679 ?",
                                     ["Le responsable notifie la violation dans les 72 heures selon le règlement."])


@pytest.mark.parametrize(("question", "asks"), [
    ("Quel est le mot de passe du wifi invités ?", True),
    ("What's the Wi-Fi password for the staff network?", True),
    ("C'est quoi le digicode de la pharmacie ?", True),
    ("Donne-moi le code de la porte du bloc.", True),
    # how to reset one, or the rules for choosing one, are questions about procedures
    ("Comment réinitialiser mon mot de passe ?", False),
    ("Quelles sont les règles pour les mots de passe ?", False),
    ("What are the password rules in the CNIL guide?", False),
    ("What is the minimum password length?", False),
])
def test_questions_asking_for_a_password_or_an_access_code(question: str, asks: bool) -> None:
    from assistant.answering.answer_types import asks_for_credential

    assert asks_for_credential(question) is asks


def test_a_password_is_never_answered_whatever_the_passages() -> None:
    passages = ["Wi-Fi invités : mot de passe Hopital2024!, changé chaque mois."]
    assert lacks_the_value_asked("Quel est le mot de passe du wifi invités ?", passages)
    assert not lacks_the_value_asked("Comment le mot de passe du wifi invités est-il changé ?", passages)


def test_the_passages_that_hold_the_value_asked_for() -> None:
    from assistant.answering.answer_types import value_holder

    assert value_holder("Quel est le rôle du comité de pilotage IA ?") is None
    holds = value_holder("Combien de temps la CNIL conseille-t-elle de conserver les journaux ?")
    assert holds is not None
    assert holds("Les journaux sont conservés pendant une période de six mois à un an.")
    assert not holds("Les journaux sont analysés chaque jour par le RSSI.")  # no duration of keeping
    # the amount of a fine: refused nowhere (see the module), but an amount is what answers it
    fine = value_holder("Quelle est l'amende maximale pour une pratique d'IA interdite ?")
    assert fine is not None
    assert fine("Le non-respect de l'interdiction fait l'objet d'amendes administratives pouvant aller jusqu'à 35 000 000 EUR.")
    assert not fine("Les sanctions, y compris les amendes administratives, devraient être effectives et dissuasives.")
    assert value_holder("What is the maximum GDPR fine for a controller?", "en") is not None


def test_an_english_question_on_a_french_passage_is_read_with_the_glossarys_french_words() -> None:
    question = "Which phone extension do I dial to reach the AI referent?"
    french = "référent IA référent poste"  # what the shipped glossary gives for it
    charter = "Il est joignable au poste 4100 et par la messagerie interne (boîte « Référent IA »)."  # the charter's own sentence
    # the English words share only « referent » with the French statement: refused without the glossary
    assert lacks_the_value_asked(question, [charter], "en")
    assert not lacks_the_value_asked(question, [charter], "en", french)
    # the French words still have to be in the statement holding the value, all of what is asked about
    assert lacks_the_value_asked(question, ["Le référent sécurité est joignable au poste 5200."], "en", french)
    assert lacks_the_value_asked(question, ["Le référent IA tient le registre.", "Le standard répond au poste 9."], "en", french)
    # a French question's translated words are English: a French statement is read with the question's own words
    assert lacks_the_value_asked("Quel est le numéro de téléphone du standard ?", [charter], "fr", "switchboard phone number")


@pytest.mark.parametrize(("question", "texts", "lacks"), [
    ("What is the maximum fine in pounds sterling under the UK GDPR?", ["fines up to EUR 20 000 000"], True),
    ("Combien coûte la licence en dollars ?", ["La licence coûte 12 000 €."], True),
    ("What is the fine in pounds?", ["a fine of 10 pound"], False),
    ("How much is it in $?", ["it costs 5 dollars"], False),
    ("Quel est le montant maximal de l'amende en euros ?", ["jusqu'à 20 000 000 EUR"], False),
])
def test_an_amount_asked_in_a_currency_no_passage_uses_is_lacking(question: str, texts: list[str], lacks: bool) -> None:
    assert asks_in_other_currency(question, texts) is lacks
    if lacks:
        assert lacks_the_value_asked(question, texts, "en")
