"""Child-process entry point that reads ONE file: extract, clean, chunk, print JSON.

Run by `ingest.sandbox` under time and memory limits, so a hostile or broken file can
only take this process down, never the ingest. Usage:
`python -m ingest.worker FILE MAX_CHARS OVERLAP_CHARS [MEMORY_MB CPU_S]`.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from dataclasses import asdict
from pathlib import Path


def main(argv: list[str]) -> int:
    """Print one JSON object on stdout: {"ok": true, ...} or {"ok": false, "reason_fr", "reason_en"}."""
    if len(argv) >= 5:
        # limits first, before any parser code runs
        memory = int(argv[3]) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu = int(argv[4])
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        os.nice(5)
    from ingest.chunking import chunk_blocks
    from ingest.cleaning import clean_blocks
    from ingest.extract import extract_file
    from ingest.extract.errors import ExtractionError

    path, max_chars, overlap = Path(argv[0]), int(argv[1]), int(argv[2])
    try:
        extracted = extract_file(path)
        blocks = clean_blocks(extracted.blocks)
        drafts = chunk_blocks(blocks, max_chars=max_chars, overlap_chars=overlap)
        if not drafts:  # only control or invisible characters: nothing left once cleaned
            raise ExtractionError(
                f"Aucun texte lisible dans {path.name} une fois les caractères de contrôle retirés ; vérifiez le fichier.",
                f"No readable text in {path.name} once control characters are removed; check the file.",
            )
    except ExtractionError as exc:
        out = {"ok": False, "reason_fr": exc.reason_fr, "reason_en": exc.reason_en}
    else:
        out = {
            "ok": True,
            "page_count": extracted.page_count,
            "front_matter": extracted.front_matter,
            "warnings": extracted.warnings,
            "first_heading": next((b.heading_path[0] for b in blocks if b.heading_path), None),
            "text_sample": " ".join(b.text for b in blocks[:20])[:4000],
            "chunks": [asdict(d) for d in drafts],
        }
    sys.stdout.write(json.dumps(out, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
