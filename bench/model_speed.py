"""Model speed on this CPU: int8 ONNX against the same model in PyTorch, in one run; and the time
`zhengce ingest` takes on a 10-page digital notice with the model, and the share of it spent in the
encoder (the rest is reading the PDF, pattern hints, decoding and assembly).

    .venv/bin/python bench/model_speed.py --model models/ner [--trained models/runs/student]

`--trained` is the training output that still holds `torch_weights.pt` (the shipped folder holds
only what inference needs). Characters/s are over the test split's notices, encoder only, in the
extractor's own windows and batches; each figure is the median of `--repeat` runs after a warm-up.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.corpus import documents  # noqa: E402
from pipeline.corpus.build import load_split  # noqa: E402
from pipeline.corpus.convert import records_to_document  # noqa: E402
from pipeline.model.extractor import ModelExtractor, Session  # noqa: E402
from tests.readers.pdf_factory import make_notice_pdf  # noqa: E402


def _batches(extractor: ModelExtractor, texts: list[str]) -> list[dict[str, np.ndarray]]:
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
    """The extractor's encoder session, counting the seconds spent in it: how much of an ingest
    the encoder takes, against reading the PDF, pattern hints, decoding and assembly."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seconds = 0.0
        self.characters = 0  # read by the encoder, [CLS] and [SEP] not counted

    def run(self, output_names: list[str] | None, input_feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        started = time.perf_counter()
        mask = input_feed["attention_mask"]
        self.characters += int(mask.sum()) - 2 * len(mask)
        try:
            return self.session.run(output_names, input_feed)
        finally:
            self.seconds += time.perf_counter() - started


def _median_seconds(run: object, repeat: int) -> tuple[float, list[float]]:
    assert callable(run)
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


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
    args = parser.parse_args()

    texts = [records_to_document(d, rs).text for d, rs in documents(load_split(ROOT / "corpus", "test"))]
    chars = sum(len(t) for t in texts)
    extractor = ModelExtractor(
        args.model, threads=2, batch_size=args.batch_size, paragraph_gate=not args.no_gate
    )
    batches = _batches(extractor, texts)

    def onnx_run() -> None:
        for feeds in batches:
            extractor.encoder.run(None, feeds)

    onnx_s, onnx_times = _median_seconds(onnx_run, args.repeat)
    results: dict[str, object] = {
        "characters": chars,
        "onnx_int8_chars_per_s": chars / onnx_s,
        "onnx_times": onnx_times,
    }

    if args.trained:
        import torch

        from pipeline.model.train import TaggerWithRelations, TrainOptions, _encoder

        torch.set_num_threads(2)
        options = TrainOptions.model_validate_json(
            (args.trained / "train_options.json").read_text(encoding="utf-8")
        )
        model = TaggerWithRelations(*_encoder(options))
        model.load_state_dict(torch.load(args.trained / "torch_weights.pt", weights_only=True))
        model.eval()

        @torch.no_grad()
        def torch_run() -> None:
            for feeds in batches:
                model(*(torch.from_numpy(feeds[k]) for k in ("input_ids", "attention_mask", "hint_ids")))

        torch_s, torch_times = _median_seconds(torch_run, args.repeat)
        results |= {
            "torch_fp32_chars_per_s": chars / torch_s,
            "torch_times": torch_times,
            "speedup": torch_s / onnx_s,
        }

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
        ingest_s, ingest_times = _median_seconds(lambda: pipeline.process_path(pdf), args.repeat)
        timed.seconds, timed.characters = 0.0, 0
        doc = pipeline.process_path(pdf)
        results |= {
            "ingest_pdf_pages": doc.source.pages,
            "ingest_pdf_seconds": ingest_s,
            "ingest_times": ingest_times,
            "ingest_pdf_encoder_share": timed.seconds / ingest_s,
            # Below 1 where the paragraph gate skips paragraphs; above it, window overlaps.
            "ingest_pdf_characters_read_share": timed.characters / len(doc.text.replace("\n", "")),
        }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
