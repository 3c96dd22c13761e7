"""Batch ingest on Ray: the local engine's tasks, outputs and manifest, computed on a Ray cluster.

Ray Data `map_batches` runs over an actor pool; each actor builds the pipeline once (so the ONNX
sessions load once per actor, with a GPU each on a CUDA cluster) and ingests its documents with
the local engine's `process_task`, so outputs are written exactly as `--engine local` writes them.
The driver writes `manifest.jsonl` as records come back. Inputs and the output folder must be on
storage that every node sees (a shared file system); on one machine they are.

Without `--address`, a Ray instance is started on this machine, on loopback only, in a fresh
temporary folder, and stopped at the end.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.devices import limit_threads
from pipeline.ingest import ManifestRecord, Task, process_task
from pipeline.run import Pipeline, PipelineOptions

_log = logging.getLogger(__name__)

# Kept on this machine: no usage reports, and a node address on loopback, not found by asking the
# network (Ray otherwise opens a socket towards a public resolver to learn its own address).
LOCAL_RAY_ENVIRONMENT = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


class IngestActor:
    """One member of the actor pool: holds a pipeline and ingests batches of tasks."""

    def __init__(self, options_json: str, force: bool, verbose: bool) -> None:
        limit_threads(1)  # the actor holds one CPU (num_cpus=1 below)
        self.options = PipelineOptions.model_validate_json(options_json)
        self.pipeline = Pipeline.from_options(self.options)
        self.force = force
        self.verbose = verbose

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list[str]]:
        records = [
            process_task(
                Task(Path(str(source)), Path(str(output)), written_by=str(written_by) or None),
                force=self.force,
                verbose=self.verbose,
                options=self.options,
                pipeline=self.pipeline,
            )
            for source, output, written_by in zip(
                batch["input"], batch["output"], batch["written_by"], strict=True
            )
        ]
        return {"record": [record.model_dump_json() for record in records]}


def ray_results(
    tasks: list[Task],
    *,
    address: str | None = None,
    actors: int = 1,
    options: PipelineOptions = PipelineOptions(),  # noqa: B008 (frozen)
    force: bool = False,
    verbose: bool = False,
) -> Iterator[ManifestRecord]:
    """Ingest `tasks` on Ray and yield each task's manifest record as it finishes.

    Connects to `address` when given, else to the Ray instance this process already started, else
    starts one on this machine (loopback only) and stops it at the end.

    Raises:
        ImportError: Ray is not installed (the `ray` extra).
    """
    if not tasks:
        return
    started_here: Path | None = None
    if address is None:
        for name, value in LOCAL_RAY_ENVIRONMENT.items():
            os.environ.setdefault(name, value)
    try:
        import ray
        from ray.data import ActorPoolStrategy, DataContext
    except ImportError as exc:
        raise ImportError(f"--engine ray needs Ray: pip install -e '.[ray]' ({exc})") from exc

    if not ray.is_initialized():
        init: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": verbose,
            "logging_level": "warning",
        }
        if address is not None:
            ray.init(address=address, **init)
        else:
            started_here = Path(tempfile.mkdtemp(prefix="zhengce-ray-"))
            ray.init(
                num_cpus=max(actors, os.cpu_count() or 1),
                _node_ip_address="127.0.0.1",
                _temp_dir=str(started_here),
                **init,
            )
    try:
        DataContext.get_current().enable_progress_bars = False
        dataset = ray.data.from_items(
            [
                {"input": str(t.input), "output": str(t.output), "written_by": t.written_by or ""}
                for t in tasks
            ]
        )
        mapped = dataset.map_batches(
            IngestActor,
            fn_constructor_kwargs={
                "options_json": options.model_dump_json(),
                "force": force,
                "verbose": verbose,
            },
            compute=ActorPoolStrategy(size=actors),
            batch_size=1,
            num_cpus=1,
            num_gpus=1 if options.device == "cuda" else None,
        )
        for row in mapped.iter_rows():
            yield ManifestRecord.model_validate_json(row["record"])
    finally:
        if started_here is not None:
            ray.shutdown()
            shutil.rmtree(started_here, ignore_errors=True)
