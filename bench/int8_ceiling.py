"""How fast the int8 encoder could ever be against PyTorch on this CPU: where its time goes, and
the speed-up it would reach if everything but its integer matrix products took no time at all.

    .venv/bin/python bench/int8_ceiling.py [--model models/ner] [--trained models/runs/l14a] [--rounds 3]

Both engines read the test split's windows one call at a time on one thread, as each of the
extractor's threads does, taking turns in each round. PyTorch runs the same architecture in fp32
with eager and with SDPA attention, the faster counting; its weights are the training output's
(`--trained`) or else the base encoder's, which changes nothing for speed. onnxruntime's profiler
splits the int8 encoder's time by operator. Its integer matrix products are DynamicQuantizeMatMul
(attention output and feed-forward) and the query/key/value product inside QAttention, whose time
is estimated at DynamicQuantizeMatMul's rate per multiply-accumulate; the rest of QAttention is the
attention itself. The int8 kernel's own peak is measured on one large product (1,024 rows).

Two ceilings: PyTorch's time over the int8 encoder's matrix-product time alone (everything else
free), and over the time its multiply-accumulates would take at the kernel's large-product peak.
On a CPU without VNNI, onnxruntime's AVX2 int8 kernel does about twice the work per cycle of an
fp32 one; with VNNI (AVX512-VNNI, AVX-VNNI) it does more, and the ceilings rise.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.model_speed import encoder_inputs  # noqa: E402
from pipeline.corpus import documents  # noqa: E402
from pipeline.corpus.build import load_split  # noqa: E402
from pipeline.corpus.convert import records_to_document  # noqa: E402
from pipeline.model.extractor import ModelExtractor, open_encoder, session_options  # noqa: E402
from pipeline.model.quantise import quantise_encoder  # noqa: E402

INTEGER_PRODUCTS = ("DynamicQuantizeMatMul", "MatMulIntegerToFloat", "MatMulInteger")


def kernel_peak(rows: int, inner: int, outer: int, repeat: int = 20) -> float:
    """Multiply-accumulates per second of the int8 encoder's matrix product (dynamically quantised
    activations, int8 weights, as `quantise_encoder` makes it) on one thread, `rows` × `inner` by
    `inner` × `outer`."""
    rng = np.random.default_rng(0)
    weight = numpy_helper.from_array(rng.standard_normal((inner, outer)).astype(np.float32), "weight")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "weight"], ["y"])],
        "product",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["rows", inner])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["rows", outer])],
        [weight],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with tempfile.TemporaryDirectory() as tmp:
        fp32, int8 = Path(tmp) / "product.fp32.onnx", Path(tmp) / "product.onnx"
        onnx.save(model, fp32)
        quantise_encoder(fp32, int8)
        session = ort.InferenceSession(str(int8), session_options(1), providers=["CPUExecutionProvider"])
    x = rng.standard_normal((rows, inner)).astype(np.float32)
    session.run(None, {"x": x})
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        session.run(None, {"x": x})
        times.append(time.perf_counter() - started)
    return rows * inner * outer / min(times)


def profile_by_operator(model: Path, batches: list[dict[str, np.ndarray]]) -> dict[str, float]:
    """Seconds per operator type of one pass over the windows, by onnxruntime's profiler."""
    options = session_options(1)
    options.enable_profiling = True
    with tempfile.TemporaryDirectory() as tmp:
        options.profile_file_prefix = str(Path(tmp) / "encoder")
        session = ort.InferenceSession(
            str(model),
            options,
            providers=["CPUExecutionProvider"],
            disabled_optimizers=["SkipLayerNormFusion"],
        )
        for feeds in batches:
            session.run(None, feeds)
        events = json.loads(Path(session.end_profiling()).read_text(encoding="utf-8"))
    seconds: dict[str, float] = {}
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            op = event["args"]["op_name"]
            seconds[op] = seconds.get(op, 0.0) + event["dur"] / 1e6
    return dict(sorted(seconds.items(), key=lambda item: -item[1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "ner")
    parser.add_argument("--trained", type=Path, help="training output with torch_weights.pt")
    parser.add_argument("--base", type=Path, help="base encoder folder, where the options' path is not here")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import torch

    from pipeline.model.train import TaggerWithRelations, TrainOptions, _encoder

    texts = [records_to_document(d, rs).text for d, rs in documents(load_split(ROOT / "corpus", "test"))]
    batches = encoder_inputs(ModelExtractor(args.model, threads=1), texts)
    tokens = sum(feeds["attention_mask"].size for feeds in batches)
    pairs = sum(feeds["attention_mask"].shape[1] ** 2 for feeds in batches)

    options = TrainOptions.model_validate_json(
        (args.model / "train_options.json").read_text(encoding="utf-8")
    )
    if args.base:
        options.base = args.base
    torch.set_num_threads(1)
    models = {}
    for attention in ("eager", "sdpa"):
        encoder, config = _encoder(options, attention)
        model = TaggerWithRelations(encoder, config)
        if args.trained:
            model.load_state_dict(torch.load(args.trained / "torch_weights.pt", weights_only=True))
        models[attention] = model.eval()
    hidden, inner, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    torch_inputs = [
        tuple(torch.from_numpy(feeds[k]) for k in ("input_ids", "attention_mask", "hint_ids"))
        for feeds in batches
    ]
    int8 = open_encoder(args.model / "encoder.onnx", 1, ["CPUExecutionProvider"])

    def run_int8() -> None:
        for feeds in batches:
            int8.run(None, feeds)

    def run_torch(model: torch.nn.Module) -> None:
        with torch.inference_mode():
            for window in torch_inputs:
                model(*window)

    runs = {
        "onnx_int8": run_int8,
        "torch_fp32_eager": lambda: run_torch(models["eager"]),
        "torch_fp32_sdpa": lambda: run_torch(models["sdpa"]),
    }
    for run in runs.values():
        run()
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - started)
    int8_s = statistics.median(seconds["onnx_int8"])
    torch_s = min(
        statistics.median(seconds["torch_fp32_eager"]), statistics.median(seconds["torch_fp32_sdpa"])
    )

    by_operator = profile_by_operator(args.model / "encoder.onnx", batches)
    profiled = sum(by_operator.values())
    qkv_macs = tokens * layers * 3 * hidden * hidden
    other_macs = tokens * layers * (hidden * hidden + 2 * hidden * inner)
    product_s = sum(s for op, s in by_operator.items() if op in INTEGER_PRODUCTS)
    rate = other_macs / product_s
    qkv_s = min(qkv_macs / rate, by_operator.get("QAttention", 0.0))
    integer_products_s = (product_s + qkv_s) * int8_s / profiled  # profiled → unprofiled time
    peak = kernel_peak(1024, hidden, inner)
    results = {
        "cpu_threads": 1,
        "windows": len(batches),
        "tokens": tokens,
        "seconds": seconds,
        "speedup_measured": torch_s / int8_s,
        "int8_seconds_by_operator": {op: round(s, 3) for op, s in by_operator.items() if s >= 0.005},
        "int8_share_in_integer_products": integer_products_s / int8_s,
        "int8_share_in_attention_core": (by_operator.get("QAttention", 0.0) - qkv_s) / profiled,
        "int8_integer_product_macs_per_s": (qkv_macs + other_macs) / integer_products_s,
        "int8_kernel_peak_macs_per_s": peak,
        "attention_core_macs": layers * 2 * hidden * pairs,
        "ceiling_everything_else_free": torch_s / integer_products_s,
        "ceiling_at_kernel_peak": torch_s / ((qkv_macs + other_macs) / peak),
        "machine": _machine(),
    }
    print(json.dumps(results, indent=2))


def _machine() -> dict[str, object]:
    """The CPU's model name and whether it has VNNI, the int8 dot-product instructions."""
    lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    info = {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}
    return {"cpu": info.get("model name", os.uname().machine), "vnni": "vnni" in info.get("flags", "")}


if __name__ == "__main__":
    main()
