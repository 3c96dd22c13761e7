"""Engine options (providers checked before any model loads, the PaddleOCR plug-in's requirements);
a second reading of lines the classifier turned."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pipeline.errors import ConfigError
from pipeline.ocr.engine import ENGINE_KINDS, OcrOptions, PaddleOcrEngine, RapidOcrEngine, create_engine
from pipeline.ocr.page import PageReader
from pipeline.ocr.synthetic import Fonts
from tests.ocr.conftest import two_column_page


def test_engine_unknown_provider_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"unknown onnxruntime provider\(s\) TpuProvider; known: CUDA"):
        RapidOcrEngine(OcrOptions(providers=("TpuProvider",)))


def test_engine_cuda_without_onnxruntime_gpu_says_how_to_get_it() -> None:
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("this onnxruntime has CUDA")
    with pytest.raises(ConfigError, match=r"no CUDAExecutionProvider .*pip install -e '\.\[gpu\]'"):
        RapidOcrEngine(OcrOptions(providers=("CUDAExecutionProvider", "CPUExecutionProvider")))


def test_engine_paddleocr_needs_local_model_folders() -> None:
    with pytest.raises(ConfigError, match="ZHENGCE_PADDLE_DET_DIR"):
        PaddleOcrEngine(OcrOptions(kind="paddleocr"))


def test_engine_options_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHENGCE_OCR_PROVIDERS", "CUDAExecutionProvider, CPUExecutionProvider")
    monkeypatch.setenv("ZHENGCE_OCR_THREADS", "2")
    options = OcrOptions.from_env()
    assert options.providers == ("CUDAExecutionProvider", "CPUExecutionProvider") and options.threads == 2
    monkeypatch.setenv("ZHENGCE_OCR_ENGINE", "tesseract")
    with pytest.raises(ConfigError, match="bad ZHENGCE_OCR_"):
        OcrOptions.from_env()


def test_engine_default_is_rapidocr_with_bundled_models() -> None:
    assert set(ENGINE_KINDS) == {"rapidocr", "paddleocr"}
    assert create_engine().name == "rapidocr"


def test_engine_line_the_classifier_turned_on_an_upright_page_is_read_as_printed(
    page_reader: PageReader, fonts: Fonts, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 4 (generated page synthetic-1-011): the line classifier turned a lead line set across
    # the whole page by 180°, and the recogniser read the turned line as nonsense. Here the
    # classifier is made to make that mistake on the headline, the page's widest line.
    engine = page_reader.engine
    assert isinstance(engine, RapidOcrEngine)
    rapid = engine._engine
    classify = rapid.cls_and_rotate

    def turn_the_widest(crops: list[np.ndarray]) -> tuple[list[np.ndarray], Any]:
        turned, result = classify(crops)
        widest = max(range(len(crops)), key=lambda i: crops[i].shape[1])
        turned[widest] = np.ascontiguousarray(np.rot90(crops[widest], 2))
        result.cls_res[widest] = ("180", 0.95)
        return turned, result

    monkeypatch.setattr(rapid, "cls_and_rotate", turn_the_widest)
    lines = engine.recognize(np.asarray(two_column_page(fonts)))
    assert "关于支持企业发展的通知" in [line.text for line in lines]
    assert not any(line.flipped for line in lines)
