"""The dynamic batcher, with a fake session whose output for a row depends only on that row."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from pipeline.service.batcher import DynamicBatcher


class RowwiseSession:
    """tag_probs [b, l, 2]: each token's id and its row's token sum; hidden [b, l, 3]. Records calls."""

    def __init__(self, delay: threading.Event | None = None) -> None:
        self.calls: list[dict[str, np.ndarray]] = []
        self.delay = delay
        self.lock = threading.Lock()

    def run(self, output_names: list[str] | None, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        if self.delay is not None:
            self.delay.wait(5)
        with self.lock:
            self.calls.append(feeds)
        ids, mask = feeds["input_ids"], feeds["attention_mask"]
        sums = (ids * mask).sum(axis=1, keepdims=True)
        probs = np.stack(
            [ids.astype(np.float32), np.broadcast_to(sums, ids.shape).astype(np.float32)], axis=-1
        )
        hidden = np.repeat(mask[..., None].astype(np.float32), 3, axis=-1)
        outputs = {"tag_probs": probs, "hidden": hidden}
        return [outputs[n] for n in (output_names or ["tag_probs", "hidden"])]


def _feeds(rows: int, length: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, 100, size=(rows, length), dtype=np.int64)
    mask = np.ones_like(ids)
    mask[-1, length - 1 :] = 0  # a padded row, as the extractor makes them
    ids[-1, length - 1 :] = 0
    return {"input_ids": ids, "attention_mask": mask, "hint_ids": np.zeros_like(ids)}


def test_batcher_gives_each_caller_its_own_rows_trimmed_to_its_width() -> None:
    session = RowwiseSession()
    batcher = DynamicBatcher(session, max_batch_size=64, max_wait_ms=50)
    requests = [_feeds(rows=1 + i % 4, length=5 + 3 * i, seed=i) for i in range(24)]
    try:
        with ThreadPoolExecutor(max_workers=24) as pool:
            results = list(pool.map(lambda f: batcher.run(None, f), requests))
    finally:
        batcher.close()
    alone = RowwiseSession()
    for feeds, (probs, hidden) in zip(requests, results, strict=True):
        expected_probs, expected_hidden = alone.run(None, feeds)
        assert probs.shape == expected_probs.shape and hidden.shape == expected_hidden.shape
        np.testing.assert_array_equal(probs, expected_probs)
        np.testing.assert_array_equal(hidden, expected_hidden)
    assert len(session.calls) < len(requests)  # callers shared runs


def test_batcher_respects_max_batch_size_and_pads_with_zero() -> None:
    gate = threading.Event()
    session = RowwiseSession(delay=gate)
    sizes: list[tuple[int, int]] = []
    batcher = DynamicBatcher(
        session, max_batch_size=6, max_wait_ms=200, observe=lambda n, rows, s: sizes.append((n, rows))
    )
    requests = [_feeds(rows=2, length=4 + i, seed=i) for i in range(9)]
    try:
        with ThreadPoolExecutor(max_workers=9) as pool:
            futures = [pool.submit(batcher.run, None, f) for f in requests]
            gate.set()
            for future in futures:
                future.result(timeout=10)
    finally:
        batcher.close()
    assert all(rows <= 6 for _, rows in sizes)
    assert sum(rows for _, rows in sizes) == 18
    for call in session.calls:
        width = call["input_ids"].shape[1]
        assert all(a.shape[1] == width for a in call.values())
    padded = [c for c in session.calls if c["input_ids"].shape[0] > 2]
    assert padded, "some requests were batched together"
    for call in padded:
        ids, mask = call["input_ids"], call["attention_mask"]
        assert not ids[mask == 0].any()  # the padding is zeros in every input


def test_batcher_runs_an_oversized_request_alone() -> None:
    session = RowwiseSession()
    batcher = DynamicBatcher(session, max_batch_size=4, max_wait_ms=1)
    try:
        probs, _ = batcher.run(None, _feeds(rows=10, length=7, seed=1))
    finally:
        batcher.close()
    assert probs.shape == (10, 7, 2)
    assert [c["input_ids"].shape[0] for c in session.calls] == [10]


def test_batcher_keeps_requests_for_different_outputs_apart() -> None:
    session = RowwiseSession()
    batcher = DynamicBatcher(session, max_batch_size=64, max_wait_ms=100)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            named = [pool.submit(batcher.run, ["hidden"], _feeds(1, 5, i)) for i in range(4)]
            both = [pool.submit(batcher.run, None, _feeds(1, 5, i)) for i in range(4)]
            hidden_only = [f.result(timeout=10) for f in named]
            full = [f.result(timeout=10) for f in both]
    finally:
        batcher.close()
    assert all(len(r) == 1 and r[0].shape == (1, 5, 3) for r in hidden_only)
    assert all(len(r) == 2 for r in full)


def test_batcher_passes_a_failure_to_every_caller_of_the_batch() -> None:
    class Failing:
        def run(self, names: list[str] | None, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
            raise RuntimeError("onnxruntime failed")

    batcher = DynamicBatcher(Failing(), max_batch_size=8, max_wait_ms=20)
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = [pool.submit(batcher.run, None, _feeds(1, 4, i)) for i in range(4)]
            for future in futures:
                with pytest.raises(RuntimeError, match="onnxruntime failed"):
                    future.result(timeout=10)
        # The worker survives a failed batch.
        batcher.session = RowwiseSession()
        assert batcher.run(None, _feeds(1, 4, 9))[0].shape == (1, 4, 2)
    finally:
        batcher.close()


@pytest.mark.parametrize(
    ("feeds", "message"),
    [
        ({}, "no inputs"),
        ({"a": np.zeros((2, 3), np.int64), "b": np.zeros((3, 3), np.int64)}, "batch dimension"),
        ({"a": np.zeros((2, 3), np.int64), "b": np.zeros((2, 4), np.int64)}, "disagree on axis 1"),
        ({"a": np.zeros((2,), np.int64)}, "disagree on axis 1"),
    ],
)
def test_batcher_rejects_inconsistent_inputs(feeds: dict[str, np.ndarray], message: str) -> None:
    batcher = DynamicBatcher(RowwiseSession(), max_wait_ms=1)
    try:
        with pytest.raises(ValueError, match=message):
            batcher.run(None, feeds)
    finally:
        batcher.close()


def test_batcher_refuses_calls_after_close() -> None:
    batcher = DynamicBatcher(RowwiseSession(), max_wait_ms=1)
    batcher.close()
    with pytest.raises(RuntimeError, match="closed"):
        batcher.run(None, _feeds(1, 3, 0))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_batch_size": 0}, "max_batch_size"),
        ({"max_wait_ms": -1}, "max_wait_ms"),
        ({"pad_axis": 0}, "pad_axis"),
    ],
)
def test_batcher_rejects_bad_settings(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DynamicBatcher(RowwiseSession(), **kwargs)  # type: ignore[arg-type]
