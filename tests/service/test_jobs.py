"""The SQLite job store: accepted jobs survive, every document finishes exactly once."""

from __future__ import annotations

from pathlib import Path

from pipeline.service.jobs import JobStore


def _store(tmp_path: Path) -> JobStore:
    return JobStore(tmp_path / "jobs.sqlite3")


def test_jobs_claim_in_submission_order_and_finish_once(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.submit("a", [("a0.txt", tmp_path / "a0"), ("a1.txt", tmp_path / "a1")])
    store.submit("b", [("b0.txt", tmp_path / "b0")])
    claimed = [store.claim() for _ in range(4)]
    assert [(c.job_id, c.index, c.name) for c in claimed if c] == [
        ("a", 0, "a0.txt"),
        ("a", 1, "a1.txt"),
        ("b", 0, "b0.txt"),
    ]
    assert claimed[3] is None
    first = claimed[0]
    assert first is not None
    assert store.finish(first, result='{"x": 1}', error=None, seconds=0.1)
    assert not store.finish(first, result='{"x": 2}', error=None, seconds=0.1)  # no second result
    found = store.result("a", 0)
    assert found is not None and found.result == '{"x": 1}' and found.status == "ok"
    assert store.result("a", 1) is None  # still running


def test_jobs_status_moves_from_queued_to_done(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.submit("j", [("x.txt", tmp_path / "x"), ("y.pdf", tmp_path / "y")])
    status = store.status("j")
    assert status is not None and (status.status, status.documents, status.pending) == ("queued", 2, 2)
    assert store.queued_documents() == 2
    for _ in range(2):
        claimed = store.claim()
        assert claimed is not None
        error = "y.pdf: broken" if claimed.name == "y.pdf" else None
        store.finish(claimed, result=None if error else "{}", error=error, seconds=0.0)
    status = store.status("j")
    assert status is not None and (status.status, status.ok, status.error) == ("done", 1, 1)
    assert store.queued_documents() == 0
    assert store.status("missing") is None


def test_jobs_survive_a_restart_and_interrupted_documents_run_again(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.submit("j", [(f"{i}.txt", tmp_path / str(i)) for i in range(3)])
    done = store.claim()
    interrupted = store.claim()
    assert done is not None and interrupted is not None
    store.finish(done, result="{}", error=None, seconds=0.0)
    # The process dies here: no close, the connection is simply dropped.
    reopened = _store(tmp_path)
    assert reopened.requeue_running() == 1
    again = [reopened.claim(), reopened.claim(), reopened.claim()]
    assert sorted(c.index for c in again if c) == [1, 2]
    for claimed in again:
        if claimed:
            assert reopened.finish(claimed, result="{}", error=None, seconds=0.0)
    # The stale claim from before the restart cannot write a second result.
    assert not reopened.finish(interrupted, result="{}", error=None, seconds=0.0)
    status = reopened.status("j")
    assert status is not None and (status.status, status.ok) == ("done", 3)
    assert sorted(p.name for p in reopened.finished_uploads()) == ["0", "1", "2"]
