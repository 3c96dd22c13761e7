"""Where ONNX models run: onnxruntime execution providers for a device name, chosen once at start."""

from __future__ import annotations

import logging
from typing import Literal

_log = logging.getLogger(__name__)

Device = Literal["cpu", "cuda"]

_warned = False


def onnx_providers(device: Device) -> list[str]:
    """The providers for `device`; `cuda` falls back to CPU, with one warning saying why, when this
    onnxruntime build has no CUDA provider (the `gpu` extra installs onnxruntime-gpu).

    >>> onnx_providers("cpu")
    ['CPUExecutionProvider']
    """
    if device == "cpu":
        return ["CPUExecutionProvider"]
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    global _warned
    if not _warned:
        _warned = True
        _log.warning(
            "--device cuda: this onnxruntime has no CUDAExecutionProvider (available: %s); "
            "running on CPU. Install onnxruntime-gpu (pip install -e '.[gpu]') on a machine with CUDA.",
            ", ".join(ort.get_available_providers()),
        )
    return ["CPUExecutionProvider"]


def confirm_providers(session_providers: list[str], requested: list[str], *, what: str) -> None:
    """Warn when onnxruntime dropped CUDA at session creation (onnxruntime-gpu without CUDA libraries)."""
    if "CUDAExecutionProvider" in requested and "CUDAExecutionProvider" not in session_providers:
        _log.warning("%s: CUDA could not be initialised; running on %s", what, ", ".join(session_providers))
