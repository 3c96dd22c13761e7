"""Model speed on this CPU: int8 ONNX against the same model in PyTorch, in one run; and the time
`zhengce ingest` takes on a 10-page digital notice with the model, and the share of it spent in the
encoder (the rest is reading the PDF, pattern hints, decoding and assembly).

    .venv/bin/python bench/model_speed.py --model models/ner [--trained models/runs/l14a]

PyTorch runs the model in fp32 with its SDPA attention (on this CPU a little faster than eager
attention, `bench/int8_ceiling.py`), with the weights of `--trained`, the training output that
still holds `torch_weights.pt` (the shipped folder holds only what inference needs); without it,
the same architecture with its base encoder's weights (the arithmetic, so the speed, does not
depend on the values). Characters/s are over the test split's notices, encoder only, in the
extractor's own windows and batches; each figure is the median of `--repeat` rounds after a
warm-up. Both engines get `--threads` CPU threads (2 by default) in each of two ways: as the
extractor reads, that many windows at once with one thread each; and one window at a time over all
the threads. Within a round every engine and way runs once, one after the other, so a change in the
machine's speed over minutes (a shared virtual machine's drifts by up to a third) moves both
engines alike; the speed-up is the median over rounds of the int8 model's best way against
PyTorch's best way in the same round.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.corpus import documents  # noqa: E402
from pipeline.corpus.build import load_split  # noqa: E402
from pipeline.corpus.convert import records_to_document  # noqa: E402
from pipeline.model.extractor import ModelExtractor, Session, open_encoder  # noqa: E402
from tests.readers.pdf_factory import make_notice_pdf  # noqa: E402


def encoder_inputs(extractor: ModelExtractor, texts: list[str]) -> list[dict[str, np.ndarray]]:
    """The encoder inputs the extractor would build for these texts (pattern hints included)."""
    from pipeline.model.features import PatternHints, pattern_hints, windows

    pieces: list[tuple[str, list[int]]] = []
    for text in texts:
        hints = pattern_hints(text) if extractor.pattern_hints else PatternHints.empty(len(text))
        pos = 0
        for paragraph in text.split("\n"):
            pieces += [
                (paragraph[w.start : w.end], hints.tags[pos + w.start : pos + w.end])
                for w in windows(len(paragraph), size=extractor.size, stride=extractor.stride)
            ]
            pos += len(paragraph) + 1
    pieces.sort(key=lambda piece: len(piece[0]))
    return [
        extractor._encode(
            [t for t, _ in pieces[i : i + extractor.batch_size]],
            [h for _, h in pieces[i : i + extractor.batch_size]],
        )
        for i in range(0, len(pieces), extractor.batch_size)
    ]


class _TimedSession:
    """The extractor's encoder session, timing the calls made to it: how much of an ingest the
    encoder takes, against reading the PDF, pattern hints, decoding and assembly. Calls overlap
    (windows are read in parallel), so the time is that of their union."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.calls: list[tuple[float, float, int]] = []  # start, end, characters read

    def run(self, output_names: list[str] | None, input_feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        started = time.perf_counter()
        mask = input_feed["attention_mask"]
        try:
            return self.session.run(output_names, input_feed)
        finally:
            # [CLS] and [SEP] are not characters read
            self.calls.append((started, time.perf_counter(), int(mask.sum()) - 2 * len(mask)))

    def seconds(self) -> float:
        total, reached = 0.0, float("-inf")
        for start, end, _ in sorted(self.calls):
            total += max(0.0, end - max(start, reached))
            reached = max(reached, end)
        return total

    def characters(self) -> int:
        return sum(characters for _, _, characters in self.calls)


def _timed_rounds(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """Seconds of each run in each of `repeat` rounds, after a warm-up; the runs take turns."""
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "ner")
    parser.add_argument("--trained", type=Path, help="training output with torch_weights.pt")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--batch-size", type=int, default=1, help="windows per encoder call (the extractor's default is 1)"
    )
    parser.add_argument("--no-gate", action="store_true", help="read every paragraph in the ingest")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for either engine")
    args = parser.parse_args()

    texts = [records_to_document(d, rs).text for d, rs in documents(load_split(ROOT / "corpus", "test"))]
    chars = sum(len(t) for t in texts)
    extractor = ModelExtractor(
        args.model, threads=args.threads, batch_size=args.batch_size, paragraph_gate=not args.no_gate
    )
    batches = encoder_inputs(extractor, texts)
    pool = ThreadPoolExecutor(args.threads)
    one_window_all_threads = open_encoder(args.model / "encoder.onnx", args.threads, ["CPUExecutionProvider"])

    def onnx_parallel() -> None:
        list(pool.map(lambda feeds: extractor.encoder.run(None, feeds), batches))

    def onnx_serial() -> None:
        for feeds in batches:
            one_window_all_threads.run(None, feeds)

    results: dict[str, object] = {"characters": chars, "threads": args.threads}
    runs: dict[str, Callable[[], object]] = {
        "onnx_int8_windows_in_parallel": onnx_parallel,
        "onnx_int8_one_window_at_a_time": onnx_serial,
    }
    import torch

    from pipeline.model.train import TaggerWithRelations, TrainOptions, _encoder

    options_file = (args.trained or args.model) / "train_options.json"
    options = TrainOptions.model_validate_json(options_file.read_text(encoding="utf-8"))
    model = TaggerWithRelations(*_encoder(options, attention="sdpa"))
    if args.trained:
        model.load_state_dict(torch.load(args.trained / "torch_weights.pt", weights_only=True))
    model.eval()
    inputs = [
        tuple(torch.from_numpy(feeds[k]) for k in ("input_ids", "attention_mask", "hint_ids"))
        for feeds in batches
    ]

    @torch.inference_mode()
    def torch_window(window: tuple[torch.Tensor, ...]) -> None:
        model(*window)

    def torch_parallel() -> None:
        torch.set_num_threads(1)
        list(pool.map(torch_window, inputs))

    def torch_serial() -> None:
        torch.set_num_threads(args.threads)
        for window in inputs:
            torch_window(window)

    runs["torch_fp32_windows_in_parallel"] = torch_parallel
    runs["torch_fp32_one_window_at_a_time"] = torch_serial

    times = _timed_rounds(runs, args.repeat)
    for name, seconds in times.items():
        results[f"{name}_chars_per_s"] = chars / statistics.median(seconds)
        results[f"{name}_times"] = seconds
    ratios = [
        min(times["torch_fp32_windows_in_parallel"][i], times["torch_fp32_one_window_at_a_time"][i])
        / min(times["onnx_int8_windows_in_parallel"][i], times["onnx_int8_one_window_at_a_time"][i])
        for i in range(args.repeat)
    ]
    results["speedup_per_round"] = ratios
    results["speedup"] = statistics.median(ratios)

    # A 10-page digital notice through the whole pipeline with the model.
    from pipeline.extract.assemble import Assembler
    from pipeline.run import MetadataStage, Pipeline

    timed = _TimedSession(extractor.encoder)
    extractor.encoder = timed
    pipeline = Pipeline([MetadataStage(), extractor, Assembler()])
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "notice.pdf"
        paragraphs = "\n".join(texts).split("\n")
        pages = 0
        while pages < 10:
            paragraphs *= 2
            pages = make_notice_pdf(pdf, paragraphs[:400], title="关于印发若干措施的通知")
        make_notice_pdf(pdf, paragraphs[: 400 * 10 // pages], title="关于印发若干措施的通知")
        ingest_times = _timed_rounds({"ingest": lambda: pipeline.process_path(pdf)}, args.repeat)["ingest"]
        ingest_s = statistics.median(ingest_times)
        timed.calls = []
        doc = pipeline.process_path(pdf)
        results |= {
            "ingest_pdf_pages": doc.source.pages,
            "ingest_pdf_seconds": ingest_s,
            "ingest_times": ingest_times,
            "ingest_pdf_encoder_share": timed.seconds() / ingest_s,
            # Below 1 where the paragraph gate skips paragraphs; above it, window overlaps.
            "ingest_pdf_characters_read_share": timed.characters() / len(doc.text.replace("\n", "")),
        }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
