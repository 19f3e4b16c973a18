"""Sessions by id. A session is not a connection: it outlives a dropped one, several
connections share it, and a presenter's page re-creates it after a restart. This is where
a `join` finds or makes one, where the session and connection limits hold, and where the
ones nobody has watched for a grace period are reaped.

Behind a proxy that routes by session id (README, "Serving a whole school"), the id is
also in the websocket URL, and the instance that creates a session must be the one the
proxy sends that id to: so a page proposes the id of a new session in the URL, and a
session is never created here under an id the URL did not name."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Container
from dataclasses import asdict
from typing import Protocol

from engine import load_mnist

from . import fork
from .connection import Connection
from .errors import Full, Invalid
from .schema import defaults, make_fields, validate_each
from .session import Session
from .settings import Settings

# A session id is also its join code, which students type: 6 characters from an alphabet
# without look-alikes (no 0/O, 1/I/L), drawn at random. A page that proposes one
# (static/js/joincode.js, newSessionId) draws it the same way. Ids of the older form (8
# characters of base64url) stay valid, so old links keep working. The id is what a proxy
# routes by, so a code typed anywhere reaches the instance that holds its session.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SESSION_ID = re.compile(rf"[{CODE_ALPHABET}]{{6}}|[A-Za-z0-9_-]{{8}}")
ID_FORMS = (
    "a join code of 6 characters from 2-9 and A-Z without I, L and O (e.g. K7MQ3P), "
    "or 8 characters from A-Z, a-z, 0-9, '-' and '_'"
)


def new_session_id(taken: Container[str] = ()) -> str:
    while True:
        sid = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if sid not in taken:
            return sid


def check_route(route: str, session: str | None) -> None:
    """The URL's session id (what a proxy routes by) must be well formed and name the
    join's session, or propose the id of a new one (the join's session is null)."""
    if not SESSION_ID.fullmatch(route):
        raise Invalid(
            "session",
            f"the websocket URL's session '{route[:40]}' is not a session id: {ID_FORMS}",
        )
    if session is not None and session != route:
        raise Invalid(
            "session",
            f"is '{session[:40]}' but the websocket URL's session is '{route}'; the two must be the same",
        )


class Joinable(Protocol):
    """What the registry and the receive loop need of a session: a Session, or a
    workers.RemoteSession when it trains in a worker process."""

    id: str
    token: str
    parent: str | None  # the class's session this one is a student's copy of (release.py)
    connections: list[Connection]
    orphaned_at: float | None

    def attach(self, conn: Connection, role: str, schema: list[dict], limits: dict) -> None: ...

    def detach(self, conn: Connection) -> None: ...

    def command(self, conn: Connection, msg: dict) -> None: ...


class Registry:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.loaded = {"mnist": load_mnist(settings.mnist_dir)} if settings.mnist_dir else {}
        self.fields = make_fields(settings.limits, self.loaded)
        self.schema = [f.describe() for f in self.fields]
        self.limits = asdict(settings.limits)
        self.sessions: dict[str, Joinable] = {}

    def start(self) -> None:
        """On the running event loop, before the first connection (workers.py starts its processes)."""

    def stop(self) -> None:
        """After the last session closed."""

    @property
    def connection_count(self) -> int:
        return sum(len(s.connections) for s in self.sessions.values())

    def join(self, conn: Connection, msg: dict, route: str | None = None) -> tuple[Joinable, list[Invalid]]:
        """Attach conn to the session it names, or to a new one. `route` is the session id
        in the websocket URL, if any (check_route). Invalid fields in the join's config
        are left at their defaults and returned, to be reported."""
        lim = self.settings.limits
        if route is not None:
            check_route(route, msg["session"])
        if self.connection_count >= lim.max_connections:
            raise Full("session", f"the server is full ({lim.max_connections} connections)")
        conn.name = msg["name"]
        session = self.sessions.get(msg["session"] or "")
        if session is not None:
            if len(session.connections) >= lim.max_connections_per_session:
                raise Full("session", f"this session is full ({lim.max_connections_per_session} connections)")
            has_token = msg["token"] is not None and secrets.compare_digest(msg["token"], session.token)
            session.attach(conn, "controller" if has_token else "viewer", self.schema, self.limits)
            return session, []
        if msg["session"] and msg["token"] is None and msg["watch"]:
            # A student's page waits for the presenter's, which re-creates the session.
            raise Invalid("session", "this session is not running; waiting for its presenter to start it")
        if route is not None and msg["session"] is None and route in self.sessions:
            raise Invalid("session", f"the websocket URL's session '{route}' is already in use; propose another id")
        if route is not None and msg["session"] and msg["token"] is None:
            # A new id here would be routed to another instance: the page proposes one instead.
            raise Invalid("session", f"session '{route}' is not running; start a new one with an id of your own")
        if len(self.sessions) >= lim.max_sessions:
            raise Full("session", f"the server is full ({lim.max_sessions} sessions); try again later")
        problems: list[Invalid] = []
        config = defaults(self.fields)
        if msg["config"] is not None:
            config, problems = validate_each(msg["config"], config, self.fields)
        # The presenter's page after a server restart: the same id and token again, so the
        # students' pages, which know only the id, find it. Otherwise the URL's id, or a new one.
        sid, token = (msg["session"], msg["token"]) if msg["session"] and msg["token"] else (route, None)
        session = self.create(sid or new_session_id(self.sessions), config, token)
        self.sessions[session.id] = session
        session.attach(conn, "controller", self.schema, self.limits)
        return session, problems

    def create(self, sid: str, config: dict, token: str | None) -> Joinable:
        """A new session, training here (workers.py's registry makes it in a worker process)."""
        session = Session(sid, config, self.settings, self.fields, self.loaded, token)
        session.pacer.start()
        return session

    # -- students' copies of a class's session (release.py) ----------------------------------

    def forks(self, parent: Joinable, n: int, released: bool) -> list[Joinable]:
        """n copies of `parent` as it stands now, each under a new id with its own token,
        registered (the caller has checked there is room for them)."""
        ids: list[str] = []
        for _ in range(n):
            ids.append(new_session_id({*self.sessions, *ids}))
        made = self.copies(parent, ids, [None] * n, released)
        self.sessions.update((s.id, s) for s in made)
        return made

    def copies(self, parent: Joinable, ids: list[str], tokens: list[str | None], released: bool) -> list[Joinable]:
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

    def close(self, sid: str) -> None:
        session = self.sessions.pop(sid)
        assert isinstance(session, Session)
        session.pacer.stop()
        session.room.close()

    async def reaper(self) -> None:
        while True:
            await asyncio.sleep(self.settings.reap_interval)
            self.reap()
