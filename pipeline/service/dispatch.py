"""Admission, storage and scheduling of the service's work.

Every document, of a job or of a synchronous request, takes one of `concurrency` slots while it is
processed. Accepted work is bounded by `queue_size` documents; beyond it `QueueFull` (429).
Uploads are stored under names the service chooses (`uploads/<job>/<index>/`), holding one file
whose name is the client's file name reduced to a safe base name, so error messages and
`source.name` say what the client called it and no client-given path is ever used.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pipeline.document import PolicyDocument
from pipeline.errors import InputError, StageError
from pipeline.service.jobs import ClaimedDocument, JobStatus, JobStore
from pipeline.service.metrics import ServiceMetrics
from pipeline.service.runner import DocumentRunner
from pipeline.service.settings import ServiceSettings

_log = logging.getLogger(__name__)
_MAX_NAME_BYTES = 200


class QueueFull(Exception):
    """More work than the queue holds; the client should retry later."""


class DocumentsFailed(Exception):
    """Some documents of a synchronous request could not be processed; one message each."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class Incoming:
    """One submitted document: a file upload or a text."""

    name: str
    file: BinaryIO | None = None
    text: str | None = None


def safe_name(name: str, index: int) -> str:
    """The client's file name as a plain base name: no folders, no leading dots, no control
    characters, at most 200 bytes; `document-<index>` when nothing is left.

    >>> safe_name("../../etc/passwd", 0), safe_name("C:\\\\x\\\\通知.pdf", 1), safe_name("..", 2)
    ('passwd', '通知.pdf', 'document-2')
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable()).strip().lstrip(".")
    while len(base.encode("utf-8")) > _MAX_NAME_BYTES:
        base = base[:-1]
    return base or f"document-{index}"


def _store(folder: Path, index: int, document: Incoming) -> Path:
    target = folder / str(index) / safe_name(document.name, index)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("xb") as out:
        if document.file is not None:
            document.file.seek(0)
            shutil.copyfileobj(document.file, out)
        else:
            out.write((document.text or "").encode("utf-8"))
    return target


def _store_all(folder: Path, documents: list[Incoming]) -> list[Path]:
    return [_store(folder, i, d) for i, d in enumerate(documents)]


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        folder.parent.rmdir()  # the job's folder, once its last document is done


class Dispatcher:
    """Owns the job store and the runner; `start` before use, `stop` at the end."""

    def __init__(self, settings: ServiceSettings, metrics: ServiceMetrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.store = JobStore(settings.data_dir / "jobs.sqlite3")
        self.runner = DocumentRunner(settings, metrics)
        self.uploads = settings.data_dir / "uploads"
        self.scratch = settings.data_dir / "requests"
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._admission = asyncio.Lock()
        self._work = asyncio.Event()
        self._queued = 0  # job documents not finished
        self._sync = 0  # documents of synchronous requests in flight
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        requeued = await asyncio.to_thread(self.store.requeue_running)
        if requeued:
            _log.warning("%d documents were interrupted by the last shutdown; running them again", requeued)
        for upload in await asyncio.to_thread(self.store.finished_uploads):
            if upload.exists():
                await asyncio.to_thread(_remove, upload.parent)
        shutil.rmtree(self.scratch, ignore_errors=True)
        await self.runner.warm_up()
        self._queued = await asyncio.to_thread(self.store.queued_documents)
        self.metrics.queued.set(self._queued)
        self._loop_task = asyncio.create_task(self._run_jobs())

    async def stop(self) -> None:
        if self._loop_task is not None:
            self._loop_task.cancel()
        for task in [*self._tasks]:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await asyncio.to_thread(self.runner.close)
        self.store.close()

    # ------------------------------------------------------------------ admission

    def _has_room(self, documents: int) -> bool:
        return self._queued + self._sync + documents <= self.settings.queue_size

    def _refuse(self) -> QueueFull:
        self.metrics.rejected.inc()
        return QueueFull(f"the queue holds {self.settings.queue_size} documents and is full")

    async def submit(self, documents: list[Incoming]) -> JobStatus:
        """Store the uploads and commit the job; raises QueueFull when there is no room."""
        if not self._has_room(len(documents)):
            raise self._refuse()
        job_id = uuid.uuid4().hex
        folder = self.uploads / job_id
        paths = await asyncio.to_thread(_store_all, folder, documents)
        async with self._admission:
            if not self._has_room(len(documents)):
                await asyncio.to_thread(shutil.rmtree, folder, True)
                raise self._refuse()
            names = [p.name for p in paths]
            await asyncio.to_thread(self.store.submit, job_id, list(zip(names, paths, strict=True)))
            self._queued += len(documents)
        self.metrics.queued.set(self._queued)
        self._work.set()
        status = await asyncio.to_thread(self.store.status, job_id)
        assert status is not None
        return status

    async def extract(self, documents: list[Incoming]) -> list[PolicyDocument]:
        """Process documents now, in order. Raises QueueFull, DocumentsFailed or TimeoutError."""
        async with self._admission:
            if not self._has_room(len(documents)):
                raise self._refuse()
            self._sync += len(documents)
        folder = self.scratch / uuid.uuid4().hex
        try:
            paths = await asyncio.to_thread(_store_all, folder, documents)
            outcomes = await asyncio.wait_for(
                asyncio.gather(*(self._process_in_slot(p) for p in paths), return_exceptions=True),
                timeout=self.settings.request_timeout_s,
            )
        finally:
            self._sync -= len(documents)
            await asyncio.to_thread(shutil.rmtree, folder, True)
        failed = [str(o) for o in outcomes if isinstance(o, BaseException)]
        if failed:
            raise DocumentsFailed(failed)
        return [o for o in outcomes if isinstance(o, PolicyDocument)]

    async def _process_in_slot(self, path: Path) -> PolicyDocument:
        async with self._slots:
            return await self._process(path)

    async def _process(self, path: Path) -> PolicyDocument:
        started = time.perf_counter()
        try:
            doc = await self.runner.process(path)
        except (InputError, StageError):
            self.metrics.documents.labels("error").inc()
            raise
        except Exception as exc:
            _log.exception("%s: internal error", path.name)
            self.metrics.documents.labels("error").inc()
            raise StageError(f"{path.name}: internal error: {type(exc).__name__}: {exc}") from exc
        self.metrics.documents.labels("ok").inc()
        self.metrics.document_seconds.observe(time.perf_counter() - started)
        return doc

    # ------------------------------------------------------------------ jobs

    async def _run_jobs(self) -> None:
        while True:
            # A slot first, then a claim: a document is marked running only when it can run.
            await self._slots.acquire()
            self._work.clear()
            try:
                claimed = await asyncio.to_thread(self.store.claim)
            except BaseException:
                self._slots.release()
                raise
            if claimed is None:
                self._slots.release()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._work.wait(), timeout=1.0)
                continue
            task = asyncio.create_task(self._run_claimed(claimed))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run_claimed(self, claimed: ClaimedDocument) -> None:
        """Process a claimed document in the slot the loop took for it, and store its result."""
        started = time.perf_counter()
        result: str | None = None
        error: str | None = None
        try:
            result = (await self._process(claimed.upload)).model_dump_json()
        except (InputError, StageError) as exc:
            error = str(exc)
        finally:
            self._slots.release()
        seconds = round(time.perf_counter() - started, 4)
        await asyncio.to_thread(self.store.finish, claimed, result=result, error=error, seconds=seconds)
        await asyncio.to_thread(_remove, claimed.upload.parent)
        self._queued -= 1
        self.metrics.queued.set(self._queued)

    async def status(self, job_id: str) -> JobStatus | None:
        return await asyncio.to_thread(self.store.status, job_id)

    async def results(self, job_id: str, *, documents: int, wait: bool) -> AsyncIterator[bytes]:
        """Each finished document of a job as one JSON line, in index order; with `wait`, until all are."""
        for index in range(documents):
            while True:
                found = await asyncio.to_thread(self.store.result, job_id, index)
                if found is not None or not wait:
                    break
                await asyncio.sleep(0.2)
            if found is None:
                continue
            head = json.dumps(
                {
                    "index": found.index,
                    "name": found.name,
                    "status": found.status,
                    "error": found.error,
                    "seconds": found.seconds,
                },
                ensure_ascii=False,
            )
            yield f'{head[:-1]}, "document": {found.result or "null"}}}\n'.encode()
