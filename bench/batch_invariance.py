"""Does batching change a row's encoder output? The int8 and fp32 encoders of a trained model.

For 48 corpus paragraphs, each row alone is compared with the same row (1) among 7 others of the
same width, (2) padded 37 positions wider, (3) in a batch of 17 rows of other lengths. int8's
dynamic quantisation takes one scale per tensor, so its rows move with their company; the service
batches across requests only with an encoder whose rows do not.

    .venv/bin/python bench/batch_invariance.py --model models/ner
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort

from pipeline.model.features import CharVocab
from pipeline.run import ENCODER_FILES

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, required=True)
    args = parser.parse_args()
    vocab = CharVocab.load(args.model / "char_vocab.json")
    paragraphs = [
        line[:150]
        for path in sorted((ROOT / "corpus" / "notices").glob("*.txt"))[:20]
        for line in path.read_text(encoding="utf-8").split("\n")
        if len(line.strip()) > 10
    ][:96]

    def encode(texts: list[str], width: int | None = None) -> dict[str, np.ndarray]:
        width = width or max(len(t) for t in texts) + 2
        ids = np.zeros((len(texts), width), np.int64)
        mask = np.zeros_like(ids)
        for row, text in enumerate(texts):
            ids[row, : len(text) + 2] = [vocab.cls, *vocab.encode(text), vocab.sep]
            mask[row, : len(text) + 2] = 1
        return {"input_ids": ids, "attention_mask": mask, "hint_ids": np.zeros_like(ids)}

    report = {}
    for precision, file in ENCODER_FILES.items():
        session = ort.InferenceSession(str(args.model / file), providers=["CPUExecutionProvider"])
        names = {i.name for i in session.get_inputs()}

        def probs(
            feeds: dict[str, np.ndarray], session: ort.InferenceSession = session, names: set[str] = names
        ) -> np.ndarray:
            return np.asarray(session.run(["tag_probs"], {k: v for k, v in feeds.items() if k in names})[0])

        cases: dict[str, list[float]] = {"same_width_company": [], "wider_padding": [], "mixed_batch": []}
        for i, text in enumerate(paragraphs[:48]):
            n = len(text) + 2
            alone = probs(encode([text]))[0]
            company = [other[: len(text)].ljust(len(text), "。") for other in paragraphs[i + 1 : i + 8]]
            cases["same_width_company"].append(
                float(np.abs(probs(encode([text, *company]))[0] - alone).max())
            )
            cases["wider_padding"].append(
                float(np.abs(probs(encode([text], width=n + 37))[0][:n] - alone).max())
            )
            mixed = probs(encode([text, *paragraphs[i + 8 : i + 24]]))[0][:n]
            cases["mixed_batch"].append(float(np.abs(mixed - alone).max()))
        report[precision] = {
            case: {
                "rows_changed": sum(d != 0.0 for d in diffs),
                "rows": len(diffs),
                "max_abs_diff": max(diffs),
            }
            for case, diffs in cases.items()
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
