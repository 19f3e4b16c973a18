"""Sessions by id. A session is not a connection: it outlives a dropped one, several
connections share it, and a presenter's page re-creates it after a restart. This is where
a `join` finds or makes one, where the session and connection limits hold, and where the
ones nobody has watched for a grace period are reaped.

Behind a proxy that routes by session id (README, "Serving a whole school"), the id is
also in the websocket URL, and the instance that creates a session must be the one the
proxy sends that id to: so a page asks for a new session's id and token first (`issue`,
POST /session), names the id in the URL and presents the token, and a session is never
created here under an id the URL names without that id's token. Whoever could make a
session under an id of their choosing would get its token, and own a class's session
once it has ended or the server restarted."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Container
from dataclasses import asdict
from typing import Protocol

from engine import load_mnist

from . import fork, memory
from .address import capped, client_address, parse_proxies
from .connection import Connection
from .errors import Full, Invalid
from .ids import check_route, new_session_id
from .saving import Saver, note_if_restored
from .schema import defaults, make_fields
from .secret import Tokens
from .session import Session
from .settings import Settings
from .store import Store
from .validate import validate_each

log = logging.getLogger(__name__)


def count(n: int, thing: str) -> str:
    return f"{n} {thing}" + ("" if n == 1 else "s")


class Joinable(Protocol):
    """What the registry and the receive loop need of a session: a Session, or a
    workers.RemoteSession when it trains in a worker process."""

    id: str
    token: str
    config: dict  # its latest (memory.py estimates its memory from it)
    parent: str | None  # the class's session this one is a student's copy of (release.py)
    connections: list[Connection]
    orphaned_at: float | None

    def attach(self, conn: Connection, role: str, schema: list[dict], limits: dict) -> None: ...

    def detach(self, conn: Connection) -> None: ...

    def command(self, conn: Connection, msg: dict) -> None: ...


class Taken:
    """The ids a new session may not have: those open here, saved in the store, or `also`."""

    def __init__(self, registry: Registry, also: Container[str] = ()):
        self.registry, self.also = registry, also

    def __contains__(self, sid: object) -> bool:
        r = self.registry
        return sid in r.sessions or sid in self.also or r.stored(sid)  # type: ignore[arg-type]


class Registry:
    trains = True  # its sessions train in this process (and are saved from it): not so in workers.py's

    def __init__(self, settings: Settings, secret: bytes, store: Store | None = None):
        self.settings, self.store = settings, store
        self.loaded = {"mnist": load_mnist(settings.mnist_dir)} if settings.mnist_dir else {}
        self.fields = make_fields(settings.limits, self.loaded)
        self.schema = [f.describe() for f in self.fields]
        self.limits = asdict(settings.limits)
        self.sessions: dict[str, Joinable] = {}
        self.tokens = Tokens(secret)  # a worker process's registry has the web process's secret
        self.proxies = parse_proxies(settings.trusted_proxies)
        self.owners: dict[str, str] = {}  # session id -> the address that made it (the per-address cap)
        self.restored: dict[str, int] = {}  # session id -> the step it was brought back from the store at
        self.saver: Saver | None = None
        if store is not None and self.trains:
            self.saver = Saver(store, settings, lambda: self.sessions.values())  # type: ignore[arg-type, return-value]
        self.tasks: list[asyncio.Task] = []
        self.swept_at = -float("inf")

    def start(self) -> None:
        """On the running event loop, before the first connection (workers.py starts its processes)."""
        if self.saver is not None:
            self.tasks.append(asyncio.get_running_loop().create_task(self.saver.run()))

    def stop(self) -> None:
        """After the last session closed."""
        for task in self.tasks:
            task.cancel()
        if self.saver is not None:
            self.saver.flush()
        if self.store is not None:
            self.store.close()

    async def shutdown(self) -> None:
        """Every session closed (and saved), then stop."""
        for sid in list(self.sessions):
            self.close(sid)
        self.stop()

    def stored(self, sid: str | None) -> bool:
        return bool(sid) and self.store is not None and self.store.has(sid)  # type: ignore[arg-type]

    @property
    def connection_count(self) -> int:
        return sum(len(s.connections) for s in self.sessions.values())

    def join(self, conn: Connection, msg: dict, route: str | None = None) -> tuple[Joinable, list[Invalid]]:
        """Attach conn to the session it names, or to a new one. `route` is the session id
        in the websocket URL, if any (check_route). Invalid fields in the join's config
        are left at their defaults and returned, to be reported.

        Only a join with the session's token (secret.py) controls it or makes it again under
        its id; with any other token it watches, or waits for the presenter's page."""
        lim = self.settings.limits
        if route is not None:
            check_route(route, msg["session"])
        if self.connection_count >= lim.max_connections:
            raise Full("session", f"the server is full ({count(lim.max_connections, 'connection')}); try again later")
        peer = conn.ws.client.host if conn.ws.client else None
        conn.address = client_address(peer, conn.ws.headers, self.proxies)
        self._check_device_connections(conn.address)
        conn.name = msg["name"]
        sid = msg["session"]
        presents = bool(sid) and self.tokens.valid(sid, msg["token"])
        session = self.sessions.get(sid or "")
        if session is not None:
            if len(session.connections) >= lim.max_connections_per_session:
                n = count(lim.max_connections_per_session, "connection")
                raise Full("session", f"this session is full ({n}); try again when someone has left it")
            session.attach(conn, "controller" if presents else "viewer", self.schema, self.limits)
            return session, []
        if sid and not presents and (msg["token"] is not None or msg["watch"]):
            # A student's page, or a token not made for this id: it waits for the presenter's
            # page, which makes the session again (after a restart) with the token.
            raise Invalid("session", "this session is not running; waiting for its presenter to start it")
        if route is not None and sid and not presents:
            # A new id here would be routed to another instance: the page asks for one (issue).
            raise Invalid("session", f"session '{route}' is not running; start a new one (POST /session gives its id)")
        if len(self.sessions) >= lim.max_sessions:
            raise Full(
                "session",
                f"the server is full ({count(lim.max_sessions, 'session')}); try again in a minute, when an unused one "
                "has ended, or follow a class with its join code",
            )
        self._check_device_sessions(conn.address)
        problems: list[Invalid] = []
        config = defaults(self.fields)
        # A session the store kept (store.py) comes back with its own config, for its token only:
        # a student's page waits for the presenter's, as for one not kept (README, "Surviving a restart").
        stored = presents and self.stored(sid)
        if msg["config"] is not None and not stored:
            config, problems = validate_each(msg["config"], config, self.fields)
        self._check_memory(config)
        # An id with its token: issued for a new session, or the presenter's page after a restart
        # (the students' pages, which know only the id, find it). Otherwise an id of the server's.
        session = self.create(sid if presents else new_session_id(Taken(self)), config)
        self.sessions[session.id] = session
        self.owners[session.id] = conn.address
        session.attach(conn, "controller", self.schema, self.limits)
        self.note(session, conn)
        return session, problems

    def note(self, session: Joinable, conn: Connection) -> None:
        """Tell a page that joins a session brought back from the store (workers.py: the worker tells)."""
        note_if_restored(self.restored, session, conn)

    def issue(self) -> dict:
        """A new session's id and its token, for a page to name in the websocket URL and join with."""
        sid = new_session_id(Taken(self))
        return {"session": sid, "token": self.tokens.make(sid)}

    def _check_device_connections(self, address: str) -> None:
        most = self.settings.limits.max_connections_per_address
        if capped(address) and sum(c.address == address for s in self.sessions.values() for c in s.connections) >= most:
            raise Full(
                "session",
                f"this device already has {count(most, 'connection')} open to this server, the most one device "
                "may hold; close some of its Backprop Lab tabs and try again",
            )

    def _check_device_sessions(self, address: str) -> None:
        self.owners = {sid: a for sid, a in self.owners.items() if sid in self.sessions}  # the ended ones go
        most = self.settings.limits.max_sessions_per_address
        if capped(address) and sum(a == address for a in self.owners.values()) >= most:
            raise Full(
                "session",
                f"this device already has {count(most, 'session')} open on this server, the most one device may hold; "
                f"close the tab of one you no longer use (its session ends {self.settings.grace_seconds:g} s later) "
                "and try again, or follow a class with its join code",
            )

    def _check_memory(self, config: dict, n: int = 1) -> None:
        """Full if n more sessions of `config` would take the sessions past the server's memory budget."""

        def size(c: dict) -> int:
            return memory.session_bytes(c, self.settings, self.loaded)

        used = sum(size(s.config) for s in self.sessions.values())
        if used + n * size(config) > self.settings.memory_bytes:
            raise Full("session", memory.refusal(self.settings.memory_bytes))

    def create(self, sid: str, config: dict) -> Joinable:
        """A new session, training here (workers.py's registry makes it in a worker process); the
        one saved under `sid`, if the store has it, as it was at its last save."""
        token = self.tokens.make(sid)
        session = self.saver.restore(sid, self.fields, self.loaded, token) if self.saver else None
        if session is not None:
            self.restored[sid] = session.history.last
        if session is None:
            session = Session(sid, config, self.settings, self.fields, self.loaded, token)
        session.pacer.start()
        return session

    # -- students' copies of a class's session (release.py) ----------------------------------

    def forks(self, parent: Joinable, n: int, released: bool) -> list[Joinable]:
        """n copies of `parent` as it stands now, each under a new id with its own token,
        registered (the caller has checked there are session slots for them; memory is checked here)."""
        try:
            self._check_memory(parent.config, n)
        except Full as e:  # said to the page that asked, which stays in its session
            raise Invalid("type", e.message) from None
        ids: list[str] = []
        for _ in range(n):
            ids.append(new_session_id(Taken(self, ids)))
        made = self.copies(parent, ids, [self.tokens.make(sid) for sid in ids], released)
        self.sessions.update((s.id, s) for s in made)
        return made

    def copies(self, parent: Joinable, ids: list[str], tokens: list[str], released: bool) -> list[Joinable]:
        """The copies, made from one snapshot and training here (workers.py: in the parent's
        worker process, which calls this there with the tokens the web process holds)."""
        assert isinstance(parent, Session)
        snap = fork.snapshot(parent)
        made: list[Joinable] = []
        for sid, token in zip(ids, tokens):
            copy = fork.fork(parent, sid, self.settings, self.fields, self.loaded, token, snap)
            copy.room.fork = {"of": parent.id, "released": released}
            copy.pacer.start()
            made.append(copy)
        return made

    def reap(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for sid, s in list(self.sessions.items()):
            if s.orphaned_at is not None and now - s.orphaned_at > self.settings.grace_seconds:
                self.close(sid)
        if self.store is not None and now >= self.swept_at + self.settings.sweep_interval:
            self.swept_at = now
            st = self.settings
            gone = self.store.sweep(set(self.sessions), st.store_expiry, st.store_bytes)
            if gone:
                log.info("deleted %d saved sessions unused for long or past the store's size", len(gone))

    def close(self, sid: str) -> None:
        session = self.sessions.pop(sid)
        assert isinstance(session, Session)
        self.restored.pop(sid, None)
        if self.saver is not None:
            self.saver.close(session)
        session.pacer.stop()
        session.room.close()

    async def reaper(self) -> None:
        while True:
            await asyncio.sleep(self.settings.reap_interval)
            self.reap()
