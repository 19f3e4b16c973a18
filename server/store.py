"""Sessions on disk, so a run outlives the server: `sessions.db`, an SQLite database (Python's
standard library) in the data directory beside `secret.key`. A session is kept as fork.py's
snapshot (its JSON `meta` and its arrays, in NumPy's .npz form) plus its history in chunks
of CHUNK steps (each row with its step first: the older steps are thinned, history.py), so a
save writes the steps since the last one (and the chunks the thinning changed), not the whole
run again.

Several processes write it (worker processes, each its own sessions): WAL journal, a busy
timeout, one short transaction a save. With `synchronous = NORMAL` a committed save survives
the process being killed (not a power cut).

Bounded: a session unused (neither saved nor restored) for `store_expiry` seconds is deleted,
and past `store_bytes` the least recently used go first; those open in the server are never
deleted (their size is the memory's). Deleted pages are given back to the file system."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
DB_FILE = "sessions.db"
CHUNK = 1024  # steps per stored chunk: chunk k holds the rows of steps k*CHUNK+1 .. (k+1)*CHUNK

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, used REAL NOT NULL, step INTEGER NOT NULL, meta TEXT NOT NULL, arrays BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
    id TEXT NOT NULL, run INTEGER NOT NULL, chunk INTEGER NOT NULL, lo INTEGER NOT NULL, width INTEGER NOT NULL,
    rows BLOB NOT NULL,
    PRIMARY KEY (id, run, chunk)
);
"""


def chunk_of(step: int) -> int:
    return (step - 1) // CHUNK


@dataclass
class Save:
    """One session's save: what changed since its last, all written in one transaction."""

    sid: str
    step: int
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    chunks: list[tuple[int, int, int, np.ndarray]] = field(default_factory=list)  # run, chunk, first step, rows
    first_chunk: list[int] = field(default_factory=list)  # per run: older chunks were dropped from the history
    from_chunk: list[int] = field(default_factory=list)  # per run: these chunks on are written again (`chunks`)
    fresh: bool = False  # the history started over (reset, rebuild): every stored chunk goes


