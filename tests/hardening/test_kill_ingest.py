"""kill -9 of an ingest at random points (hypothesis chooses when): the index in service stays
valid (`garant-ingest verify`), answers the same questions with the same sources when CURRENT
still names the previous version, and the next `garant-ingest sync` completes and cleans up.

The ingests are the real CLI in a subprocess with the hash embedder; each example starts from
the same indexed corpus (copied back at the same paths, since documents are known by path).
The kill comes at a fraction (0 to 1.2) of the time one whole ingest takes on this machine,
measured first, so kills land from start-up to after publication however loaded the CPU is.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from assistant.engines.embed_hash import HashEmbedder
from assistant.index.versions import IndexRepository
from assistant.settings import load_settings
from ingest.inventory import pending_changes, verify
from ingest.pipeline import Ingestor

QUESTIONS = [
    "Quel est le délai de traitement d'une réclamation ?",
    "Qui préside le comité de pilotage IA ?",
    "Combien de temps sont conservés les journaux d'accès ?",
]
BASE = {
    "reclamations.md": "# Réclamations\n\nLe délai de traitement d'une réclamation est de 15 jours ouvrés après réception du courrier.\n",
    "comite.md": "# Comité\n\nLe comité de pilotage IA est présidé par le directeur général et se réunit une fois par trimestre.\n",
    "journaux.md": "# Journaux\n\nLes journaux d'accès au dossier patient sont conservés pendant six mois puis archivés.\n",
    "hygiene.md": "# Hygiène\n\nLe lavage des mains dure au moins 30 secondes avec une solution hydroalcoolique.\n",
    "astreinte.md": "# Astreinte\n\nL'astreinte informatique est joignable au poste 4455 les nuits et week-ends.\n",
}
# A fresh process runs `garant-ingest verify` (its CLI body), then answers every question in
# degraded mode (retrieval only, as `garant ask --no-llm`) and prints the source chunk ids.
CHECK = """
import contextlib, io, json, sys
from assistant.cli_support import run
from ingest.cli import main as ingest_cli
printed = io.StringIO()
with contextlib.redirect_stdout(printed):
    verify_code = run(ingest_cli, ["verify"])
from assistant.services import build_services
from assistant.settings import load_settings
services = build_services(load_settings())
try:
    answers = {q: [p["chunk_id"] for p in services.answerer.answer(q, no_llm=True).as_dict()["retrieved"]] for q in json.loads(sys.argv[1])}
finally:
    services.close()
print(json.dumps({"verify": verify_code, "verify_output": printed.getvalue(), "answers": answers}))
"""


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "GARANT_HOME": str(home), "GARANT__EMBEDDER__KIND": "hash", "GARANT_LANG": "en"}


def _check(home: Path) -> dict[str, list[str]]:
    """`garant-ingest verify` passes; the source chunk ids of every question."""
    done = subprocess.run([sys.executable, "-c", CHECK, json.dumps(QUESTIONS)], env=_env(home),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    result = json.loads(done.stdout)
    assert result["verify"] == 0, result["verify_output"] + done.stderr
    return result["answers"]


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ingest", *args], env=_env(home), capture_output=True, text=True, timeout=300)


def _change(corpus: Path) -> None:
    """An edit that moves the sources of every question: documents added, changed and removed."""
    (corpus / "reclamations.md").write_text(
        "# Réclamations\n\nLe délai de traitement d'une réclamation est désormais de 10 jours ouvrés après réception.\n", encoding="utf-8")
    (corpus / "journaux.md").unlink()
    for index in range(2):
        (corpus / f"note-{index}.md").write_text(
            f"# Note {index}\n\nLe comité de pilotage IA publie la note {index} sur les journaux et les réclamations.\n"
            + "Texte de la note de service, sans autre information. " * 40, encoding="utf-8")


def test_kill_9_of_an_ingest_at_any_moment_leaves_a_valid_index_answering_the_same(tmp_path: Path) -> None:
    work, template = tmp_path / "work", tmp_path / "template"
    corpus, home = work / "corpus", work / "home"
    corpus.mkdir(parents=True)
    for name, text in BASE.items():
        (corpus / name).write_text(text, encoding="utf-8")
    base_settings = load_settings(env={"GARANT_HOME": str(home), "GARANT__EMBEDDER__KIND": "hash"})
    Ingestor(base_settings, HashEmbedder).sync(corpus)
    base_version = IndexRepository(base_settings.index_dir).current_id()
    baseline = _check(home)
    assert all(baseline.values())
    shutil.copytree(work, template)
    # how long one whole ingest of the change takes here
    _change(corpus)
    started = time.monotonic()
    assert _cli(home, "sync", str(corpus)).returncode == 0
    whole = time.monotonic() - started
    outcomes: list[str] = []

    @settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(fraction=st.floats(min_value=0.0, max_value=1.2))
    def kill_at(fraction: float) -> None:
        # the indexed corpus, at the same paths
        shutil.rmtree(work)
        shutil.copytree(template, work)
        settings_ = load_settings(env={"GARANT_HOME": str(home), "GARANT__EMBEDDER__KIND": "hash"})
        repo = IndexRepository(settings_.index_dir)
        _change(corpus)
        ingest = subprocess.Popen([sys.executable, "-m", "ingest", "sync", str(corpus)], env=_env(home),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(fraction * whole)
        ingest.send_signal(signal.SIGKILL)
        ingest.wait(60)
        current = repo.current_id()
        outcome = "finished" if ingest.returncode == 0 else "interrupted" if current == base_version else "killed-after-publish"
        note(f"kill after {fraction * whole:.2f} s of {whole:.2f}: {outcome}, leftovers {repo.leftovers()}")
        outcomes.append(outcome)

        # the index in service is valid and answers: the same sources when it is still the previous version
        answers = _check(home)
        if current == base_version:
            assert answers == baseline
        else:
            assert all(answers.values()) and answers != baseline

        # the next sync completes, cleans what the killed one left, and the index matches the corpus
        synced = _cli(home, "sync", str(corpus))
        assert synced.returncode == 0, synced.stdout + synced.stderr
        assert repo.leftovers() == [] and not list(settings_.index_dir.glob(".CURRENT.*"))
        assert verify(settings_)[0] == []
        assert pending_changes(settings_, corpus) == {"new": [], "changed": [], "removed": []}
        assert repo.current_id() != base_version

    kill_at()
    assert "interrupted" in outcomes, f"no kill landed during an ingest: {outcomes}"
    print(f"kill -9 outcomes (whole ingest {whole:.1f} s):", {o: outcomes.count(o) for o in set(outcomes)})
