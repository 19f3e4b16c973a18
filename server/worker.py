"""A worker process: the sessions workers.py places here, each a plain Session with its
pacer, on this process's own event loop. The web process's connections are stood in for
by `Peer`s, which turn what a session says into items on one outbox; the web process
relays them to the real connections. See workers.py for the whole design."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection as Pipe

from .connection import Connection
from .frames import Frame
from .protocol import dumps, error
from .receive import report
from .registry import Registry
from .saving import note_if_restored
from .session import Session
from .settings import Settings
from .store import open_store
from .threads import one_blas_thread

log = logging.getLogger(__name__)
FRAMES_KEPT = 4  # recent frames a connection that missed some can still be caught up from
RESTARTED = "the server restarted this session: it starts again from step 0 with the same settings"
RESTORED = "the server restarted this session from its last save, at step {step}"


def main(pipe: Pipe, settings: Settings, secret: bytes, persist: bool = False) -> None:
    """The process's entry point (workers.py starts it, with the web process's secret; `persist`:
    its sessions are kept in the data directory's store, which the web process could open)."""
    # Ctrl+C reaches the whole process group: the web process ends the workers, once they have saved.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    one_blas_thread()
    asyncio.run(Worker(pipe, settings, secret, persist).serve())


class Outbox:
    """What the worker says, gathered over one turn of its event loop and sent as one pipe
    message: pickle writes an object once however often the batch holds it, so a frame
    offered to 200 connections crosses the pipe once."""

    def __init__(self, pipe: Pipe, gone: Callable[[], None]):
        self.pipe, self.items = pipe, []  # type: tuple[Pipe, list[tuple]]
        self.gone = gone

    def put(self, item: tuple) -> None:
        if not self.items:
            asyncio.get_running_loop().call_soon(self.flush)
        self.items.append(item)

    def flush(self) -> None:
        items, self.items = self.items, []
        try:
            self.pipe.send(items)
        except OSError:  # the web process is gone: so is every page this worker served
            self.gone()


class Hosted:
    """A session here, its peers, and its recent frames by number (for `encode`)."""

    def __init__(self, session: Session):
        self.session, self.peers = session, {}  # type: tuple[Session, dict[int, Peer]]
        self.frames: dict[int, Frame] = {}
        self.seq, self.config_version = 0, -1
        self.last: Frame | None = None
        self.wired: tuple = ()

    def wire(self, frame: Frame) -> tuple:
        """A frame as it crosses the pipe: its number, history range and shared payload."""
        if frame is not self.last:
            self.seq += 1
            self.last, self.frames[self.seq] = frame, frame
            self.frames.pop(self.seq - FRAMES_KEPT, None)
            self.wired = (self.session.id, self.seq, frame.run, frame.first, frame.last, frame.payload)
        return self.wired


class Peer(Connection):
    """The worker's stand-in for one web connection (by its id, `cid`): a Session talks to
    it as to a Connection, and what it is told goes on the outbox."""

    def __init__(self, cid: int, out: Outbox, hosted: Hosted):  # no websocket here: nothing of Connection's own
        self.cid, self.out, self.hosted, self.role = cid, out, hosted, ""
        self.relay, self.name = None, None

    def set_role(self, role: str) -> None:  # the web process keeps it too (a re-created session's roles)
        self.role = role
        self.out.put(("role", self.cid, role))

    def _put(self, kind: str, item: object) -> None:
        self.out.put((kind, self.cid, item))

    def offer(self, frame: Frame) -> None:  # type: ignore[override]
        self.out.put(("frame", self.cid, self.hosted.wire(frame)))


