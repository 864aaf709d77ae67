"""What the evaluation runs and benchmarks record about where they ran, and how benchmarks
publish their figures (bench-results/NAME-DATE.json plus a Markdown table on stdout)."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    """CPU model, cores and Python of this machine."""
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def publish_bench(name: str, result: dict[str, Any]) -> None:
    """Write a benchmark's figures to bench-results/ and print them as a Markdown table."""
    out = Path("bench-results")
    out.mkdir(exist_ok=True)
    (out / f"{name}-{result['date'][:10]}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print("| measure | value |\n|---|---|")
    for key, value in result.items():
        if key != "machine":
            print(f"| {key} | {value} |")
    host = result["machine"]
    print(f"| machine | {host['cpu']}, {host['cores']} cores, Python {host['python']} |")
