"""Which int8 quantisation of a trained encoder reads like its fp32 encoder on this CPU.

    .venv/bin/python bench/quantisation.py --trained models/runs/RUN [--split dev]

onnxruntime's u8s8 kernels can saturate 16-bit intermediate sums on x86 CPUs with AVX2 but no
VNNI, so an int8 model may score differently there than on a VNNI machine. This quantises the
run's `encoder.fp32.onnx` four ways (the export's s8 weights, s8 with 7-bit range, u8 weights, and
per-channel 7-bit s8) and scores each, and fp32, on a split with `zhengce evaluate`'s measures.
Choose on dev; run it on each kind of CPU the model will serve.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.corpus import read_jsonl  # noqa: E402
from pipeline.evaluation import evaluate  # noqa: E402
from pipeline.model.quantise import quantise_encoder  # noqa: E402
from pipeline.run import extractor_stage  # noqa: E402

VARIANTS: dict[str, dict[str, Any]] = {
    "s8": {},
    "s8 reduce_range": {"reduce_range": True},
    "u8": {"weight_type": "QUInt8"},
    "s8 per_channel reduce_range": {"per_channel": True, "reduce_range": True},
}


def _model_folder(trained: Path, folder: Path, options: dict[str, Any] | None) -> None:
    """`folder` as a model folder whose `encoder.onnx` is the fp32 encoder or a quantisation of it."""
    folder.mkdir(parents=True)
    for file in trained.iterdir():
        if file.is_file() and (file.suffix == ".json" or file.name == "relation.onnx"):
            shutil.copy(file, folder / file.name)
    fp32 = trained / "encoder.fp32.onnx"
    if options is None:
        shutil.copy(fp32, folder / "encoder.onnx")
        return
    quantise_encoder(fp32, folder / "encoder.onnx", **options)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--trained", type=Path, required=True, help="zhengce train output with encoder.fp32.onnx"
    )
    parser.add_argument("--split", choices=["train", "dev", "test"], default="dev")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    args = parser.parse_args()
    if not (args.trained / "encoder.fp32.onnx").is_file():
        parser.error(f"{args.trained}: no encoder.fp32.onnx (the folder `zhengce train -o` wrote)")
    records = read_jsonl(args.corpus / f"{args.split}.jsonl")
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, options in [("fp32", None), *VARIANTS.items()]:
            folder = Path(tmp) / name.replace(" ", "-")
            _model_folder(args.trained, folder, options)
            report = evaluate(extractor_stage("model", folder), records)
            summary = report.as_dict()
            results[name] = {
                "characters_per_second": summary["characters_per_second"],
                "entities": round(report.entities.f1, 4),
                "relations": round(report.relations.f1, 4),
                "measures": round(report.measures.f1, 4),
            }
            print(name, results[name], file=sys.stderr, flush=True)
    print(json.dumps({"split": args.split, "variants": results}, indent=2))


if __name__ == "__main__":
    main()
