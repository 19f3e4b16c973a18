"""A training session: its config, its data, one run (or two in lockstep when comparing),
the connections watching it and the commands they send. It decides what a step, a
command or a config change does (each command: `commands.py`); `pacer.py` decides when
it trains and draws, `frames.py` what a frame holds, `changes.py` what a config change
means. Commands go in, encoded frames come out: the shape a session in a worker process
needs."""

from __future__ import annotations

import time

from engine import Dataset, recurrent_setup, time_diagnostics
from engine.diagnostics import describe as describe_diagnostics
from engine.recurrent_setup import is_sequence
from engine.sequences import SequenceData
from engine.userdata import dataset_for

from . import changes, commands, owndata, stops, transfer
from .connection import Connection
from .conv_run import make_run
from .explain import Explanation
from .frames import Frame, assemble
from .history import History
from .pacer import Pacer
from .presets import PRESETS
from .protocol import VERSION, dumps
from .recurrent_run import RecurrentRun, SequenceView
from .replay import Replay
from .room import Room
from .run import Run
from .schema import Field
from .settings import Settings
from .views import View, usable_features

Data = Dataset | SequenceData
# The engine's account of its measures and warnings, those through time included.
DIAGNOSTICS = describe_diagnostics()
DIAGNOSTICS["warnings"] += [dict(w) for w in time_diagnostics.WARNINGS]


