"""`make bench-ingest`: cold ingest of a corpus against the embedding-only limit.

Measures, in a temporary data folder: the cold ingest (pages/s, chunks/s, total), the
embedding-only throughput on the very same chunk texts (the limit the pipeline can
approach), their ratio, and the time of a re-sync of the unchanged corpus. Prints a
Markdown table and writes JSON to bench-results/ with the machine's description.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from assistant.engines.embedder import build_embedder
from assistant.index.store import embedding_text
from assistant.index.versions import IndexRepository
from assistant.offline import enforce_offline
from assistant.settings import load_settings
from evaluation.machine import machine, publish_bench
from ingest.pipeline import Ingestor


def main(argv: list[str]) -> int:
    """Run the benchmark on the folder given (default corpus/)."""
    enforce_offline()
    folder = Path(argv[0] if argv else "corpus")
    with tempfile.TemporaryDirectory(prefix="garant-bench-") as tmp:
        settings = load_settings(env={**os.environ, "GARANT_HOME": tmp})
        # cold ingest (the embedder load is part of it, as for a real first ingest)
        started = time.perf_counter()
        ingestor = Ingestor(settings, lambda: build_embedder(settings.embedder))
        report = ingestor.sync(folder)
        cold_s = time.perf_counter() - started
        version = IndexRepository(settings.index_dir).open_current()
        titles = {d.doc_id: d.title for d in version.store.documents()}
        texts = [embedding_text(titles[c.doc_id], c.heading_path, c.text) for c in version.store.iter_chunks()]
        version.close()
        # embedding-only: same texts, same batch size, model already loaded (best case)
        embedder = ingestor.embedder
        batch = settings.ingest.embed_batch
        started = time.perf_counter()
        for i in range(0, len(texts), batch):
            embedder.embed_passages(texts[i : i + batch])
        embed_only_s = time.perf_counter() - started
        # re-sync of the unchanged corpus, three times
        resyncs = []
        for _ in range(3):
            started = time.perf_counter()
            again = Ingestor(settings, lambda: build_embedder(settings.embedder)).sync(folder)
            resyncs.append(time.perf_counter() - started)
            assert again.chunks_embedded == 0 and not again.changed
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), "corpus": str(folder),
        "embedder": settings.embedder.kind, "files": len(report.added), "failed": len(report.failed),
        "pages": report.pages, "chunks": len(texts), "cold_s": round(cold_s, 2),
        "cold_pages_per_s": round(report.pages / cold_s, 2), "cold_chunks_per_s": round(len(texts) / cold_s, 2),
        "cold_embedding_s": round(report.seconds_embedding, 2), "cold_waiting_for_parse_s": round(report.seconds_waiting_for_parse, 2),
        "embedding_only_s": round(embed_only_s, 2), "embedding_only_chunks_per_s": round(len(texts) / embed_only_s, 2),
        "ratio_cold_to_embedding_only": round(embed_only_s / cold_s, 3),
        "resync_unchanged_s_median": round(statistics.median(resyncs), 3),
        "command": "make bench-ingest",
    }
    publish_bench("ingest", result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
