"""Sessions in worker processes (`backprop-lab --workers N`, N >= 2): the web process
holds the connections, checks and routes what they send, and relays what the sessions
say; it never trains. With `--workers 1` none of this runs: sessions train on its loop.

The boundary is the one a Session already has: commands in, encoded messages out.

    page ── websocket ── web process ── pipe ── worker process
                         Connection              Peer (a Connection's stand-in)
                         RemoteSession           Session + Pacer, unchanged
                         RemoteFrame             Frame (the recent ones, by number)

- The web process keeps the limits, the join rules and the reaping (registry.py); a
  RemoteSession (remote.py) lives on the worker with the fewest sessions and gets its commands.
- A worker sends, per turn of its event loop, one batch of (kind, connection id, item): text
  (JSON), bytes (a dataset), frames. A frame is encoded once there and shared; the history a
  connection lacks (after missing frames, or on joining) is encoded by the worker on request
  (`RemoteFrame.encode_for`), from the same frame, so every connection's history stays whole.
- What the web process says to a joined connection goes through the worker too (`relay`).
- A worker that dies (its pipe ends) takes only its own sessions: each is made again on a
  live worker under its id and token, from its last save (store.py, saving.py: every
  `save_interval`, on close and on `flush` at shutdown) or, in memory, from its config at
  step 0; its pages join again and are told in plain words from which step. A new worker
  takes the dead one's place (unless it died before it ever started: no endless respawning).
- Workers fork from a forkserver that imported the engine once; each reads MNIST itself.
- A worker hung in a step (alive, its event loop not turning) is found by a heartbeat: every
  quarter of `worker_timeout` each started worker is pinged, and one not heard from (any
  batch counts) for `worker_timeout` is killed, which ends its pipe: the recovery above.
- A student's copy (release.py) is made by its class's worker (`fork`), so no weights cross
  processes; made again after a death it is told it is a copy (`copied`); restored from the
  store, its worker says whose (`lineage`). Sessions do not move to balance load."""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import time

from . import worker
from .connection import Connection
from .errors import Full
from .pipes import PipeReader, PipeWriter
from .registry import Joinable, Registry
from .remote import RemoteFrame, RemoteSession
from .settings import Settings
from .store import Store

log = logging.getLogger(__name__)


class WorkerHandle:
    """One worker process, its pipe, its sessions, and its requests awaiting an answer."""

    def __init__(self, pool: Pool, index: int):
        self.pool, self.index = pool, index
        self.pipe, child = pool.context.Pipe()
        self.process = pool.context.Process(
            target=worker.main,
            args=(child, pool.settings, pool.secret, pool.persist),
            name=f"backprop-lab worker {index}",
            daemon=True,
        )
        self.process.start()
        child.close()  # so that the worker's death ends the pipe here
        self.sessions: dict[str, RemoteSession] = {}
        self.pending: dict[int, asyncio.Future] = {}
        self.ready, self.alive = False, True  # ready: it has said so (it runs its event loop)
        self.heard = time.monotonic()  # when it last sent anything: the heartbeat's measure
        # Neither side waits for the other (pipes.py).
        self.reader = PipeReader(
            self.pipe, lambda batch: pool.deliver(self, batch), self._heard, lambda: pool.died(self)
        )
        self.writer = PipeWriter(self.pipe)

    def post(self, msg: tuple) -> None:
        if self.alive:
            self.writer.send(msg)

    def request(self, msg: tuple) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        if not self.alive:
            future.set_result(None)
            return future
        req = next(self.pool.requests)
        self.pending[req] = future
        self.post((*msg, req))
        return future

    def _heard(self) -> None:
        self.heard = time.monotonic()

    def close(self) -> None:
        """Stop listening and answer what waits; the process is ended by the caller or is gone."""
        if not self.alive:
            return
        self.alive = False
        self.reader.close()
        self.writer.close()
        self.pipe.close()
        for future in self.pending.values():
            if not future.done():
                future.set_result(None)
        self.pending.clear()