class Session:
    def __init__(
        self,
        sid: str,
        config: dict,
        settings: Settings,
        fields: list[Field],
        loaded: dict[str, Dataset] | None = None,
        token: str | None = None,
    ):
        # The registry's token for this id (secret.py); a session built alone (headless, a test) has none.
        self.id, self.token = sid, token or ""
        self.parent: str | None = None  # the session this one was forked from (fork.py), if any
        self.settings, self.fields = settings, fields
        self.loaded = loaded or {}  # datasets read from files at start-up (MNIST), by name
        self.config, self.config_version = changes.consistent(config), 0
        self.connections: list[Connection] = []
        self.orphaned_at: float | None = time.monotonic()
        self.running, self.steps_pending, self.dirty = False, 0, False
        self.run = 0  # counts resets and rebuilds
        self.stop_message = ""
        self.diverged_at: int | None = None
        self.diverged_runs: list[str] = []
        self.diverged_shown = False  # the step that diverged is the one shown (its whole-set loss overflowed)
        self.failed_at: int | None = None  # step at which an internal error stopped training
        self.pacer = Pacer(self, settings.frame_rate, settings.slice_seconds)
        self.explanation = Explanation()
        self.room = Room(self, settings.room_interval)
        self.replay = Replay()  # the timeline's snapshots (replay.py)
        self._install(*self._build(self.config))

    # -- building: first everything new, then swapped in, so a failure changes nothing --

    def _build(self, config: dict) -> tuple[Data, View | SequenceView, list[Run]]:
        c = config
        if is_sequence(c["dataset"]):
            sequences = recurrent_setup.data(c)
            return sequences, SequenceView(sequences, self.settings), self._runs(config, sequences, None)
        data = self.loaded.get(c["dataset"]) or dataset_for(c)
        view = View(data, usable_features(c["dataset"], c["features"]), self.settings, c["hidden"])
        return data, view, self._runs(config, data, view)

    def _runs(self, config: dict, data: Data, view: View | None) -> list[Run]:
        configs = changes.run_configs(config, self.fields)
        if isinstance(data, SequenceData):
            return [RecurrentRun(c, data, SequenceView(data, self.settings), self.settings) for c in configs]
        assert view is not None
        return [make_run(c, data, view, self.settings) for c in configs]

    def _install(self, data: Data, view: View | SequenceView, runs: list[Run]) -> None:
        self.data, self.view, self.dataset_message = data, view, view.dataset_message()
        waiting = owndata.untrainable(self.config) and (self.running or self.steps_pending)
        if waiting:  # your own points, too few: training waits for more
            self.running, self.steps_pending = False, 0
        self._start(runs)
        if waiting:
            self._broadcast_state()

    def _start(self, runs: list[Run]) -> None:
        """New runs: history and optimizer state start over."""
        self.runs = runs
        self.replay.restart(runs)
        self.diverged_at = self.failed_at = None
        self.diverged_shown = False
        self.steps_pending = 0
        self.pacer.restart()
        self.run += 1
        self.publish()
        self._explain(restart=True)

    @property
    def history(self) -> History:
        return self.runs[0].history

    # -- training (the pacer says when) ------------------------------------------------

    def step(self) -> bool:
        """One step of every run, in lockstep, kept only if none diverged. False once
        training stopped: divergence, early stopping, or the end of a `step` command."""
        results = [run.step() for run in self.runs]
        kept = [r for r in results if r is not None]
        if len(kept) < len(results):
            self.diverged_at = self.history.last + 1
            self.diverged_runs = [name for name, r in zip("AB", results) if r is None]
            return self._stopped()
        for run, rec in zip(self.runs, kept):
            run.commit(rec)
        self.replay.keep(self.runs)
        self.dirty = True
        a, rec = self.runs[0], kept[0]
        if a.stopper and not self._evaluated():  # early stopping needs the test loss of every step
            return self._stopped()
        if a.stopper and a.stopper.should_stop(rec.step, a.metrics["test_loss"]):
            self.stop_message = stops.early(rec.step, a.stopper)
            self._stopped()
            self.stop_message = ""
            return False
        if self.steps_pending:
            self.steps_pending -= 1
            if not self.steps_pending:
                return self._stopped()
        return True

    def _stopped(self) -> bool:
        self.running, self.steps_pending = False, 0
        self.publish()
        self._broadcast_state()
        self._explain(restart=True)  # the next step's explanation, from its first stage
        return False

    def fail(self) -> None:
        """An unexpected error while training or drawing (the pacer logged it): pause and
        say so to everyone. The runs may be half a step on, so only a reset continues."""
        self.failed_at = self.history.last + 1
        self.running, self.steps_pending, self.dirty = False, 0, False
        self._broadcast_state()

    def _evaluated(self) -> bool:
        """Evaluate the runs' losses over the whole sets at this step (once). A loss past
        float32's range is a divergence found at this step, which stays shown."""
        bad = [name for name, run in zip("AB", self.runs) if not run.evaluated()]
        if bad and self.diverged_at is None:
            self.diverged_at, self.diverged_runs, self.diverged_shown = self.history.last, bad, True
        return not bad

    @property
    def watched(self) -> bool:
        return bool(self.connections)

    def publish(self) -> None:
        """Encode the current state once and hand it to every connection; with none, only
        note that the frame is out of date (`attach` builds it for whoever comes)."""
        if not self.watched and hasattr(self, "frame"):
            self.dirty = True
            return
        if self.replay.showing is not None:  # the timeline is held: its step's frame, not the live one
            return self.replay.publish(self)
        stopping = not self._evaluated() and (self.running or self.steps_pending)
        if stopping:
            self.running, self.steps_pending = False, 0
        previous = getattr(self, "frame", None)
        self.frame: Frame = assemble(
            self.runs, self.run, self.config_version, self.running, self.config["compare"], previous
        )
        self.dirty = False
        for conn in self.connections:
            conn.offer(self.frame)
        if stopping:
            self._broadcast_state()

    # -- connections and commands --------------------------------------------------

    def state(self) -> dict:
        msg = self.stop_message
        if self.diverged_at:
            msg = stops.diverged(self.diverged_at, self.diverged_runs, len(self.runs) > 1, self.diverged_shown)
        elif self.failed_at:
            msg = stops.failed(self.failed_at)
        return {"running": self.running, "step": self.history.last, "diverged_at": self.diverged_at, "message": msg}

    def _broadcast(self, message: dict) -> None:
        text = dumps(message)  # once, however many follow: a room of 200 would otherwise encode it 200 times
        for conn in self.connections:
            conn.send_text(text)

    def _broadcast_state(self) -> None:
        self._broadcast({"type": "state", **self.state()})

    def attach(self, conn: Connection, role: str, schema: list[dict], limits: dict) -> None:
        conn.role = role
        self.connections.append(conn)
        self.orphaned_at = None
        had_controller = role == "controller" and self.room.seat(conn)
        hello = {
            "type": "hello",
            "protocol": VERSION,
            "session": self.id,
            "role": role,
            "config": self.config,
            "config_version": self.config_version,
            "schema": schema,
            "limits": limits,
            "state": self.state(),
            "presets": PRESETS,
            "diagnostics": DIAGNOSTICS,
            **self.room.hello(conn),
        }
        if role == "controller":
            hello["token"] = self.token
        conn.send(hello)
        conn.send_bytes(self.dataset_message)
        if len(self.connections) == 1:  # back from unwatched: train on from now, not for the time away
            self.pacer.restart()
            self.pacer.poke()
        if self.dirty and len(self.connections) == 1:  # changed while nobody watched: its frame now
            self.publish()
        else:
            conn.offer(self.frame)
        self.replay.joined(conn)
        if self.explanation.on:
            conn.send(self.explanation.message(self.runs[0]))
        self.room.joined(conn, had_controller)

    def detach(self, conn: Connection) -> None:
        if conn in self.connections:
            self.connections.remove(conn)
            self.room.left(conn)
        if not self.connections:
            self.orphaned_at = time.monotonic()

    def command(self, conn: Connection, msg: dict) -> None:
        """Apply one validated-shape message from a connection (commands.py); raises Invalid."""
        commands.apply(self, conn, msg)

    def _explain(self, restart: bool = False, always: bool = False) -> None:
        """Send the explanation of the next step to everyone while the mode is on (the "off"
        message too when `always`)."""
        message = self.explanation.update(self.runs[0], restart, always)
        if message is not None:
            self._broadcast(message)

    def _change(self, partial: dict, preset: str | None = None, keep: list[Run] | None = None) -> None:
        """Validated, built or applied, and only then committed and announced: a change
        that fails (Invalid, or an unexpected error) leaves the session as it was.
        `keep`: runs whose weights the new ones start from where they fit (transfer.py)."""
        change = changes.plan(partial, self.config, self.fields, preset)
        built = self._build(change.config) if change.rebuilt else None
        if built is not None and keep:
            change = transfer.carry(keep, built[2], change)
        if built is None and change.changed:
            self._apply_live(change.config, change.changed)
        self.config = change.config
        self.config_version += 1
        self._broadcast(change.message(self.config_version))
        if built is not None:
            self._install(*built)
            for conn in self.connections:
                conn.send_bytes(self.dataset_message)
                conn.offer(self.frame)
        elif change.changed:
            self._explain(restart=False)  # the preview of the next step changed with its settings
            self.pacer.restart()
            if {"activation", "layer_activations", "sample"} & set(change.changed):  # pictures change when paused
                self.dirty = True
            if self.running:
                self.pacer.show_soon()

    def _apply_live(self, config: dict, changed: list[str]) -> None:
        try:
            for run, c in zip(self.runs, changes.run_configs(config, self.fields)):
                run.apply_live(c, changed)
        except Exception:
            for run, c in zip(self.runs, changes.run_configs(self.config, self.fields)):  # undo what was applied
                run.apply_live(c, changed)
            raise
