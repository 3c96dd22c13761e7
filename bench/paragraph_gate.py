"""The paragraph gate on the dev and test notices (never fitted on): the share of the text the
encoder is spared, the gold entities in the paragraphs it skips, by label, and the gate's own time.

    .venv/bin/python bench/paragraph_gate.py [--model models/ner]

The extractor reads a paragraph when the pattern extractor finds something in it or the gate keeps
it; this script applies exactly that rule (pipeline.model.gate.paragraphs_to_read) to the gold
annotation, so what it counts as lost is what no model reading could have found.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.corpus import documents  # noqa: E402
from pipeline.corpus.build import load_split  # noqa: E402
from pipeline.corpus.convert import records_to_document  # noqa: E402
from pipeline.model.features import pattern_hints  # noqa: E402
from pipeline.model.gate import GATE_FILE, ParagraphGate, paragraphs_to_read  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "ner")
    args = parser.parse_args()
    gate = ParagraphGate.load(args.model / GATE_FILE)
    results: dict[str, object] = {"threshold": gate.threshold}
    for split in ("dev", "test"):
        notices, entities, chars, skipped_chars, paragraphs, skipped = 0, 0, 0, 0, 0, 0
        lost: Counter[str] = Counter()
        gate_seconds = 0.0
        for doc, records in documents(load_split(ROOT / "corpus", split)):
            notices += 1
            text = records_to_document(doc, records).text
            hints = pattern_hints(text)
            started = time.perf_counter()
            read = [kept for _, _, kept in paragraphs_to_read(text, hints, gate)]
            gate_seconds += time.perf_counter() - started
            for record, kept in zip(records, read, strict=True):
                entities += len(record.spans)
                chars += len(record.text)
                paragraphs += 1
                if not kept:
                    skipped += 1
                    skipped_chars += len(record.text)
                    lost.update(s.label for s in record.spans)
        results[split] = {
            "notices": notices,
            "paragraphs": paragraphs,
            "paragraphs_skipped": skipped,
            "characters_skipped_share": round(skipped_chars / chars, 4),
            "gold_entities": entities,
            "gold_entities_in_skipped_paragraphs": sum(lost.values()),
            "lost_by_label": dict(lost),
            "gate_ms_per_10k_characters": round(1e4 * 1e3 * gate_seconds / chars, 2),
        }
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
