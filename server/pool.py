"""Pooling a class's experiments (issue 13): a released student (or one trying it alone)
sends their run to the class, and the presenter shows the class's runs as one plot.

- `pool_send` (the controller of a student's copy, and only there): the server makes the
  entry from that copy itself, never from what a page says: the settings varied relative to
  the presenter's config when the copy was made (`Room.base`), the losses and accuracy at
  its last step, its steps, and whether (and where) it diverged; and its picture
  (pool_picture.py). It goes into the class's session's pool under its student (release.py
  marks each copy with the student it was made for): sending again, from this copy or another
  of theirs ("try it myself", then a release), replaces it. The sender gets `pool_sent`.
- `pool_view` (the class's controller): whether every screen shows the pool (`shown`), its
  axes (`x`, a setting; `y`, a measure) and the run shown large (`spotlight`, a number).
  `pool_clear` (the class's controller) empties it.
- `pool` (the whole pool, with the picture of the run in the spotlight only: about 0.6 KB a
  run, at most MAX_RUNS runs, and one picture of under 24 KB) goes to the class's controllers
  whenever it changes; to everyone else of the class (watchers, and every copy's connections)
  only while it is shown, and once, emptied, when it stops being shown: nothing of it reaches
  a student before. A student reads every run's name as "student N": the names given at join
  reach the presenter only.

A copy lives in the process of its class's session (release.py; with `--workers N`, in the
same worker), so a copy finds it here, among the sessions of this process (`_here`)."""

from __future__ import annotations

import weakref
from collections import Counter
from typing import TYPE_CHECKING

from .errors import Invalid
from .pool_picture import picture
from .protocol import dumps

if TYPE_CHECKING:
    from .connection import Connection
    from .session import Session

TYPES = ("pool_send", "pool_view", "pool_clear")
MEASURES = ("test_loss", "train_loss", "test_accuracy", "train_accuracy", "test_r2", "train_r2")
SKIPPED = {"speed", "sample"}  # how a run is shown, not what it tries
VALUED = ("number", "integer", "choice", "bool", "layers")  # kinds an entry carries the value of (an axis)
MAX_RUNS = 250  # a room (Limits.max_connections_per_session): a `pool` message stays under 200 KB
COPY_ONLY = "this is the class's session; 'send my run' is for a student's own copy (after release or 'try it myself')"
_here: weakref.WeakValueDictionary[str, Session] = weakref.WeakValueDictionary()


def register(session: Session) -> None:
    _here[session.id] = session


def unregister(session: Session) -> None:
    if _here.get(session.id) is session:
        del _here[session.id]


def class_of(session: Session) -> Session | None:
    """The class's session a copy belongs to, if it runs in this process."""
    return _here.get(session.parent) if session.parent else None


def copies_of(session: Session) -> list[Session]:
    return [s for s in list(_here.values()) if s.parent == session.id]


def command(session: Session, conn: Connection, msg: dict) -> None:
    """One of TYPES from `conn`, on `session`; raises Invalid, and then nothing changed."""
    kind = msg["type"]
    if kind == "pool_send":
        return send(session, conn)
    if conn.role != "controller":
        raise Invalid("type", "this connection is watching; only the presenter shows or clears the class's runs")
    if session.parent is not None:
        raise Invalid("type", "this is a student's own copy; only the presenter shows or clears the class's runs")
    pool = session.room.pool
    if kind == "pool_clear":
        pool.clear()
    else:
        pool.view(msg)


def send(copy: Session, conn: Connection) -> None:
    if copy.parent is None:
        raise Invalid("type", COPY_ONLY)
    if conn.role != "controller":
        raise Invalid("type", "this connection is watching this copy; only the student it belongs to sends it")
    parent = class_of(copy)
    if parent is None:
        raise Invalid("type", f"the class's session {copy.parent} has ended; there is no class to send the run to")
    if copy.history.last == 0:
        raise Invalid("type", "this run has taken no steps yet: train it first, then send it")
    entry, replaced = parent.room.pool.add(copy.id, student_of(copy), conn.name, measure(copy), picture(copy.runs[0]))
    conn.send({"type": "pool_sent", "run": entry, "replaced": replaced})


def student_of(copy: Session) -> str:
    """Whose copy it is (release.py marks it), or the copy itself (one restored from a save)."""
    return (copy.room.fork or {}).get("student") or copy.id


def measure(copy: Session) -> dict:
    """What a copy's run tried and what it reached, all from the session (run A when comparing)."""
    run = copy.runs[0]
    run.evaluated()  # the losses at the last step (a frame may not have asked yet)
    base = copy.room.base or {}
    varied, settings = [], {}
    for f in copy.fields:
        if f.name in SKIPPED or f.kind in ("points", "compare"):
            continue
        value = copy.config.get(f.name)
        if f.name in base and value != base[f.name]:
            varied.append(f.name)
        if f.kind in VALUED and _applies(f.when, copy.config):
            settings[f.name] = value
    figures = {k: float(v) for k, v in run.metrics.items() if k in MEASURES}
    return {
        "varied": varied,
        "settings": settings,
        **figures,
        "steps": copy.history.last,
        "diverged": copy.diverged_at is not None,
        "diverged_at": copy.diverged_at,
    }


