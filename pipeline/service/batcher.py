"""Dynamic batching of ONNX inference across concurrent callers, as Triton's dynamic batcher does.

`DynamicBatcher` looks like an onnxruntime `InferenceSession` (it has `run(output_names, feeds)`),
so a model stage that takes a session can be handed one. Callers in many threads call `run`; a
single worker thread gathers their feeds until `max_batch_size` rows are waiting or
`max_wait_ms` has passed since the oldest arrived, pads every input along `pad_axis` to the widest
caller, concatenates along axis 0, runs one inference, and gives each caller its own rows back,
trimmed to its own width.

Only requests that agree on everything but the row count and the padded width share a batch
(output names, input names, dtypes, other dimensions); a request that does not fit the batch being
built waits for the next one. Hand-written because no maintained library does this for an
in-process onnxruntime session (Triton and Ray Serve batch across a network boundary).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

_log = logging.getLogger(__name__)


class InferenceSessionLike(Protocol):
    """What onnxruntime's `InferenceSession.run` offers, and all the batcher needs."""

    def run(self, output_names: list[str] | None, input_feed: dict[str, np.ndarray]) -> list[np.ndarray]: ...


BatchObserver = Callable[[int, int, float], None]
"""Called after each batched run with (requests, rows, seconds); for metrics."""


