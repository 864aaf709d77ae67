"""Probe (dropped): the shipped model's yes/no judgment of whether the passages answer.

usage: probe.py RESULTS_JSONL DATASET_JSONL OUT_JSONL  (run from the repository, GARANT_HOME set or .garant)
For each question of a with-model evaluation run that was not refused, rebuild the prompt with the
current code and record the log-odds of « OUI » against « NON » (YES/NO in English) on the model's
next token: `j1` for a separate judging prompt, `j2` after the model's own answer of that run.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
os.environ.setdefault("GARANT_HOME", ".garant")

J1_SYSTEM = {
    "fr": "Tu vérifies des extraits de documents. On te donne des extraits et une question. Réponds OUI si les extraits donnent "
    "explicitement la réponse précise à cette question, pour le sujet exact qu'elle vise ; réponds NON s'ils parlent d'autre chose, "
    "d'un sujet voisin ou d'une autre valeur. Réponds par un seul mot : OUI ou NON.",
    "en": "You check document excerpts. You are given excerpts and a question. Answer YES if the excerpts explicitly give the precise "
    "answer to this question, for the exact subject it asks about; answer NO if they are about something else, a neighbouring subject "
    "or another value. Answer with one word: YES or NO.",
}
J2_USER = {
    "fr": "Vérification : les extraits donnent-ils explicitement cette réponse, pour le sujet exact de la question (et non pour un sujet "
    "voisin) ? Réponds par un seul mot : OUI ou NON.",
    "en": "Check: do the excerpts explicitly give this answer, for the exact subject of the question (not a neighbouring one)? "
    "Answer with one word: YES or NO.",
}
YES_WORDS = {"fr": ["OUI", "Oui", " OUI", " Oui"], "en": ["YES", "Yes", " YES", " Yes"]}
NO_WORDS = {"fr": ["NON", "Non", " NON", " Non"], "en": ["NO", "No", " NO", " No"]}
ASSISTANT = "<|im_start|>assistant\n"


def chatml(messages: list[tuple[str, str]]) -> str:
    """The Qwen chat template, ending where the assistant speaks."""
    return "".join(f"<|im_start|>{role}\n{content}<|im_end|>\n" for role, content in messages) + ASSISTANT


def main(results: str, dataset: str, out_path: str) -> None:
    import llama_cpp

    from assistant.engines.model_file import verified_model_path
    from assistant.services import build_services
    from assistant.settings import load_settings

    settings = load_settings()
    services = build_services(settings)
    path, _ = verified_model_path(settings.llm, settings.models_dir)
    llm = llama_cpp.Llama(model_path=str(path), n_ctx=settings.llm.n_ctx, n_threads=2, n_threads_batch=2, verbose=False)
    vocab = llm.n_vocab()

    def first_tokens(words: list[str]) -> list[int]:
        return sorted({llm.tokenize(word.encode(), add_bos=False, special=False)[0] for word in words})

    yes = {lang: first_tokens(words) for lang, words in YES_WORDS.items()}
    no = {lang: first_tokens(words) for lang, words in NO_WORDS.items()}

    def log_odds(text: str, lang: str) -> float:
        llm.reset()
        llm.eval(llm.tokenize(text.encode(), add_bos=False, special=True))
        logits = np.ctypeslib.as_array(llm._ctx.get_logits_ith(-1), shape=(vocab,)).astype(np.float64)  # noqa: SLF001
        top = logits.max()
        return float(np.log(np.exp(logits[yes[lang]] - top).sum()) - np.log(np.exp(logits[no[lang]] - top).sum()))

    questions = {row["id"]: row for row in map(json.loads, Path(dataset).read_text(encoding="utf-8").splitlines())}
    with open(out_path, "w", encoding="utf-8") as out:
        for line in Path(results).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            answer, question, lang = record["answer"], questions[record["id"]], record["lang"]
            if answer["refused"]:
                continue
            passages = services.retriever.search(question["question"], lang=lang)
            system, user = (m.content for m in services.answerer.prompt_messages(question["question"], passages, lang))
            started = time.time()
            judge_user = user.rsplit("\n", 1)[0] if user.rstrip().endswith(":") else user
            j1 = log_odds(chatml([("system", J1_SYSTEM[lang]), ("user", judge_user)]), lang)
            j2 = None
            if not answer["quoted_only"]:
                written = answer["text"].split(" Extrait du document")[0].split(" Document excerpt")[0]
                conversation = chatml([("system", system), ("user", user)]) + f"{written}<|im_end|>\n"
                j2 = log_odds(conversation + f"<|im_start|>user\n{J2_USER[lang]}<|im_end|>\n{ASSISTANT}", lang)
            out.write(json.dumps({"id": record["id"], "lang": lang, "answerable": question["answerable"],
                                  "category": question.get("category"), "quoted_only": answer["quoted_only"],
                                  "j1": j1, "j2": j2, "s": time.time() - started}) + "\n")
            out.flush()


if __name__ == "__main__":
    main(*sys.argv[1:4])