class Pool:
    """The worker processes, and the connections (by id) whose sessions they run."""

    def __init__(self, settings: Settings, secret: bytes, persist: bool = False):
        self.settings, self.secret = settings, secret  # the workers make the same tokens as this process
        self.persist = persist  # the workers keep their sessions in the data directory's store
        # forkserver: a worker is forked from a clean process that has imported the
        # engine once (quick to start), never from this one with its threads and sockets.
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload([worker.__name__])
        self.handles: list[WorkerHandle] = []
        self.cids: dict[Connection, int] = {}
        self.conns: dict[int, Connection] = {}
        self.ids, self.requests = itertools.count(1), itertools.count(1)
        self.latest: dict[str, RemoteFrame] = {}  # by session id
        self._heartbeat: asyncio.Task | None = None

    def start(self) -> None:
        self.handles = [WorkerHandle(self, i) for i in range(self.settings.workers)]
        self._heartbeat = asyncio.get_running_loop().create_task(self.heartbeat())

    async def heartbeat(self) -> None:
        """Kill a started worker that has gone quiet for `worker_timeout` (see the module's doc)."""
        timeout = self.settings.worker_timeout
        while True:
            await asyncio.sleep(timeout / 4)
            now = time.monotonic()
            for h in self.handles:
                if not (h.alive and h.ready):  # one still starting is judged by its start, not here
                    continue
                if now - h.heard > timeout:
                    log.error(
                        "worker %d (pid %s) has not answered for %.0f s; killing it",
                        h.index,
                        h.process.pid,
                        now - h.heard,
                    )
                    h.process.kill()  # its pipe ends, and died() re-creates its sessions
                else:
                    h.post(("ping", None))

    async def flush(self, timeout: float = 20) -> None:
        """Each live worker saves every session it runs, and has written them."""
        answers = [h.request(("flush", None)) for h in self.handles if h.alive]
        if answers:
            await asyncio.wait(answers, timeout=timeout)

    def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        for h in self.handles:
            h.close()
            h.process.terminate()
        for h in self.handles:
            h.process.join(timeout=5)

    def place(self, session: RemoteSession, ready_first: bool) -> WorkerHandle:
        """The live worker with the fewest sessions (after a death: of those already started)."""
        alive = [h for h in self.handles if h.alive]
        if not alive:  # each died before it started: said at join, logged at start-up
            raise Full("session", "the server cannot train sessions now (no worker process is running)")
        handle = min(alive, key=lambda h: (ready_first and not h.ready, len(h.sessions), h.index))
        handle.sessions[session.id] = session
        handle.post(("create", session.id, session.config))
        return handle

    def register(self, conn: Connection) -> int:
        cid = self.cids[conn] = next(self.ids)
        self.conns[cid] = conn
        return cid

    def unregister(self, conn: Connection) -> int:
        cid = self.cids.pop(conn)
        del self.conns[cid]
        conn.relay = None
        return cid

    def deliver(self, handle: WorkerHandle, batch: list[tuple]) -> None:
        for kind, key, *rest in batch:
            if kind in ("text", "bytes", "frame", "role"):
                conn = self.conns.get(key)
                if conn is None:  # it left meanwhile
                    continue
                if kind == "text":
                    conn.send_text(rest[0])
                elif kind == "bytes":
                    conn.send_bytes(rest[0])
                elif kind == "role":
                    conn.role = rest[0]
                else:
                    conn.offer(self._remote_frame(handle, rest[0]))
            elif kind == "config":
                session = handle.sessions.get(key)
                if session is not None:
                    session.config = rest[0]
            elif kind == "lineage":  # a copy restored from the store (worker.py): whose class, whose student
                session = handle.sessions.get(key)
                if session is not None:
                    session.parent, session.fork = rest
            elif kind == "encoded":
                future = handle.pending.pop(key, None)
                if future is not None and not future.done():
                    future.set_result(rest[0])
            elif kind == "ready":
                handle.ready = True
            # "pong" needs nothing more: hearing it at all is the point

    def _remote_frame(self, handle: WorkerHandle, wired: tuple) -> RemoteFrame:
        """One RemoteFrame per frame, however many connections it is offered to, in one
        batch or several (the session's latest frame is kept, by its number)."""
        sid, seq = wired[0], wired[1]
        frame = self.latest.get(sid)
        if frame is None or frame.seq != seq or frame.handle is not handle:
            frame = self.latest[sid] = RemoteFrame(handle, wired)
        return frame

    def died(self, handle: WorkerHandle) -> None:
        pid, count = handle.process.pid, len(handle.sessions)
        log.error("worker %d (pid %s) died; re-creating its %d sessions", handle.index, pid, count)
        handle.close()
        handle.process.join(timeout=1)
        if handle.ready:  # one that never started would fail again: no endless respawning
            self.handles[handle.index] = WorkerHandle(self, handle.index)
        for session in handle.sessions.values():
            try:
                session.recreate()
            except Full as e:
                log.error("session %s is lost: %s", session.id, e.message)


class WorkerRegistry(Registry):
    """The registry of a web process whose sessions train in worker processes. The workers
    save and restore them (store.py); this process asks the store only which ids it holds."""

    trains = False

    def __init__(self, settings: Settings, secret: bytes, store: Store | None = None):
        super().__init__(settings, secret, store)
        self.pool = Pool(settings, secret, persist=store is not None)

    def start(self) -> None:
        self.pool.start()

    def stop(self) -> None:
        self.pool.stop()
        super().stop()

    async def shutdown(self) -> None:
        for sid in list(self.sessions):
            self.close(sid)  # each worker saves what it closes
        await self.pool.flush()
        self.stop()

    def note(self, session: Joinable, conn: Connection) -> None:
        """The worker tells (worker.py)."""

    def create(self, sid: str, config: dict) -> RemoteSession:
        return RemoteSession(self.pool, sid, config, self.tokens.make(sid))

    def copies(self, parent: Joinable, ids: list[str], tokens: list[str], released: bool) -> list[Joinable]:
        """Made by the parent's worker, from one snapshot there; here, their stand-ins."""
        assert isinstance(parent, RemoteSession)
        made = [RemoteSession(self.pool, sid, parent.config, token, copy_of=parent) for sid, token in zip(ids, tokens)]
        for copy in made:
            copy.fork = {"of": parent.id, "released": released}
        parent.handle.post(("fork", parent.id, [(s.id, s.token) for s in made], released))
        return list(made)

    def close(self, sid: str) -> None:
        session = self.sessions.pop(sid)
        assert isinstance(session, RemoteSession)
        session.close()
