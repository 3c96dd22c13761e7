"""Engine options: providers checked before any model loads, the PaddleOCR plug-in's requirements."""

from __future__ import annotations

import pytest

from pipeline.errors import ConfigError
from pipeline.ocr.engine import ENGINE_KINDS, OcrOptions, PaddleOcrEngine, RapidOcrEngine, create_engine


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