class Store:
    def __init__(self, path: Path, check: bool = True):
        """`check`: read the whole file for damage first (the web process does; its workers need not)."""
        self.path, self.lock = path, threading.Lock()
        self.db = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        try:
            self.db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # only takes effect on a new file
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            found = self.db.execute("PRAGMA quick_check").fetchone()[0] if check else "ok"
            if found != "ok":
                raise sqlite3.DatabaseError(f"the database is damaged ({found})")
            self.db.executescript(SCHEMA)
            self.db.execute("BEGIN IMMEDIATE")  # a write now: a read-only file is found at start
            self.db.execute("COMMIT")
        except sqlite3.Error:
            self.db.close()
            raise

    def close(self) -> None:
        with self.lock:
            self.db.close()

    def has(self, sid: str) -> bool:
        with self.lock:
            return self.db.execute("SELECT 1 FROM sessions WHERE id = ?", (sid,)).fetchone() is not None

    def ids(self) -> set[str]:
        with self.lock:
            return {row[0] for row in self.db.execute("SELECT id FROM sessions")}

    def load(self, sid: str) -> dict[str, Any] | None:
        """The snapshot fork.restore takes (its history joined again from the chunks), or None."""
        with self.lock:
            row = self.db.execute("SELECT meta, arrays FROM sessions WHERE id = ?", (sid,)).fetchone()
            if row is None:
                return None
            chunks = self.db.execute(
                "SELECT run, lo, width, rows FROM history WHERE id = ? ORDER BY run, chunk", (sid,)
            ).fetchall()
            self.db.execute("UPDATE sessions SET used = ? WHERE id = ?", (time.time(), sid))
        meta = json.loads(row[0])
        with np.load(io.BytesIO(row[1]), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        for r, state in enumerate(meta["runs"]):
            width = state["history_width"]
            parts = [np.empty((0, width + 1))]
            for run, lo, w, b in chunks:
                part = np.frombuffer(b, dtype="<f8").reshape(-1, w)
                if run == r and w == width:  # saved before rows carried their step: one a step from `lo`
                    part = np.column_stack((lo + np.arange(len(part)), part))
                if run == r:
                    parts.append(part)
            rows = np.concatenate(parts)
            first, count = state["history"]["first"], state["history"]["count"]
            start = int(np.searchsorted(rows[:, 0], first))  # its oldest chunk may begin before `first`
            arrays[f"run{r}/history"] = rows[start : start + count, 1:]
            arrays[f"run{r}/history_steps"] = rows[start : start + count, 0].astype(np.int64)
            if len(arrays[f"run{r}/history"]) != count:
                raise ValueError(f"session {sid}: history of run {r} holds {len(rows)} rows, expected {count}")
        return {"meta": meta, "arrays": arrays}

    def write(self, save: Save) -> None:
        buffer = io.BytesIO()
        np.savez(buffer, **save.arrays)  # type: ignore[arg-type]
        meta = json.dumps(save.meta)
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.execute(
                    "INSERT OR REPLACE INTO sessions (id, used, step, meta, arrays) VALUES (?, ?, ?, ?, ?)",
                    (save.sid, time.time(), save.step, meta, buffer.getvalue()),
                )
                if save.fresh:
                    self.db.execute("DELETE FROM history WHERE id = ?", (save.sid,))
                for r, first in enumerate(save.first_chunk):
                    self.db.execute("DELETE FROM history WHERE id = ? AND run = ? AND chunk < ?", (save.sid, r, first))
                for r, start in enumerate(save.from_chunk):  # thinned: some of them hold fewer rows, or none
                    self.db.execute("DELETE FROM history WHERE id = ? AND run = ? AND chunk >= ?", (save.sid, r, start))
                self.db.execute("DELETE FROM history WHERE id = ? AND run >= ?", (save.sid, len(save.first_chunk)))
                self.db.executemany(
                    "INSERT OR REPLACE INTO history (id, run, chunk, lo, width, rows) VALUES (?, ?, ?, ?, ?, ?)",
                    [(save.sid, r, k, lo, a.shape[1], a.astype("<f8").tobytes()) for r, k, lo, a in save.chunks],
                )
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def sweep(self, keep: set[str], expiry: float, budget: int, now: float | None = None) -> list[str]:
        """Delete the sessions unused for `expiry` seconds, then the least recently used past
        `budget` bytes; never those in `keep` (open now). Returns the ids deleted."""
        now = time.time() if now is None else now
        with self.lock:
            sizes = self.db.execute(
                "SELECT s.id, s.used, length(s.arrays) + length(s.meta) + "
                "COALESCE((SELECT sum(length(h.rows)) FROM history h WHERE h.id = s.id), 0) "
                "FROM sessions s ORDER BY s.used DESC"
            ).fetchall()
            gone, total = [], 0
            for sid, used, size in sizes:
                if sid in keep:
                    continue
                total += size
                if now - used > expiry or total > budget:
                    gone.append(sid)
            if gone:
                self.db.execute("BEGIN IMMEDIATE")
                self.db.executemany("DELETE FROM sessions WHERE id = ?", [(s,) for s in gone])
                self.db.executemany("DELETE FROM history WHERE id = ?", [(s,) for s in gone])
                self.db.execute("COMMIT")
                self.db.execute("PRAGMA incremental_vacuum")
        return gone


def open_store(data_dir: str | None, check: bool = True) -> tuple[Store | None, str | None]:
    """The store in `data_dir` (None: in memory), or None and a one-line reason to show. A
    damaged database is moved aside (renamed, never deleted) and a new one made in its place."""
    if data_dir is None:
        return None, None
    path = Path(data_dir) / DB_FILE
    try:
        return Store(path, check), None
    except sqlite3.DatabaseError as e:
        if isinstance(e, sqlite3.OperationalError) or not path.is_file():
            return None, _unusable(path, str(e))
        aside = path.with_name(f"{DB_FILE}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            path.rename(aside)
            for suffix in ("-wal", "-shm"):  # its journal belongs to it, not to the new one: moved with it
                journal = path.with_name(DB_FILE + suffix)
                if journal.exists():
                    journal.rename(aside.with_name(aside.name + suffix))
            store = Store(path)
        except (OSError, sqlite3.Error) as again:
            return None, _unusable(path, f"{e}; moving it aside failed: {again}")
        return store, (
            f"backprop-lab: {path} could not be read ({e}); it was moved to {aside.name} and a new one "
            "started: the sessions saved in it are not restored"
        )


def _unusable(path: Path, why: str) -> str:
    return (
        f"backprop-lab: cannot keep sessions in {path} ({why}); serving in memory: after a restart, "
        "runs start again from step 0"
    )
