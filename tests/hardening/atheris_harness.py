"""Coverage-guided fuzzing of the text loaders, cleaning, chunking and redaction with atheris.

Run by tests/hardening/test_fuzz.py in a child process (libFuzzer exits the process when it
is done): `python tests/hardening/atheris_harness.py CORPUS_DIR -runs=N -max_total_time=S`.
Any exception but ExtractionError is a crash; libFuzzer then exits non-zero and writes the
input to the artifact prefix.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["assistant", "ingest"]):  # our code; not the libraries it imports
    from assistant.governance.redaction import redact
    from ingest.chunking import chunk_blocks
    from ingest.cleaning import clean_blocks
    from ingest.extract import extract_file
    from ingest.extract.errors import ExtractionError

# Where each input is written to be read back; `main` sets it (the test gives a folder it removes).
SCRATCH = Path()
SUFFIXES = [".md", ".html", ".txt"]


def one_input(data: bytes) -> None:
    """Read `data` as each text format, clean and chunk it, and redact its text."""
    provider = atheris.FuzzedDataProvider(data)
    suffix = SUFFIXES[provider.ConsumeIntInRange(0, len(SUFFIXES) - 1)]
    payload = provider.ConsumeBytes(provider.remaining_bytes())
    path = SCRATCH / f"input{suffix}"
    path.write_bytes(payload)
    try:
        extracted = extract_file(path)
    except ExtractionError:
        return
    blocks = clean_blocks(extracted.blocks)
    for chunk in chunk_blocks(blocks, max_chars=300, overlap_chars=40):
        assert chunk.text.strip() and len(chunk.text) <= 300
        out, _ = redact(chunk.text)
        assert redact(out)[0] == out


def main() -> None:
    global SCRATCH  # noqa: PLW0603 - one folder for the whole run, read by every input
    SCRATCH = Path(os.environ.get("GARANT_FUZZ_SCRATCH") or tempfile.mkdtemp(prefix="garant-atheris-"))
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