def _applies(when: dict[str, list] | None, config: dict) -> bool:
    """A setting that means something for this config (the page shows it): momentum with SGD, not Adam."""
    return when is None or all(config.get(k) in values for k, values in when.items())


class Pool:
    """A class's session's pooled runs, one a student, by the copy last sent from, in the
    order first sent. `version` changes with anything a save holds (pool_store.py)."""

    def __init__(self, session: Session):
        self.session = session
        self.runs: dict[str, dict] = {}  # copy id -> its entry
        self.students: dict[str, str] = {}  # copy id -> its student (student_of)
        self.pictures: dict[str, dict] = {}  # copy id -> its picture (pool_picture.py)
        self.numbers: dict[str, int] = {}  # student -> their number, kept when resent
        self.shown, self.y = False, "test_loss"
        self.x: str | None = None  # None: the setting most runs varied
        self.spotlight: int | None = None  # the number of the run shown large
        self.version = 0

    def add(self, key: str, student: str, name: str | None, figures: dict, pic: dict) -> tuple[dict, bool]:
        """The run of copy `key`, in place of any its student sent before (from any copy)."""
        earlier = [k for k, s in self.students.items() if s == student]
        if not earlier and len(self.runs) >= MAX_RUNS:
            raise Invalid("type", f"the class's pool holds {MAX_RUNS} runs, its most: the presenter clears it first")
        number = self.numbers.setdefault(student, len(self.numbers) + 1)
        for k in earlier:
            del self.runs[k], self.students[k], self.pictures[k]
        self.runs[key] = {"number": number, "name": name or f"student {number}", **figures}
        self.students[key], self.pictures[key] = student, pic
        self.publish(self.shown)
        return self.runs[key], bool(earlier)

    def clear(self) -> None:
        self.runs, self.students, self.pictures, self.numbers, self.spotlight = {}, {}, {}, {}, None
        self.publish(self.shown)

    def view(self, msg: dict) -> None:
        """Check every field first, then apply them all."""
        names = {f.name for f in self.session.fields if f.kind in VALUED and f.name not in SKIPPED}
        if msg.get("x") is not None and msg["x"] not in names:
            raise Invalid("x", f"'{msg['x'][:40]}' is not a setting a run can be plotted against")
        if "y" in msg and msg["y"] not in MEASURES:
            raise Invalid("y", f"'{str(msg['y'])[:40]}' is not a measure; the measures are {', '.join(MEASURES)}")
        spot = msg.get("spotlight")
        if spot is not None and spot not in (e["number"] for e in self.runs.values()):
            raise Invalid("spotlight", f"no run numbered {spot} has been sent")
        was = self.shown
        self.shown = msg.get("shown", self.shown)
        self.x = msg.get("x", self.x)
        self.y = msg.get("y", self.y)
        self.spotlight = msg.get("spotlight", self.spotlight)
        self.publish(was)

    def axes(self) -> list[str]:
        """The settings the runs varied, most often first (ties: the schema's order)."""
        counts = Counter(name for e in self.runs.values() for name in e["varied"])
        order = [f.name for f in self.session.fields]
        return sorted(counts, key=lambda n: (-counts[n], order.index(n)))

    def message(self, public: bool = True, names: bool = True) -> dict:
        """The pool as `pool` says it; `public` False: to a student while it is not shown;
        `names` False: to a student, who reads every run as "student N" (names given at join
        reach the presenter only, as in `room`), and to the presenter while the pool is on every
        screen (the presenter's is the one projected)."""
        axes = self.axes()
        x = self.x or (axes[0] if axes else "learning_rate")
        runs = list(self.runs.values()) if public else []
        if not names:
            runs = [{**e, "name": f"student {e['number']}"} for e in runs]
        shown = {"shown": self.shown, "x": x, "y": self.y, "spotlight": self.spotlight}
        spot = [k for k, e in self.runs.items() if e["number"] == self.spotlight] if public else []
        pic = self.pictures[spot[0]] if spot else None
        return {"type": "pool", **shown, "axes": axes, "runs": runs, "picture": pic}

    def for_(self, conn: Connection, on_class: bool) -> dict:
        presenter = on_class and conn.role == "controller"
        return self.message(public=self.shown or presenter, names=presenter and not self.shown)

    def publish(self, was_shown: bool) -> None:
        """To the class's controllers; to everyone else while shown (and once when hidden)."""
        self.version += 1
        room = self.session.room
        full = dumps(self.message(names=not self.shown))  # shown: on the projector too, anonymised
        for c in room.controllers():
            c.send_text(full)
        if not (self.shown or was_shown):
            return
        public = dumps(self.message(public=self.shown, names=False))
        for c in room.watchers() + [c for s in copies_of(self.session) for c in s.connections]:
            c.send_text(public)
