"""OCR engines behind one small interface: a page image in, text lines with their boxes out.

`RapidOcrEngine` runs PaddleOCR's PP-OCRv6 small detection and recognition models and the line
orientation classifier on onnxruntime through RapidOCR, with the model files bundled in the
`rapidocr` wheel named explicitly, so it never downloads anything (RapidOCR fetches other models,
languages and its visualisation font on first use; none of that is reachable from here).
`PaddleOcrEngine` plugs in a local PaddleOCR installation with local model folders for users who
have PaddlePaddle; `paddleocr` is imported only when that engine is built.

    >>> engine = create_engine(OcrOptions())  # doctest: +SKIP
    >>> [line.text for line in engine.recognize(page_pixels)]  # doctest: +SKIP
    ['资源禀赋独特', ...]
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from pipeline.devices import THREADS_VARIABLE
from pipeline.errors import ConfigError

__all__ = [
    "ENGINE_KINDS",
    "OcrEngine",
    "OcrLine",
    "OcrOptions",
    "PaddleOcrEngine",
    "RapidOcrEngine",
    "create_engine",
]

_log = logging.getLogger(__name__)

Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]

# onnxruntime execution providers that RapidOCR can be switched to (its `use_*` flags).
_RAPIDOCR_PROVIDER_FLAGS = {
    "CUDAExecutionProvider": "use_cuda",
    "DmlExecutionProvider": "use_dml",
    "CANNExecutionProvider": "use_cann",
    "CoreMLExecutionProvider": "use_coreml",
    "CPUExecutionProvider": None,
}
# The models inside the rapidocr 3.10 wheel (`rapidocr/models/`).
_RAPIDOCR_MODELS = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
}


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One recognised text line: its text, its corners in image pixels and the recogniser's confidence.

    `quad` runs clockwise from the line's top-left as the text reads; `flipped` is True when the
    line classifier found the line upside down (in the image as given), `vertical` when the
    detected box is taller than wide (a line running top to bottom, or a page turned by 90°).
    """

    text: str
    quad: Quad
    score: float
    flipped: bool = False

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        xs = [point[0] for point in self.quad]
        ys = [point[1] for point in self.quad]
        return (min(xs), min(ys), max(xs), max(ys))

    @property
    def vertical(self) -> bool:
        (x0, y0), (x1, y1), _, (x3, y3) = self.quad
        width = float(np.hypot(x1 - x0, y1 - y0))
        height = float(np.hypot(x3 - x0, y3 - y0))
        # RapidOCR turns crops this much taller than wide by 90° before recognising them.
        return height >= 1.5 * width


class OcrEngine(Protocol):
    """Recognises the text lines of one page image (H x W x 3, uint8, RGB)."""

    name: str

    def recognize(self, image: np.ndarray) -> list[OcrLine]:
        """The page's text lines, in no particular order; an empty list for a page without text."""
        ...


