"""A French question on an act indexed in English only (« le RGPD »): the glossary's English words
find its article, and its English passages are read with them (`Glossary.to_english`,
`HybridRetriever._in_english`, `passage_terms`, `holds_value_near`)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from corpus_files import write_documents

from assistant.answering.answer_types import holds_value_near
from assistant.answering.extracts import passage_terms
from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from assistant.retrieval.glossary import Glossary
from assistant.services import build_services
from ingest.pipeline import Ingestor

ERASURE = "The data subject shall have the right to obtain from the controller the erasure of personal data without undue delay."
ACCESS = "The controller shall provide information on action taken on a request to the data subject within one month of receipt of the request."
GLOSSARY = ("effacement | droit à l'effacement\terasure | right to erasure\n"
            "droit d'accès | demande d'accès\tright of access | access request\n"
            "données personnelles | données\tpersonal data | data\nRGPD\tGDPR\n")


def _glossary(tmp_path: Path) -> Glossary:
    path = tmp_path / "glossary.tsv"
    path.write_text(GLOSSARY, encoding="utf-8")
    return Glossary.load(path)


def test_a_french_questions_concepts_are_given_in_english_most_words_first_each_word_once(tmp_path: Path) -> None:
    glossary = _glossary(tmp_path)
    # « droit à l'effacement » is one concept; « données » is another; « article 17 » keeps its number
    assert glossary.to_english("Le droit à l'effacement des données selon l'article 17 du RGPD ?") == (
        "erasure right to erasure personal data data GDPR 17")
    assert glossary.to_english("Qui préside le comité ?") == ""


@pytest.fixture
def retriever(fake_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    corpus = write_documents(tmp_path / "corpus", [
        ("gdpr-2016-679-en.md", "Regulation (EU) 2016/679", "en", "reglementation", f"{ERASURE}\n\n{ACCESS}"),
        ("charte.md", "Charte IA", "fr", "charte", "Le DPO est consulté sur les données personnelles traitées par un outil d'IA."),
        ("ria-fr.md", "Règlement (UE) 2024/1689", "fr", "reglementation", "Le déployeur conserve les journaux."),
        ("ria-en.md", "Regulation (EU) 2024/1689", "en", "reglementation", "The deployer shall keep the logs and the erasure records."),
    ])
    Ingestor(fake_settings, HashEmbedder).sync(corpus)
    svc = build_services(fake_settings, chat_model=FakeChatModel(["x"]), embedder=HashEmbedder())
    svc.retriever.glossary = _glossary(tmp_path)
    yield svc.retriever
    svc.close()


def _titles(retriever, found: dict[str, float]) -> set[str]:  # type: ignore[no-untyped-def]
    return {retriever.documents[retriever._doc_of[cid]].title for cid in found}  # noqa: SLF001


def test_a_french_question_naming_an_act_indexed_in_english_only_searches_it_with_english_words(retriever) -> None:  # type: ignore[no-untyped-def]
    allowed = retriever.allowed_documents()
    found = retriever._in_english("Un patient peut-il demander l'effacement de ses données selon le RGPD ?", 40, allowed)  # noqa: SLF001
    assert _titles(retriever, found) == {"Regulation (EU) 2016/679"}
    # not without naming it, nor for an act that has a French text (« le règlement sur l'IA »)
    assert retriever._in_english("Un patient peut-il demander l'effacement de ses données ?", 40, allowed) == {}  # noqa: SLF001
    assert retriever._in_english("Le règlement sur l'IA prévoit-il l'effacement des données ?", 40, allowed) == {}  # noqa: SLF001


def test_its_passage_comes_first_and_gains_the_named_weight(retriever) -> None:  # type: ignore[no-untyped-def]
    question = "Un patient peut-il demander l'effacement de ses données selon le RGPD ?"
    passages = retriever.search(question, k=4, lang="fr")
    assert passages[0].document.title == "Regulation (EU) 2016/679"
    glossary, retriever.glossary = retriever.glossary, None
    without = {p.document.title: p.score for p in retriever.search(question, k=4, lang="fr")}
    retriever.glossary = glossary
    assert passages[0].score > without["Regulation (EU) 2016/679"]
    # the named weight goes to an act with no text in the question's language only
    assert retriever._named_weighs(passages[0].document.doc_id, "fr")  # noqa: SLF001
    assert not retriever._named_weighs(passages[0].document.doc_id, "en")  # noqa: SLF001


def test_an_english_passage_under_a_french_question_is_read_and_checked_with_the_english_words(tmp_path: Path) -> None:
    question = "Combien de temps a-t-on pour répondre à une demande d'accès selon le RGPD ?"
    english = _glossary(tmp_path).to_english(question)
    passage = SimpleNamespace(document=SimpleNamespace(lang="en"), chunk=SimpleNamespace(text=ACCESS))
    terms, reading = passage_terms(question, passage, "fr", english)  # type: ignore[arg-type]
    assert reading == "en" and "request" in terms
    # the duration is near the words asked about only in English
    assert not holds_value_near("duration", question, [ACCESS], "fr")
    assert holds_value_near("duration", question, [ACCESS], "fr", english)
