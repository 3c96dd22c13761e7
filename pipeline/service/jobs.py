"""Jobs persist in SQLite, so a restart loses no accepted job.

A job is a list of documents; each document is one row that goes `pending` → `running` → `ok` or
`error`, and holds its result once finished. A job is committed before its submission is
answered. At start, rows left `running` by a killed server go back to `pending` and run again; a
result is written only onto a `running` row, once, so every document appears in the results
exactly once.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    job_seq INTEGER NOT NULL REFERENCES jobs(seq),
    idx INTEGER NOT NULL,
    name TEXT NOT NULL,
    upload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'ok', 'error')),
    result TEXT,
    error TEXT,
    seconds REAL,
    PRIMARY KEY (job_seq, idx)
);
CREATE INDEX IF NOT EXISTS documents_by_status ON documents (status, job_seq, idx);
"""


class JobStatus(BaseModel):
    """`GET /v1/jobs/{id}`: where a job stands."""

    id: str
    status: str  # "queued", "running" or "done"
    created: float
    documents: int
    pending: int
    running: int
    ok: int
    error: int


@dataclass(frozen=True)
class ClaimedDocument:
    job_seq: int
    job_id: str
    index: int
    name: str
    upload: Path


@dataclass(frozen=True)
class DocumentResult:
    index: int
    name: str
    status: str  # "ok" or "error"
    result: str | None  # the document JSON
    error: str | None
    seconds: float | None


class JobStore:
    """The jobs database; thread-safe (one connection behind a lock), every write one transaction."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed submission survives a power cut, not only a killed process.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def submit(self, job_id: str, documents: list[tuple[str, Path]]) -> None:
        """Record a job and its documents (name, stored upload) in one transaction."""
        with self._transaction() as db:
            seq = db.execute("INSERT INTO jobs (id, created) VALUES (?, ?)", (job_id, time.time())).lastrowid
            db.executemany(
                "INSERT INTO documents (job_seq, idx, name, upload, status) VALUES (?, ?, ?, ?, 'pending')",
                [(seq, i, name, str(upload)) for i, (name, upload) in enumerate(documents)],
            )

    def requeue_running(self) -> int:
        """At start: documents a previous process was working on run again. Returns how many."""
        with self._transaction() as db:
            return db.execute("UPDATE documents SET status = 'pending' WHERE status = 'running'").rowcount

    def claim(self) -> ClaimedDocument | None:
        """The oldest pending document, now marked running; None when nothing waits."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT d.job_seq, j.id, d.idx, d.name, d.upload"
                " FROM documents d JOIN jobs j ON j.seq = d.job_seq"
                " WHERE d.status = 'pending' ORDER BY d.job_seq, d.idx LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE documents SET status = 'running' WHERE job_seq = ? AND idx = ?", (row[0], row[2])
            )
        return ClaimedDocument(row[0], row[1], row[2], row[3], Path(row[4]))

    def finish(
        self, claimed: ClaimedDocument, *, result: str | None, error: str | None, seconds: float
    ) -> bool:
        """Store a running document's result (or error); False when it was not running (no double)."""
        status = "ok" if error is None else "error"
        with self._transaction() as db:
            return (
                db.execute(
                    "UPDATE documents SET status = ?, result = ?, error = ?, seconds = ?"
                    " WHERE job_seq = ? AND idx = ? AND status = 'running'",
                    (status, result, error, seconds, claimed.job_seq, claimed.index),
                ).rowcount
                == 1
            )

    def queued_documents(self) -> int:
        """Documents accepted and not finished: the queue the service bounds."""
        with self._lock:
            (count,) = self._db.execute(
                "SELECT COUNT(*) FROM documents WHERE status IN ('pending', 'running')"
            ).fetchone()
        return int(count)

    def status(self, job_id: str) -> JobStatus | None:
        with self._lock:
            job = self._db.execute("SELECT seq, created FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if job is None:
                return None
            counts = dict(
                self._db.execute(
                    "SELECT status, COUNT(*) FROM documents WHERE job_seq = ? GROUP BY status", (job[0],)
                ).fetchall()
            )
        pending, running = counts.get("pending", 0), counts.get("running", 0)
        ok, error = counts.get("ok", 0), counts.get("error", 0)
        if pending + running == 0:
            state = "done"
        elif running or ok or error:
            state = "running"
        else:
            state = "queued"
        total = pending + running + ok + error
        return JobStatus(
            id=job_id,
            status=state,
            created=job[1],
            documents=total,
            pending=pending,
            running=running,
            ok=ok,
            error=error,
        )

    def result(self, job_id: str, index: int) -> DocumentResult | None:
        """A finished document of a job; None while it is not finished (or does not exist)."""
        with self._lock:
            row = self._db.execute(
                "SELECT d.idx, d.name, d.status, d.result, d.error, d.seconds"
                " FROM documents d JOIN jobs j ON j.seq = d.job_seq"
                " WHERE j.id = ? AND d.idx = ? AND d.status IN ('ok', 'error')",
                (job_id, index),
            ).fetchone()
        return DocumentResult(*row) if row else None

    def finished_uploads(self) -> list[Path]:
        """Uploads of finished documents (removed after their result is stored; left by a crash)."""
        with self._lock:
            rows = self._db.execute("SELECT upload FROM documents WHERE status IN ('ok', 'error')").fetchall()
        return [Path(r[0]) for r in rows]
