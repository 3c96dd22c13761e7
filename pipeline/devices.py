"""Where ONNX models run: onnxruntime execution providers for a device name, chosen once at start,
and how many CPU threads a process's models may use."""

from __future__ import annotations

import logging
import os
from typing import Literal

from pipeline.errors import ConfigError

_log = logging.getLogger(__name__)

Device = Literal["cpu", "cuda"]

THREADS_VARIABLE = "ZHENGCE_THREADS"

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


def cpu_threads() -> int:
    """CPU threads this process's models may use: `$ZHENGCE_THREADS`, else every CPU the process
    may run on (its affinity, which containers and `taskset` narrow)."""
    configured = os.environ.get(THREADS_VARIABLE, "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ConfigError(
                f"{THREADS_VARIABLE}={configured!r}: expected a whole number of threads, 1 or more"
            )
        return int(configured)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - macOS and Windows have no affinity call


def limit_threads(threads: int) -> None:
    """This process's models use `threads` CPU threads, unless the user set `$ZHENGCE_THREADS`.
    Each worker of `zhengce ingest -j N` and each Ray actor calls it with its share of the CPUs,
    so the workers' models do not oversubscribe the cores between them."""
    if not os.environ.get(THREADS_VARIABLE, "").strip():
        os.environ[THREADS_VARIABLE] = str(max(1, threads))
