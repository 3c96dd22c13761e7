"""Why the export keeps each residual Add apart from its LayerNorm: the int8 encoder of a training
output as exported (Add + LayerNormalization, read through `open_encoder`) against the same encoder
with onnxruntime's SkipLayerNormalization fusion, on this CPU.

    .venv/bin/python bench/skip_layer_norm.py --trained models/runs/l14a [--rounds 9]

The fused variant is the run's `encoder.fp32.onnx` passed through onnxruntime's transformer
optimizer with its default fusions and quantised as the export quantises. Both read the test
split's windows one call at a time on one thread, as each of the extractor's threads does; they
take turns in each round, so the machine's drift moves both alike. Prints characters/s (median of
the rounds) and how far apart their tag probabilities are.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.model_speed import encoder_inputs  # noqa: E402
from pipeline.corpus import documents  # noqa: E402
from pipeline.corpus.build import load_split  # noqa: E402
from pipeline.corpus.convert import records_to_document  # noqa: E402
from pipeline.model.extractor import ModelExtractor, open_encoder, session_options  # noqa: E402
from pipeline.model.quantise import quantise_encoder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trained", type=Path, required=True, help="zhengce train output")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    from onnxruntime.transformers.optimizer import optimize_model

    texts = [records_to_document(d, rs).text for d, rs in documents(load_split(ROOT / "corpus", "test"))]
    batches = encoder_inputs(ModelExtractor(args.trained, threads=1), texts)
    chars = sum(int(feeds["attention_mask"].sum()) - 2 for feeds in batches)
    cpu = ["CPUExecutionProvider"]
    with tempfile.TemporaryDirectory() as tmp:
        fused_fp32, fused_int8 = Path(tmp) / "fused.fp32.onnx", Path(tmp) / "fused.onnx"
        optimize_model(str(args.trained / "encoder.fp32.onnx"), model_type="bert").save_model_to_file(
            str(fused_fp32)
        )
        quantise_encoder(fused_fp32, fused_int8)
        sessions = {
            "add_and_layer_norm": open_encoder(args.trained / "encoder.onnx", 1, cpu),
            "skip_layer_norm": ort.InferenceSession(str(fused_int8), session_options(1), providers=cpu),
        }
    apart, fused = ([s.run(["tag_probs"], feeds)[0] for feeds in batches] for s in sessions.values())
    seconds: dict[str, list[float]] = {name: [] for name in sessions}
    for _ in range(args.rounds):
        for name, session in sessions.items():
            started = time.perf_counter()
            for feeds in batches:
                session.run(None, feeds)
            seconds[name].append(time.perf_counter() - started)
    results: dict[str, object] = {"characters": chars, "windows": len(batches)}
    for name, times in seconds.items():
        results[f"{name}_chars_per_s"] = chars / statistics.median(times)
        results[f"{name}_times"] = times
    pairs = list(zip(seconds["add_and_layer_norm"], seconds["skip_layer_norm"], strict=True))
    speedups = [fused_s / apart_s for apart_s, fused_s in pairs]
    results["speedup_per_round"] = speedups
    results["speedup"] = statistics.median(speedups)
    probabilities = list(zip(apart, fused, strict=True))
    results["max_tag_probability_difference"] = float(max(np.abs(a - f).max() for a, f in probabilities))
    results["same_best_tag_share"] = float(
        np.mean(np.concatenate([(a.argmax(-1) == f.argmax(-1)).ravel() for a, f in probabilities]))
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