class OcrOptions(BaseModel):
    """Which OCR engine runs and on what hardware; `ZHENGCE_OCR_*` variables override the defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Annotated[
        Literal["rapidocr", "paddleocr"],
        Field(description="rapidocr: bundled PP-OCRv6 on onnxruntime; paddleocr: a local PaddleOCR"),
    ] = "rapidocr"
    providers: Annotated[
        tuple[str, ...],
        Field(
            description="onnxruntime execution providers, most preferred first",
            examples=[("CUDAExecutionProvider", "CPUExecutionProvider")],
        ),
    ] = ("CPUExecutionProvider",)
    max_side_len: Annotated[
        int,
        Field(ge=640, le=8000, description="longer pages are scaled down to this for detection"),
    ] = 2000  # as accurate as 4000 on 2400x3400 scans, and faster (../shared/FACTS.md)
    threads: Annotated[int | None, Field(ge=1, description="onnxruntime intra-op threads; None: all")] = None
    paddle_det_dir: Annotated[Path | None, Field(description="PaddleOCR detection model folder")] = None
    paddle_rec_dir: Annotated[Path | None, Field(description="PaddleOCR recognition model folder")] = None

    @classmethod
    def from_env(cls) -> OcrOptions:
        """Defaults with `ZHENGCE_OCR_ENGINE`, `ZHENGCE_OCR_PROVIDERS` (comma-separated),
        `ZHENGCE_OCR_THREADS` (else `ZHENGCE_THREADS`, the threads of every model),
        `ZHENGCE_PADDLE_DET_DIR` and `ZHENGCE_PADDLE_REC_DIR` applied."""
        env = os.environ
        values: dict[str, Any] = {}
        if env.get("ZHENGCE_OCR_ENGINE"):
            values["kind"] = env["ZHENGCE_OCR_ENGINE"]
        if env.get("ZHENGCE_OCR_PROVIDERS"):
            values["providers"] = tuple(
                p.strip() for p in env["ZHENGCE_OCR_PROVIDERS"].split(",") if p.strip()
            )
        threads = env.get("ZHENGCE_OCR_THREADS") or env.get(THREADS_VARIABLE)
        if threads:
            values["threads"] = threads
        if env.get("ZHENGCE_PADDLE_DET_DIR"):
            values["paddle_det_dir"] = Path(env["ZHENGCE_PADDLE_DET_DIR"])
        if env.get("ZHENGCE_PADDLE_REC_DIR"):
            values["paddle_rec_dir"] = Path(env["ZHENGCE_PADDLE_REC_DIR"])
        try:
            return cls(**values)
        except ValueError as exc:
            raise ConfigError(f"bad ZHENGCE_OCR_* or {THREADS_VARIABLE} setting: {exc}") from exc


class RapidOcrEngine:
    """PP-OCRv6 small (detection, recognition) and the line orientation classifier via RapidOCR."""

    name = "rapidocr"

    def __init__(self, options: OcrOptions | None = None) -> None:
        options = options or OcrOptions()
        try:
            import onnxruntime
            import rapidocr
            from rapidocr import RapidOCR
        except ImportError as exc:  # pragma: no cover - both are core dependencies
            raise ConfigError(f"OCR needs rapidocr and onnxruntime: pip install -e . ({exc})") from exc
        model_dir = Path(rapidocr.__file__).resolve().parent / "models"
        missing = [name for name in _RAPIDOCR_MODELS.values() if not (model_dir / name).is_file()]
        if missing:
            raise ConfigError(f"rapidocr is missing its bundled models in {model_dir}: {', '.join(missing)}")
        params: dict[str, Any] = {
            "Global.log_level": "error",
            "Global.max_side_len": options.max_side_len,
            # Model files named explicitly: with a path RapidOCR never looks for a download.
            **{f"{part}.model_path": str(model_dir / name) for part, name in _RAPIDOCR_MODELS.items()},
        }
        params.update(_provider_params(options.providers, onnxruntime.get_available_providers()))
        if options.threads is not None:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = options.threads
        self.options = options
        self._engine = RapidOCR(params=params)

    def recognize(self, image: np.ndarray) -> list[OcrLine]:
        engine = self._engine
        # The three steps of `RapidOCR.__call__`, so that the line classifier's verdicts (which
        # lines it turned by 180°) are kept: they tell an upside-down page (`prepare.orientation`).
        resized, record = engine.preprocess_img(image)
        det, cls, rec, crops = engine.run_ocr_steps(resized, record)
        if det.boxes is None or rec.txts is None or len(det.boxes) == 0:
            return []
        flipped = [False] * len(det.boxes)
        if cls.cls_res is not None:
            flipped = [label == "180" and score >= engine.cfg.Cls.cls_thresh for label, score in cls.cls_res]
        if any(flipped) and 2 * sum(flipped) < len(flipped):
            self._reread_unturned(rec, crops, flipped)
        output: Any = engine.build_final_output(image, det, cls, rec, crops, record)
        if getattr(output, "txts", None) is None or output.boxes is None:
            return []
        # build_final_output drops empty and low-score lines; match the survivors back by box.
        kept_flips = _match_flips(det.boxes, flipped, output.boxes)
        return [
            OcrLine(text=text, quad=_quad(box), score=float(score), flipped=flip)
            for box, text, score, flip in zip(
                output.boxes, output.txts, output.scores, kept_flips, strict=True
            )
        ]

    def _reread_unturned(self, rec: Any, crops: list[np.ndarray], flipped: list[bool]) -> None:
        """Read the lines the classifier turned by 180° once more as they stand; keep the surer reading.

        On a page whose other lines stand upright, a turned line is most often the classifier's
        mistake: it sees each line squeezed to 192 x 48 pixels, and a line across the whole page
        (a lead over four columns: 50 times wider than high) comes out upside down, and reads as
        nonsense. The recogniser's confidence tells the two readings apart (there, 0.54 turned
        against 0.99 as printed). `crops` are the lines as cut from the page, before the turn.
        Updates `rec` and `flipped` in place.
        """
        from rapidocr.main import RapidOCRError

        indexes = [i for i, flip in enumerate(flipped) if flip]
        try:
            again = self._engine.recognize_txt([crops[i] for i in indexes])
        except RapidOCRError:
            return
        if again.txts is None:
            return
        texts, scores, words = list(rec.txts), list(rec.scores), list(rec.word_results)
        for k, (i, text) in enumerate(zip(indexes, again.txts, strict=True)):
            if text.strip() and again.scores[k] > scores[i]:
                texts[i], scores[i], flipped[i] = text, again.scores[k], False
                if k < len(again.word_results) and i < len(words):
                    words[i] = again.word_results[k]
        rec.txts, rec.scores, rec.word_results = tuple(texts), scores, tuple(words)


def _match_flips(
    all_boxes: Sequence[np.ndarray], flips: list[bool], kept: Sequence[np.ndarray]
) -> list[bool]:
    index = {
        np.asarray(box, dtype=np.float32).tobytes(): flip for box, flip in zip(all_boxes, flips, strict=False)
    }
    return [index.get(np.asarray(box, dtype=np.float32).tobytes(), False) for box in kept]


def _quad(box: np.ndarray) -> Quad:
    points = [(float(x), float(y)) for x, y in np.asarray(box).reshape(4, 2)]
    return (points[0], points[1], points[2], points[3])


def _provider_params(providers: Sequence[str], available: Sequence[str]) -> dict[str, bool]:
    """RapidOCR's `use_*` flags for the requested providers; ConfigError for unknown or absent ones."""
    unknown = [p for p in providers if p not in _RAPIDOCR_PROVIDER_FLAGS]
    if unknown:
        raise ConfigError(
            f"unknown onnxruntime provider(s) {', '.join(unknown)}; "
            f"known: {', '.join(_RAPIDOCR_PROVIDER_FLAGS)}"
        )
    absent = [p for p in providers if p not in available]
    if absent:
        raise ConfigError(
            f"onnxruntime here has no {', '.join(absent)} (available: {', '.join(available)}); "
            "for CUDA install the gpu extra: pip install -e '.[gpu]'"
        )
    return {
        f"EngineConfig.onnxruntime.{flag}": True
        for provider in providers
        if (flag := _RAPIDOCR_PROVIDER_FLAGS[provider]) is not None
    }