@dataclass
class _Request:
    output_names: tuple[str, ...] | None
    feeds: dict[str, np.ndarray]
    rows: int
    width: int
    future: Future[list[np.ndarray]] = field(default_factory=Future)
    arrived: float = field(default_factory=time.monotonic)

    def key(self, pad_axis: int, width_bucket: int) -> tuple[Any, ...]:
        """What must be equal for two requests to share a batch."""
        shapes = tuple(
            (name, array.dtype.str, tuple(d for i, d in enumerate(array.shape) if i not in (0, pad_axis)))
            for name, array in sorted(self.feeds.items())
        )
        bucket = -(-self.width // width_bucket) if width_bucket else 0
        return (self.output_names, shapes, bucket)


_STOP = object()


class DynamicBatcher:
    """A session-like object that batches `run` calls from concurrent threads.

    Args:
        session: the real session (anything with `run(output_names, feeds)`).
        max_batch_size: rows per batched run; a single request with more rows runs alone.
        max_wait_ms: how long the first request of a batch waits for company.
        pad_axis: the axis along which inputs are padded to the widest request and outputs trimmed
            back to each request's width (1 for [batch, length] token inputs); an output is trimmed
            when its size on that axis is the padded width.
        pad_value: the value inputs are padded with.
        width_bucket: only requests whose widths round up to the same multiple of this share a
            batch, so short rows are not padded to the longest (attention cost grows with the
            square of the width); 0 batches any widths together.
        observe: optional callback after each run (requests, rows, seconds).

    >>> class Double:
    ...     def run(self, names, feeds):
    ...         return [feeds["x"] * 2]
    >>> batcher = DynamicBatcher(Double(), max_batch_size=8, max_wait_ms=1)
    >>> batcher.run(None, {"x": np.ones((1, 3), np.int64)})[0].tolist()
    [[2, 2, 2]]
    >>> batcher.close()
    """

    def __init__(
        self,
        session: InferenceSessionLike,
        *,
        max_batch_size: int = 64,
        max_wait_ms: float = 5.0,
        pad_axis: int = 1,
        pad_value: int | float = 0,
        width_bucket: int = 0,
        observe: BatchObserver | None = None,
    ) -> None:
        if max_batch_size < 1:
            raise ValueError(f"max_batch_size must be at least 1, not {max_batch_size}")
        if max_wait_ms < 0:
            raise ValueError(f"max_wait_ms must not be negative, not {max_wait_ms}")
        if width_bucket < 0:
            raise ValueError(f"width_bucket must not be negative, not {width_bucket}")
        if pad_axis < 1:
            raise ValueError(f"pad_axis must be at least 1 (axis 0 is the batch), not {pad_axis}")
        self.session = session
        self.max_batch_size = max_batch_size
        self.max_wait = max_wait_ms / 1000
        self.pad_axis = pad_axis
        self.pad_value = pad_value
        self.width_bucket = width_bucket
        self._observe = observe
        self._inbox: queue.Queue[_Request | object] = queue.Queue()
        self._closed = False
        self._worker = threading.Thread(target=self._loop, name="dynamic-batcher", daemon=True)
        self._worker.start()

    def run(
        self, output_names: Sequence[str] | None, input_feed: dict[str, np.ndarray], *_: object
    ) -> list[np.ndarray]:
        """Like `InferenceSession.run`: blocks until this caller's rows have been computed."""
        if self._closed:
            raise RuntimeError("the batcher is closed")
        if not input_feed:
            raise ValueError("no inputs given")
        arrays = {name: np.asarray(value) for name, value in input_feed.items()}
        rows = {a.shape[0] if a.ndim else -1 for a in arrays.values()}
        widths = {a.shape[self.pad_axis] if a.ndim > self.pad_axis else -1 for a in arrays.values()}
        if len(rows) != 1 or -1 in rows:
            raise ValueError(f"inputs disagree on the batch dimension: {sorted(rows)}")
        if len(widths) != 1 or -1 in widths:
            raise ValueError(f"inputs disagree on axis {self.pad_axis}: {sorted(widths)}")
        names = tuple(output_names) if output_names is not None else None
        request = _Request(names, arrays, rows.pop(), widths.pop())
        self._inbox.put(request)
        return request.future.result()

    def close(self) -> None:
        """Finish the requests already queued, then stop the worker thread."""
        if not self._closed:
            self._closed = True
            self._inbox.put(_STOP)
            self._worker.join()

    # ------------------------------------------------------------------ worker thread

    def _loop(self) -> None:
        held: list[_Request] = []  # requests that did not fit the previous batch
        stopping = False
        while held or not stopping:
            if not held:
                item = self._inbox.get()
                if item is _STOP:
                    break
                assert isinstance(item, _Request)
                held.append(item)
            first = held[0]
            key = first.key(self.pad_axis, self.width_bucket)
            batch = [first]
            rows = first.rows
            rest: list[_Request] = []
            for request in held[1:]:
                if (
                    request.key(self.pad_axis, self.width_bucket) == key
                    and rows + request.rows <= self.max_batch_size
                ):
                    batch.append(request)
                    rows += request.rows
                else:
                    rest.append(request)
            deadline = first.arrived + self.max_wait
            while rows < self.max_batch_size and not stopping:
                timeout = deadline - time.monotonic()
                try:
                    item = self._inbox.get(timeout=timeout) if timeout > 0 else self._inbox.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                assert isinstance(item, _Request)
                if (
                    item.key(self.pad_axis, self.width_bucket) == key
                    and rows + item.rows <= self.max_batch_size
                ):
                    batch.append(item)
                    rows += item.rows
                else:
                    rest.append(item)
            held = rest
            self._run_batch(batch, rows)
        # A caller that raced `close` must not wait for ever.
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, _Request):
                item.future.set_exception(RuntimeError("the batcher is closed"))

    def _run_batch(self, batch: list[_Request], rows: int) -> None:
        started = time.perf_counter()
        try:
            width = max(r.width for r in batch)
            feeds = {
                name: np.concatenate([self._pad(r.feeds[name], width) for r in batch], axis=0)
                for name in batch[0].feeds
            }
            outputs = self.session.run(list(batch[0].output_names) if batch[0].output_names else None, feeds)
        except BaseException as exc:  # every caller of the failed batch gets the error
            for request in batch:
                request.future.set_exception(exc)
            return
        offset = 0
        for request in batch:
            mine = []
            for output in outputs:
                part = np.asarray(output)[offset : offset + request.rows]
                if part.ndim > self.pad_axis and part.shape[self.pad_axis] == width:
                    part = np.take(part, np.arange(request.width), axis=self.pad_axis)
                mine.append(part)
            offset += request.rows
            request.future.set_result(mine)
        if self._observe:
            self._observe(len(batch), rows, time.perf_counter() - started)

    def _pad(self, array: np.ndarray, width: int) -> np.ndarray:
        missing = width - array.shape[self.pad_axis]
        if missing == 0:
            return array
        pad = [(0, 0)] * array.ndim
        pad[self.pad_axis] = (0, missing)
        return np.pad(array, pad, constant_values=self.pad_value)
