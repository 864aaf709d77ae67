"""The thesaurus: the documents' words for the staff's phrases a question uses, read by BM25, the evidence gate and the choice of what to quote."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_files import write_documents

from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from assistant.errors import ConfigError
from assistant.retrieval.analysis import analyse
from assistant.retrieval.glossary import SHIPPED_GLOSSARY, Glossary
from assistant.retrieval.thesaurus import SHIPPED_THESAURUS, Thesaurus
from assistant.services import build_services
from ingest.pipeline import Ingestor


def _thesaurus(tmp_path: Path, text: str) -> Thesaurus:
    path = tmp_path / "thesaurus.tsv"
    path.write_text(text, encoding="utf-8")
    return Thesaurus.load(path)


def test_phrases_are_matched_by_stem_in_the_questions_language_only(tmp_path: Path) -> None:
    thesaurus = _thesaurus(tmp_path, "# comment\n\nen\tleak | stolen data\tpersonal data breach\n"
                                     "fr\tfuite | données volées\tviolation de données\nen\tnot allowed\tprohibited\n")
    assert thesaurus.expand("Patient data leaked from a server: what now?", "en") == "personal data breach"
    assert thesaurus.expand("Des données ont fuité, que faire ?", "fr") == "violation de données"
    # an English phrase is not looked for in a French question, nor the reverse
    assert thesaurus.expand("Une fuite de données : que faire ?", "en") == ""
    # the words of a phrase must be side by side, in order
    assert thesaurus.expand("Is that not allowed?", "en") == "prohibited"
    assert thesaurus.expand("Not everything is allowed.", "en") == ""
    assert thesaurus.expand("Which data were stolen?", "en") == ""
    # without a language, both are read
    assert thesaurus.expand("Des données volées et un leak", None) == "personal data breach violation de données"


@pytest.mark.parametrize("line", ["en leak breach", "en\tleak", "de\tleak\tbreach", "en\t\tbreach", "en\tleak\t"])
def test_a_malformed_line_is_an_error_naming_it(tmp_path: Path, line: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _thesaurus(tmp_path, f"# en-tête\n{line}\n")
    assert "ligne 2" in caught.value.message_fr and "line 2" in caught.value.message_en


def test_a_missing_thesaurus_file_is_an_error_saying_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="retrieval.thesaurus_path"):
        Thesaurus.load(tmp_path / "absent.tsv")


def test_the_shipped_thesaurus_loads_and_knows_the_staffs_words_for_both_languages() -> None:
    thesaurus = Thesaurus.load(SHIPPED_THESAURUS)
    assert {entry.lang for entry in thesaurus.entries} == {"fr", "en"}
    assert "breach" in thesaurus.expand("We think patient files leaked. How long do we have to report it?", "en")
    assert "sanctions" in thesaurus.expand("Quelle amende pour une pratique interdite ?", "fr")


@pytest.fixture
def regulation(fake_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    corpus = write_documents(tmp_path / "corpus", [
        ("gdpr.md", "Regulation (EU) 2016/679", "en", "reglementation",
         "The controller shall notify a personal data breach to the supervisory authority within 72 hours."),
        ("guide.md", "Security guide", "en", "guide", "Servers must be patched and backed up every night."),
    ])
    Ingestor(fake_settings, HashEmbedder).sync(corpus)
    svc = build_services(fake_settings, chat_model=FakeChatModel(["x"]), embedder=HashEmbedder())
    yield svc.retriever
    svc.close()


def test_a_question_in_the_staffs_words_reaches_the_passage_in_the_documents_words(regulation) -> None:  # type: ignore[no-untyped-def]
    question = "Patient files leaked from one of our servers: what now?"
    with_thesaurus = {p.document.title: p.lexical_score for p in regulation.search(question, k=5, lang="en")}
    regulation.thesaurus = None
    without = {p.document.title: p.lexical_score for p in regulation.search(question, k=5, lang="en")}
    # alone, the question shares only « servers » with the guide; the documents' words find the article
    assert not without.get("Regulation (EU) 2016/679")
    assert with_thesaurus["Regulation (EU) 2016/679"] > with_thesaurus["Security guide"]


def test_a_phrase_counts_as_stated_when_a_passage_holds_half_of_the_documents_words(tmp_path: Path) -> None:
    thesaurus = _thesaurus(tmp_path, "fr\tChatGPT | chatbot gratuit\tagents conversationnels grand public non inscrit au registre\n"
                                     "en\tChatGPT\tgeneral-purpose AI\n")
    question = "Puis-je coller un compte rendu dans ChatGPT ?"
    charter = set(analyse("Il est interdit de saisir un compte rendu dans un agent conversationnel grand public.", "fr"))
    elsewhere = set(analyse("Le comité se réunit une fois par trimestre.", "fr"))
    assert thesaurus.stated_terms(question, "fr", [elsewhere, charter]) == set(analyse("ChatGPT", "fr"))
    # no passage states the idea, or the question uses none of its phrases, or another language's
    assert thesaurus.stated_terms(question, "fr", [elsewhere]) == set()
    assert thesaurus.stated_terms("Puis-je coller un compte rendu dans un courriel ?", "fr", [charter]) == set()
    assert thesaurus.stated_terms("Can I paste a report into ChatGPT?", "en", [charter]) == set()


def _with_and_without_thesaurus(fake_settings, tmp_path: Path, verb: str, question: str):  # type: ignore[no-untyped-def]
    """The answer without the model to `question` over a charter forbidding to `verb` a report into
    a public chatbot, with the shipped thesaurus and without any; the gate reads words only."""
    corpus = write_documents(tmp_path / "corpus", [
        ("charte.md", "Charte IA", "fr", "charte",
         f"Il est interdit de {verb} un compte rendu de patient dans un outil non inscrit au registre "
         "(agents conversationnels grand public, traducteurs en ligne)."),
        ("guide.md", "Guide de sécurité", "fr", "guide", "Les serveurs sont sauvegardés chaque nuit."),
    ])
    Ingestor(fake_settings, HashEmbedder).sync(corpus)
    fake_settings.answer.refuse_below_dense = 1.0  # the gate then reads the question's words only
    svc = build_services(fake_settings, chat_model=FakeChatModel(["x", "x"]), embedder=HashEmbedder())
    try:
        answered = svc.answerer.answer(question, no_llm=True)
        svc.retriever.thesaurus = None
        refused = svc.answerer.answer(question, no_llm=True)
    finally:
        svc.close()
    return answered, refused


def test_the_evidence_gate_counts_a_staff_phrase_whose_idea_a_passage_states(fake_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answered, refused = _with_and_without_thesaurus(fake_settings, tmp_path, "coller", "Puis-je coller un courrier de sortie dans ChatGPT ?")
    # « ChatGPT » is what the charter calls « agents conversationnels grand public »: enough of the question is held
    assert not answered.refused and answered.retrieved[0].document.title == "Charte IA"
    assert answered.timings["coverage"] > refused.timings["coverage"]
    assert refused.refused and refused.refusal_reason == "no_evidence"


def test_a_first_passage_stating_the_idea_of_a_staff_phrase_is_evidence_enough(fake_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # « …dans ChatGPT sur mon téléphone pour qu'il me le résume ? » holds more staff words than the
    # charter does: too few of them are held, but the first passage forbids what « ChatGPT » names.
    question = "Est-ce que je peux coller la lettre de sortie d'un malade dans ChatGPT sur mon téléphone pour qu'il me la résume vite ?"
    answered, refused = _with_and_without_thesaurus(fake_settings, tmp_path, "saisir", question)
    assert answered.timings["coverage"] < fake_settings.answer.refuse_below_coverage
    assert not answered.refused and answered.retrieved[0].document.title == "Charte IA"
    assert refused.refused and refused.refusal_reason == "no_evidence"

def test_the_shipped_thesaurus_knows_the_names_staff_give_to_public_chatbots() -> None:
    thesaurus = Thesaurus.load(SHIPPED_THESAURUS)
    assert "agents conversationnels grand public" in thesaurus.expand("Je peux coller mon courrier dans ChatGPT ?", "fr")
    assert "non inscrit au registre" in thesaurus.expand("Et sur un site de traduction gratuit ?", "fr")


def test_the_shipped_words_lead_from_a_manager_away_to_the_deputy() -> None:
    # PQ-IA-02: « En l'absence du cadre de santé, la validation est faite par le cadre de santé suppléant… »
    thesaurus = Thesaurus.load(SHIPPED_THESAURUS)
    assert "suppléant" in thesaurus.expand("Ma cadre est en congé, une infirmière peut valider le planning à sa place ?", "fr")
    assert "suppléant" not in thesaurus.expand("Qui valide le planning ?", "fr")
    glossary = Glossary.load(SHIPPED_GLOSSARY)
    assert "suppléant" in glossary.to_french("Our ward manager is off this week. Who signs off the roster?")


def test_the_shipped_words_lead_from_an_ai_that_got_it_wrong_to_the_reporting_rule() -> None:
    # The charter's § 8 and PQ-IA-01 speak of « résultat erroné » and « dysfonctionnement », staff of the AI « qui se trompe ».
    thesaurus = Thesaurus.load(SHIPPED_THESAURUS)
    for question in ("Qui dois-je prévenir si l'outil d'IA se trompe pendant la nuit ?", "J'ai signalé un bug de la dictée, quand aurai-je un retour ?"):
        assert "dysfonctionnement" in thesaurus.expand(question, "fr")
    assert "dysfonctionnement" not in thesaurus.expand("Qui préside le comité de pilotage ?", "fr")


def test_a_passage_is_quoted_where_it_says_in_the_documents_words_what_the_staff_asked(fake_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    article = ("Deployers shall keep the logs automatically generated by the high-risk AI system for at least six months. "
               "Before putting into service or using a high-risk AI system at the workplace, deployers who are employers shall "
               "inform workers' representatives and the affected workers that they will be subject to the use of the system. "
               "This information shall be provided, where applicable, in accordance with the rules and procedures laid down "
               "in Union and national law and practice on information of workers and their representatives. "
               "Deployers that are public authorities shall comply with the registration obligations referred to in Article 49.")
    corpus = write_documents(tmp_path / "corpus", [("ai-act.md", "Regulation (EU) 2024/1689", "en", "reglementation", article)])
    Ingestor(fake_settings, HashEmbedder).sync(corpus)
    fake_settings.answer.passage_excerpt_chars = 200  # one sentence of the article, not all of it
    fake_settings.answer.refuse_below_dense = -1.0  # answered whatever the words held
    question = "Do we have to tell the nurses and their union reps before we roll out a high-risk AI tool on the wards?"
    svc = build_services(fake_settings, chat_model=FakeChatModel(["x", "x"]), embedder=HashEmbedder())
    try:
        read_with_thesaurus = svc.answerer.answer(question, no_llm=True)
        svc.retriever.thesaurus = None
        read_as_written = svc.answerer.answer(question, no_llm=True)
    finally:
        svc.close()
    [(_, quote)] = read_with_thesaurus.extracts
    assert "inform workers' representatives" in quote  # « union reps » is what the act calls workers' representatives
    [(_, other)] = read_as_written.extracts
    assert "inform workers' representatives" not in other
