"""How well the probe's scores separate answerable from unanswerable questions.

usage: analyse.py SCORES_JSONL RESULTS_JSONL [SCORES RESULTS ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from evaluation.metrics import fold  # noqa: E402


def auc(positive: list[float], negative: list[float]) -> float:
    """Probability that an answerable question scores above an unanswerable one."""
    if not positive or not negative:
        return float("nan")
    return sum((p > n) + 0.5 * (p == n) for p in positive for n in negative) / len(positive) / len(negative)


def main(args: list[str]) -> None:
    records = []
    for scores, results in zip(args[::2], args[1::2], strict=True):
        facts = {}
        for line in Path(results).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            question, answer = row["question"], row["answer"]
            text = fold(answer["text"])
            facts[row["id"]] = question["answerable"] and not answer["refused"] and all(
                any(fold(v) in text for v in group) for group in question["expected_keywords"])
        for line in Path(scores).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            records.append({**record, "facts": facts[record["id"]]})
    for key in ("j1", "j2"):
        rows = [r for r in records if r[key] is not None]
        positive = [r[key] for r in rows if r["answerable"]]
        negative = [r[key] for r in rows if not r["answerable"]]
        print(f"{key}: n={len(rows)} answerable={len(positive)} (facts {sum(r['facts'] for r in rows)}) "
              f"unanswerable={len(negative)} AUC={auc(positive, negative):.3f}")
        for lang in ("fr", "en"):
            p = [r[key] for r in rows if r["answerable"] and r["lang"] == lang]
            n = [r[key] for r in rows if not r["answerable"] and r["lang"] == lang]
            print(f"   {lang}: {len(p)}/{len(n)} AUC={auc(p, n):.3f}")
        for threshold in sorted({round(x, 1) for x in negative}):
            caught = sum(x < threshold for x in negative)
            lost = [r for r in rows if r["answerable"] and r[key] < threshold]
            print(f"   below {threshold:5.1f}: unanswerable refused {caught}/{len(negative)}, answerable refused {len(lost)} "
                  f"(with their facts {sum(r['facts'] for r in lost)})")


if __name__ == "__main__":
    main(sys.argv[1:])