class PaddleOcrEngine:
    """A local PaddleOCR (3.x) with local detection and recognition model folders; never downloads.

    For users who have PaddlePaddle and PaddleOCR installed: `ZHENGCE_OCR_ENGINE=paddleocr` with
    `ZHENGCE_PADDLE_DET_DIR` and `ZHENGCE_PADDLE_REC_DIR` naming the exported model folders.
    """

    name = "paddleocr"

    def __init__(self, options: OcrOptions) -> None:
        if options.paddle_det_dir is None or options.paddle_rec_dir is None:
            raise ConfigError(
                "the paddleocr engine needs local model folders: set ZHENGCE_PADDLE_DET_DIR and "
                "ZHENGCE_PADDLE_REC_DIR (PaddleOCR would otherwise download its models)"
            )
        for folder in (options.paddle_det_dir, options.paddle_rec_dir):
            if not folder.is_dir():
                raise ConfigError(f"PaddleOCR model folder {folder} does not exist")
        try:
            from paddleocr import PaddleOCR
        except ImportError as exc:
            raise ConfigError(
                "the paddleocr engine needs PaddlePaddle and PaddleOCR: "
                f"pip install paddlepaddle paddleocr ({exc})"
            ) from exc
        self.options = options
        self._engine = PaddleOCR(
            text_detection_model_dir=str(options.paddle_det_dir),
            text_recognition_model_dir=str(options.paddle_rec_dir),
            use_doc_orientation_classify=False,
            use_doc_unwarping=False,
            use_textline_orientation=False,
        )

    def recognize(self, image: np.ndarray) -> list[OcrLine]:
        lines: list[OcrLine] = []
        for result in self._engine.predict(image[:, :, ::-1].copy()):  # PaddleOCR takes BGR
            for box, text, score in zip(
                result["rec_polys"], result["rec_texts"], result["rec_scores"], strict=False
            ):
                if text.strip():
                    lines.append(OcrLine(text=text, quad=_quad(box), score=float(score)))
        return lines


ENGINE_KINDS = {"rapidocr": RapidOcrEngine, "paddleocr": PaddleOcrEngine}


def create_engine(options: OcrOptions | None = None) -> OcrEngine:
    """The engine the options name; ConfigError lists the known kinds on a miss."""
    options = options or OcrOptions()
    factory = ENGINE_KINDS.get(options.kind)
    if factory is None:  # pragma: no cover - OcrOptions validates the kind
        raise ConfigError(f"no OCR engine {options.kind!r}; known: {', '.join(ENGINE_KINDS)}")
    engine: OcrEngine = factory(options)
    return engine
