"""When and what of a session is saved to the store (store.py): every `save_interval` seconds
each session that changed since its last save (a step, a config change, a reset), when it
closes, and all of them on shutdown. The snapshot is taken on the event loop (fork.py's,
without the history, which is sent in chunks: only those with new steps); the writing
happens on one thread of its own, so training never waits for the disk. Each process that
trains sessions has its own Saver: the web process, or each worker process."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from engine import Dataset

from . import fork, pool_store
from .schema import Field
from .session import Session
from .settings import Settings
from .store import CHUNK, Save, Store, chunk_of

log = logging.getLogger(__name__)


def restored_note(step: int) -> str:
    """What a page is told on joining a session brought back from the store."""
    return f"this session was brought back from its last save, at step {step}"


def mark(session: Session) -> tuple:
    """Changes whenever anything a save holds may have changed."""
    runs = tuple((r.trainer.steps, r.history.last) for r in session.runs)
    pool = pool_store.mark(session)  # the class's runs
    return (session.run, session.config_version, runs, session.diverged_at, session.failed_at, session.parent, pool)


class Saver:
    def __init__(self, store: Store, settings: Settings, sessions: Callable[[], Iterable[Session]]):
        self.store, self.settings, self.sessions = store, settings, sessions
        self.interval = settings.save_interval
        self.marks: dict[str, tuple] = {}  # by session id: its mark at its last save
        self.upto: dict[str, tuple[int, list[int]]] = {}  # by id: its `run` and each run's last step saved
        self.writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="store")

    def save(self, session: Session) -> concurrent.futures.Future | None:
        """Queue a save of `session` as it is now, if it changed since its last."""
        now = mark(session)
        if self.marks.get(session.id) == now:
            return None
        try:
            job = self._job(session)
        except Exception:
            log.exception("session %s: could not take its snapshot to save", session.id)
            return None
        self.marks[session.id] = now
        future = self.writer.submit(self.store.write, job)
        future.add_done_callback(lambda f: _failed(job.sid, f))
        return future

    def _job(self, session: Session) -> Save:
        snap = fork.snapshot(session, history=False)
        snap["meta"]["pool"] = pool_store.state(session)
        generation, saved = self.upto.get(session.id, (None, []))
        fresh = generation != session.run or len(saved) != len(session.runs)
        job = Save(session.id, session.history.last, snap["meta"], snap["arrays"], fresh=fresh)
        lasts = []
        for r, (run, state) in enumerate(zip(session.runs, snap["meta"]["runs"])):
            h = run.history
            rows = h.rows
            state["history_width"] = h.width
            # From the chunk of the last step saved (its row may have changed since: set_losses), or
            # of the first step the thinning changed, on; each row with its step first.
            low = h.first if fresh else min(max(saved[r], 1), h.changed)
            start = max(h.first, chunk_of(low) * CHUNK + 1)
            bounds = np.searchsorted(h.steps, np.arange(chunk_of(start), chunk_of(h.last) + 2) * CHUNK + 1)
            for k, lo, hi in zip(range(chunk_of(start), chunk_of(h.last) + 1), bounds[:-1], bounds[1:]):
                if hi > lo:
                    job.chunks.append((r, k, int(h.steps[lo]), np.column_stack((h.steps[lo:hi], rows[lo:hi]))))
            job.first_chunk.append(chunk_of(h.first))
            job.from_chunk.append(chunk_of(start))
            h.saved()
            lasts.append(h.last)
        self.upto[session.id] = (session.run, lasts)
        return job

    def restore(self, sid: str, fields: list[Field], loaded: dict[str, Dataset], token: str) -> Session | None:
        """The session saved under `sid` as it was at its last save (paused), or None."""
        try:
            snap = self.store.load(sid)
            if snap is None:
                return None
            session = fork.restore(snap, sid, self.settings, fields, loaded, token)
            pool_store.restore(session, snap["meta"].get("pool"))
        except Exception:  # a save this server cannot read: the session starts again
            log.exception("session %s: its last save could not be restored; it starts again", sid)
            return None
        self.marks[session.id] = mark(session)  # saved as it is, up to its last step
        self.upto[session.id] = (session.run, [r.history.last for r in session.runs])
        return session

    def forget(self, sid: str) -> None:
        self.marks.pop(sid, None)
        self.upto.pop(sid, None)

    def close(self, session: Session) -> None:
        """It leaves this process: saved (if changed), then no longer followed."""
        self.save(session)
        self.forget(session.id)

    def save_all(self, timeout: float = 30) -> None:
        """Every session now, and wait until all is written: on shutdown."""
        for s in list(self.sessions()):
            self.save(s)
        self.flush(timeout)

    def flush(self, timeout: float = 30) -> None:
        self.writer.submit(lambda: None).result(timeout)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            for s in list(self.sessions()):
                self.save(s)


def _failed(sid: str, future: concurrent.futures.Future) -> None:
    if future.exception() is not None:  # a full disk, say: said, and training goes on
        log.error("session %s: saving it failed: %s", sid, future.exception())


def note_if_restored(restored: dict[str, int], session: Any, conn: Any) -> None:
    """Tell the page that brought a session back from the store (its first join) so."""
    step = restored.pop(session.id, None)
    if step is not None and session.history.last == step:
        conn.send({"type": "state", **session.state(), "message": restored_note(step)})