class Worker:
    def __init__(self, pipe: Pipe, settings: Settings, secret: bytes, persist: bool = False):
        self.pipe, self.out = pipe, Outbox(pipe, self.end)
        store, problem = open_store(settings.data_dir, check=False) if persist else (None, None)
        if problem:
            log.error("worker: %s", problem)
        # The same fields, schema, datasets and tokens (its secret) as the web process's.
        self.registry = Registry(settings, secret, store)
        self.hosted: dict[str, Hosted] = {}
        self.saver = self.registry.saver
        if self.saver is not None:  # it saves the sessions hosted here
            self.saver.sessions = lambda: [h.session for h in self.hosted.values()]

    def end(self) -> None:
        """The web process is gone (killed?): `serve` saves what trained here, and returns."""
        if not self.done.done():
            self.done.set_result(None)

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        self.done = loop.create_future()
        loop.add_reader(self.pipe.fileno(), self._readable)
        self.registry.start()  # its saver
        self.out.put(("ready", None))
        await self.done
        if self.saver is not None:  # the web process is gone (killed?): what trained here is kept
            self.saver.save_all()

    def _readable(self) -> None:
        while True:
            try:
                if not self.pipe.poll():
                    return
                msg = self.pipe.recv()
            except (EOFError, OSError):  # the web process is gone
                self.end()
                return
            try:
                self.handle(*msg)
            except Exception:  # a bug must not end the worker, and every session on it
                log.exception("worker: internal error while handling %r", msg[0])

    def handle(self, kind: str, sid: str, *args) -> None:
        if kind == "ping":  # answered from this event loop: a worker hung in a step cannot
            self.out.put(("pong", None))
            return
        if kind == "flush":  # the server stops: every session saved, and written, before the answer
            if self.saver is not None:
                self.saver.save_all()
            self.out.put(("encoded", args[0], True))
            return
        h = self.hosted.get(sid)
        if kind == "create":
            (config,) = args
            session = self.registry.create(sid, config)
            assert isinstance(session, Session)
            h = self.hosted[sid] = Hosted(session)
            if session.parent is not None:  # a copy back from the store: the web process routes its moves
                self.out.put(("lineage", sid, session.parent, session.room.fork))
        elif h is None:
            if kind == "attach":  # its creation failed (logged): say so to the page
                self.out.put(("text", args[0], dumps(error("type", "internal error while handling 'join'"))))
            return
        elif kind == "fork":  # copies of this session for students (release.py), from one snapshot
            made, released = args
            ids, tokens = [sid for sid, _ in made], [token for _, token in made]
            for copy in self.registry.copies(h.session, ids, tokens, released):
                assert isinstance(copy, Session)
                self.hosted[copy.id] = Hosted(copy)
        elif kind == "copied":  # a copy made again after its worker died (remote.py, recreate)
            h.session.parent, h.session.room.fork = args
        elif kind == "attach":
            cid, role, name, restarted = args
            peer = h.peers[cid] = Peer(cid, self.out, h)
            peer.name = name
            h.session.attach(peer, role, self.registry.schema, self.registry.limits)
            restored = self.registry.restored.get(sid)
            if restarted:
                message = RESTARTED if restored is None else RESTORED.format(step=restored)
                peer.send({"type": "state", **h.session.state(), "message": message})
            elif len(h.peers) == 1:  # the page that brought it back from the store
                note_if_restored(self.registry.restored, h.session, peer)
        elif kind == "detach":
            h.session.detach(h.peers.pop(args[0]))
        elif kind == "command":
            cid, msg = args
            try:
                h.session.command(h.peers[cid], msg)
            except Exception as e:
                report(h.peers[cid], e, msg["type"], msg.get("id"))
        elif kind == "say":
            cid, message = args
            h.peers[cid].send(message)
        elif kind == "encode":
            seq, run, next_step, req = args
            frame = h.frames.get(seq)
            self.out.put(("encoded", req, frame.encode_for(run, next_step) if frame else None))
        elif kind == "close":
            session = self.hosted.pop(sid).session
            self.registry.restored.pop(sid, None)
            if self.saver is not None:
                self.saver.close(session)
            session.pacer.stop()
            session.room.close()
            return
        if h.session.config_version != h.config_version:  # the web process keeps it, to re-create the session
            h.config_version = h.session.config_version
            self.out.put(("config", sid, h.session.config))
