"""Helper of the kill tests (run as a script, not collected): records answers and feedback in
a loop on the governance log of the home given as argument, and prints `a <id>` or `f <id>`
on stdout once `record` / `add_feedback` has returned, that is once the row is acknowledged.
The test kills it with SIGKILL at a random moment and checks every printed row survived."""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.answering.model import Answer, AnswerSentence
from assistant.governance.log import InteractionLog
from assistant.index.store import ChunkRecord, DocumentRecord
from assistant.retrieval.hybrid import Passage


def passage(n: int) -> Passage:
    document = DocumentRecord(
        doc_id=f"doc{n % 3}", title="Procédure", kind="procedure", version="1", effective_date="2024-01-01",
        status="en_vigueur", owner="Qualité", lang="fr", source_path="p.md", content_sha256="sha", size_bytes=1,
        page_count=1, chunk_count=1, ingested_at="2024-06-01T00:00:00+00:00")
    chunk = ChunkRecord(chunk_id=f"c{n}", doc_id=document.doc_id, ordinal=n, text="Texte.", pages=[1], heading_path=[],
                        char_start=0, char_end=6, content_sha256=f"c{n}")
    return Passage(chunk=chunk, document=document, score=0.5, rank=n)


def main(home: Path) -> None:
    log = InteractionLog(home, env={"GARANT_LOG_SALT": "sel-kill"})
    log.start()
    n = 0
    while True:
        answer = Answer(question=f"Question {n} de Mme Durand ?", lang="fr", text="Réponse. [1]",
                        retrieved=[passage(n), passage(n + 1)],
                        sentences=[AnswerSentence(text="Réponse.", sources=[1], support=0.7, model_sources=[1], status="supported")],
                        prompt_version="p@1", model={"name": "fake"}, index_version="v1")
        log.record(answer, f"session-{n % 5}", "h", "c")
        sys.stdout.write(f"a {answer.id}\n")
        sys.stdout.flush()
        if n % 3 == 0:
            feedback = log.add_feedback(answer.id, f"session-{n % 5}", rating=-1, category="incorrect")
            sys.stdout.write(f"f {feedback}\n")
            sys.stdout.flush()
        n += 1


if __name__ == "__main__":
    main(Path(sys.argv[1]))
