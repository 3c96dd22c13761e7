"""Batch ingest: many files into one output folder, with a manifest, resumable, in worker processes.

Each input becomes `OUTDIR/<relative path>.json`, written atomically (a temporary file renamed into
place), so an interrupted run leaves only complete outputs. `manifest.jsonl` gets one line per input
as it finishes. A rerun skips an input whose output holds its sha256 and whose manifest line says the
same producer (zhengce version, options, model files) wrote it, unless `force`.
"""

from __future__ import annotations

import json
import logging
import os
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from pipeline.atomic import write_atomic
from pipeline.devices import cpu_threads, limit_threads
from pipeline.errors import InputError
from pipeline.readers import SUPPORTED_SUFFIXES
from pipeline.run import Pipeline, PipelineOptions, producer_id, sha256_file

_log = logging.getLogger(__name__)
MANIFEST = "manifest.jsonl"


class ManifestRecord(BaseModel):
    """One line of `manifest.jsonl`."""

    input: str
    output: str | None
    status: str  # "ok" or "error"
    error: str | None = None
    seconds: float
    skipped: bool = False
    producer: str | None = None  # `producer_id` of the pipeline that wrote the output


@dataclass(frozen=True)
class Task:
    input: Path
    output: Path
    written_by: str | None = None  # the producer the previous manifest names for `output`


def previous_producers(out_dir: Path) -> dict[str, str]:
    """Output path -> the producer that wrote it, from the folder's last manifest (unreadable
    lines are ignored: their outputs are simply made again)."""
    found: dict[str, str] = {}
    try:
        lines = (out_dir / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return found
    for line in lines:
        try:
            record = ManifestRecord.model_validate_json(line)
        except ValueError:
            continue
        if record.status == "ok" and record.output and record.producer:
            found[record.output] = record.producer
    return found


def discover(paths: list[Path], out_dir: Path | None = None) -> list[tuple[Path, Path]]:
    """Inputs as (file, name relative to the output folder); folders are read recursively.

    A file named on the command line is always an input, so an unsupported one is reported, not
    silently dropped; inside folders only supported suffixes are taken.
    """
    found: list[tuple[Path, Path]] = []
    out_resolved = out_dir.resolve() if out_dir else None
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if file.suffix.lower() not in SUPPORTED_SUFFIXES:
                    continue
                if out_resolved and out_resolved in file.resolve().parents:
                    continue
                found.append((file, file.relative_to(path)))
        else:
            found.append((path, Path(path.name)))
    return found


def _already_done(task: Task, sha256: str) -> bool:
    try:
        with task.output.open(encoding="utf-8") as fh:
            return bool(json.load(fh)["source"]["sha256"] == sha256)
    except (OSError, ValueError, KeyError, TypeError):
        return False


_pipelines: dict[PipelineOptions, Pipeline] = {}


def _worker_pipeline(options: PipelineOptions) -> Pipeline:
    """One pipeline per process and options, built on first use (models load once)."""
    if options not in _pipelines:
        _pipelines[options] = Pipeline.from_options(options)
    return _pipelines[options]


def process_task(
    task: Task,
    *,
    force: bool = False,
    verbose: bool = False,
    options: PipelineOptions = PipelineOptions(),  # noqa: B008 (frozen, so one shared default is safe)
    pipeline: Pipeline | None = None,
) -> ManifestRecord:
    """Ingest one file into its output; never raises for a bad input. `pipeline`, when given, is
    one built from `options` (else this process builds it once)."""
    started = time.perf_counter()
    record = ManifestRecord(input=str(task.input), output=None, status="error", seconds=0.0)
    try:
        if not task.input.is_file():
            raise InputError(f"{task.input}: not a file")
        if task.input.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise InputError(
                f"{task.input.name}: unsupported file type {task.input.suffix or '(none)'}; "
                f"expected one of {', '.join(SUPPORTED_SUFFIXES)}"
            )
        sha = sha256_file(task.input)
        producer = producer_id(options)
        if not force and task.written_by == producer and _already_done(task, sha):
            record.skipped = True
        else:
            doc = (pipeline or _worker_pipeline(options)).process_path(task.input)
            write_atomic(task.output, doc.model_dump_json(indent=2))
        record.status, record.output, record.producer = "ok", str(task.output), producer
    except InputError as exc:
        record.error = str(exc)
    except Exception as exc:  # a bug must not stop the batch; the manifest names it
        record.error = f"{task.input.name}: internal error: {type(exc).__name__}: {exc}"
        if verbose:
            record.error += "\n" + traceback.format_exc()
    record.seconds = round(time.perf_counter() - started, 4)
    return record


def run_batch(
    tasks: list[Task],
    out_dir: Path,
    *,
    jobs: int = 1,
    force: bool = False,
    verbose: bool = False,
    options: PipelineOptions = PipelineOptions(),  # noqa: B008 (frozen)
    on_done: Callable[[ManifestRecord], None] | None = None,
    results: Iterator[ManifestRecord] | None = None,
) -> list[ManifestRecord]:
    """Process tasks, appending each result to the manifest as it finishes. Another engine (Ray)
    passes the `results` it computes, so the manifest is written the same way."""
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = out_dir / MANIFEST
    partial = out_dir / f".{MANIFEST}.partial"
    records: list[ManifestRecord] = []
    if results is None:
        results = _results(tasks, jobs=jobs, force=force, verbose=verbose, options=options)
    with partial.open("w", encoding="utf-8") as fh:
        for record in results:
            fh.write(record.model_dump_json(exclude_defaults=False) + "\n")
            fh.flush()
            records.append(record)
            if on_done:
                on_done(record)
    os.replace(partial, manifest)
    return records


def _results(
    tasks: list[Task], *, jobs: int, force: bool, verbose: bool, options: PipelineOptions
) -> Iterator[ManifestRecord]:
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield process_task(task, force=force, verbose=verbose, options=options)
        return
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=limit_threads, initargs=(cpu_threads() // jobs,)
    ) as pool:
        futures = [pool.submit(process_task, t, force=force, verbose=verbose, options=options) for t in tasks]
        for future in as_completed(futures):
            yield future.result()
