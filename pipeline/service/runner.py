"""Where documents are processed: reading and layout in worker processes, the model stages here.

This process holds the ONNX sessions, once: the NER encoder behind a `DynamicBatcher` (and the OCR
engine's sessions, once OCR runs in a stage of its own, behind one of their own). Reading, page
rendering and layout run in a process pool; the document stages run in a thread pool, whose
threads are the batcher's concurrent callers. Nothing here runs on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pipeline.document import PolicyDocument
from pipeline.errors import ConfigError, StageError
from pipeline.model.extractor import Session
from pipeline.run import Pipeline, read_policy
from pipeline.service.batcher import DynamicBatcher
from pipeline.service.metrics import ServiceMetrics
from pipeline.service.settings import ServiceSettings

_log = logging.getLogger(__name__)


class DocumentRunner:
    """Runs the pipeline for the service; `await runner.process(path)` gives the document."""

    def __init__(self, settings: ServiceSettings, metrics: ServiceMetrics) -> None:
        if settings.batching and settings.precision == "int8":
            raise ConfigError(
                "int8 encoder outputs depend on the other rows of a batch (one quantisation scale per "
                "tensor), so requests would change each other's results: batch with --precision fp32, "
                "or turn batching off with --no-batching"
            )
        self.settings = settings
        self.metrics = metrics
        self.batchers: list[DynamicBatcher] = []
        self.pipeline = Pipeline.from_options(
            settings.pipeline_options, wrap_encoder=self._batch if settings.batching else None
        )
        self._threads = ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="stages")
        self._readers = self._reader_pool()

    def _batch(self, session: Session) -> Session:
        batcher = DynamicBatcher(
            session,
            max_batch_size=self.settings.max_batch_size,
            max_wait_ms=self.settings.max_wait_ms,
            width_bucket=self.settings.batch_width_bucket,
            observe=self.metrics.observe_batch,
        )
        self.batchers.append(batcher)
        return batcher

    def _reader_pool(self) -> ProcessPoolExecutor:
        # spawn: this process has threads (onnxruntime, the batcher), which fork would copy mid-state.
        return ProcessPoolExecutor(
            max_workers=self.settings.workers, mp_context=multiprocessing.get_context("spawn")
        )

    async def warm_up(self) -> None:
        """Start the reader processes before the first request needs them."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(self._readers, _ready) for _ in range(self.settings.workers))
        )

    async def process(self, path: Path) -> PolicyDocument:
        """Read `path` in a worker process, then run the document stages in a thread.

        Raises:
            InputError: the file cannot be read or has too many pages.
            StageError: a reader process died on this file.
        """
        loop = asyncio.get_running_loop()
        try:
            doc = await loop.run_in_executor(self._readers, _read, path, self.settings.max_pages)
        except BrokenProcessPool as exc:
            # A reader crashed (a native library on a hostile file): a fresh pool serves the rest.
            _log.error("%s: a reader process died; restarting the pool", path.name)
            self._readers.shutdown(wait=False, cancel_futures=True)
            self._readers = self._reader_pool()
            raise StageError(f"{path.name}: the reader process died on this file") from exc
        return await loop.run_in_executor(self._threads, self.pipeline, doc)

    def close(self) -> None:
        self._readers.shutdown(wait=True, cancel_futures=True)
        self._threads.shutdown(wait=True, cancel_futures=True)
        for batcher in self.batchers:
            batcher.close()


def _read(path: Path, max_pages: int) -> PolicyDocument:
    return read_policy(path, max_pages=max_pages)


def _ready() -> bool:
    import pipeline.readers  # noqa: F401  (imported once per process, before the first request)

    return True
