"""A training session: a network, its data, its history and the connections watching
it. It trains in short slices on the event loop, so commands (applied between two
steps) and frames (at most `frame_rate` a second) are never held up by training."""
from __future__ import annotations

import asyncio
import secrets
import time
from collections import deque

from engine import EXTENT, OPTIMIZERS, Dataset, make_dataset
from engine.datasets import DATASETS
from engine.diagnostics import describe as describe_diagnostics

from .connection import Connection
from .errors import Invalid
from .frames import Frame
from .history import History
from .presets import BY_NAME as PRESETS
from .presets import PRESETS as PRESET_LIST
from .protocol import VERSION
from .run import Run
from .schema import Field, defaults, is_live, validate
from .settings import Settings
from .views import View, usable_features


class Session:
    def __init__(self, sid: str, config: dict, settings: Settings, fields: list[Field],
                 loaded: dict[str, Dataset] | None = None, token: str | None = None):
        self.id, self.token = sid, token or secrets.token_urlsafe(16)
        self.settings, self.fields = settings, fields
        self.loaded = loaded or {}  # datasets read from files at start-up (MNIST), by name
        self.config, self.config_version = _consistent(config), 0
        self.connections: list[Connection] = []
        self.orphaned_at: float | None = time.monotonic()
        self.running, self.steps_pending, self.credit = False, 0, 0.0
        self.run = 0
        self.dirty, self.next_frame_at = False, 0.0
        self.recent_frames: deque[float] = deque()  # when the frames of the last second left
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.stop_message = ""
        self.diverged_runs: list[str] = []
        self._rebuild()

    # -- building -------------------------------------------------------------

    def _rebuild(self) -> None:
        c = self.config
        data = self.loaded.get(c["dataset"]) or make_dataset(
            c["dataset"], c["samples"], c["noise"], c["train_ratio"], c["data_seed"], classes=c["classes"])
        self.problem = data.problem
        self.data = data
        self.view = View(data, usable_features(c["dataset"], c["features"]), self.settings, c["hidden"])
        self.dataset_message = self.view.dataset_message()
        self._reset()

    def _configs(self) -> list[dict]:
        """Run A's config, and run B's when comparing: the same but for one setting."""
        c, compare = self.config, self.config["compare"]
        return [c] if compare is None else [c, {**c, compare["field"]: compare["value"]}]

    def _reset(self) -> None:
        """New initial weights from the seed; history and optimizer state start over."""
        self.runs = [Run(c, self.data, self.view, self.settings) for c in self._configs()]
        self.diverged_at: int | None = None
        self.steps_pending = 0
        self.credit = 0.0
        self.run += 1
        self._publish()

    @property
    def history(self) -> History:
        return self.runs[0].history

    def _apply_live(self, changed: list[str]) -> None:
        for run, config in zip(self.runs, self._configs()):
            run.apply_live(config, changed)
        self.credit = 0.0
        if {"activation", "layer_activations"} & set(changed):  # the neurons' pictures change even when paused
            self.dirty = True

    # -- training -------------------------------------------------------------

    def _one_step(self) -> bool:
        """One step of every run, in lockstep: kept only if none diverged."""
        results = [run.step() for run in self.runs]
        if any(r is None for r in results):
            self.running, self.steps_pending = False, 0
            self.diverged_at = self.history.last + 1
            self.diverged_runs = [name for name, r in zip("AB", results) if r is None]
            self._publish()
            self._broadcast_state()
            return False
        for run, (rec, metrics) in zip(self.runs, results):
            run.commit(rec, metrics)
        self.dirty = True
        a = self.runs[0]
        if a.stopper and a.stopper.should_stop(a.record.step, a.metrics["test_loss"]):
            s = a.stopper
            self.running, self.steps_pending = False, 0
            self.stop_message = (f"early stopping at step {a.record.step}: the test loss has not improved for "
                                 f"{s.patience} steps (best {s.best:.4g} at step {s.best_step})")
            self._publish()
            self._broadcast_state()
            self.stop_message = ""
            return False
        return True

    def _train(self, elapsed: float) -> None:
        speed = self.config["speed"]
        if self.steps_pending:
            allowed = self.steps_pending
        elif speed == 0:
            allowed = 1 << 30
        else:
            cap = max(1.0, speed / self.settings.frame_rate)
            self.credit = min(self.credit + elapsed * speed, cap)
            allowed = int(self.credit)
        deadline = time.monotonic() + self.settings.slice_seconds
        done = 0
        while done < allowed and (done == 0 or time.monotonic() < deadline):
            if not self._one_step():
                return
            done += 1
        if self.steps_pending:
            self.steps_pending -= done
            if not self.steps_pending:
                self._publish()
                self._broadcast_state()
        elif speed:
            self.credit -= done

    async def loop(self) -> None:
        period = 1.0 / self.settings.frame_rate
        last = time.monotonic()
        while True:
            now = time.monotonic()
            if self.running or self.steps_pending:
                self._train(now - last)
            last = now
            if self.dirty and time.monotonic() >= self.next_frame_at and self._frame_allowed():
                started = time.monotonic()
                self._publish()
                # A big network's frame is costly (its output over the whole grid): keep
                # drawing frames under a quarter of the time, so training still moves.
                cost = time.monotonic() - started
                self.next_frame_at = started + max(period, 4 * cost)
            await self._idle(now)

    def _frame_allowed(self) -> bool:
        """At most `frame_rate` frames in any second, early ones (after a change) included."""
        now = time.monotonic()
        while self.recent_frames and now - self.recent_frames[0] >= 1.0:
            self.recent_frames.popleft()
        if len(self.recent_frames) >= self.settings.frame_rate:
            self.next_frame_at = self.recent_frames[0] + 1.0
            return False
        self.recent_frames.append(now)
        return True

    async def _idle(self, now: float) -> None:
        speed = self.config["speed"]
        if self.steps_pending or (self.running and speed == 0):
            await asyncio.sleep(0)
            return
        waits = []
        if self.running:
            waits.append(max(0.0, (1.0 - self.credit) / speed))
        if self.dirty:
            waits.append(max(0.0, self.next_frame_at - now))
        try:
            await asyncio.wait_for(self.wake.wait(), min(waits) if waits else None)
        except TimeoutError:
            pass
        self.wake.clear()

    # -- frames -----------------------------------------------------------------

    def _publish(self) -> None:
        """Encode the current state once and hand it to every connection."""
        s, a = self.settings, self.runs[0]
        header = {
            "kind": "frame", "step": self.history.last, "config_version": self.config_version,
            "running": self.running, "run": self.run, "columns": a.columns(),
            "problem": self.problem, "inputs": self.data.inputs, "metrics": a.frame_metrics(),
            "warnings": a.warnings(),  # after a divergence: what led up to it
            "health": a.health(),
            "grid": {"res": s.grid_res, "extent": list(EXTENT), "node_res": self.view.node_res},
        }
        tensors = a.tensors()
        histories = {"": a.history}
        if len(self.runs) > 1:
            b = self.runs[1]
            header |= {"compare": self.config["compare"], "columns_b": b.columns(),
                       "metrics_b": b.frame_metrics(), "warnings_b": b.warnings(), "health_b": b.health()}
            tensors |= {f"b/{name}": arr for name, arr in b.tensors().items()}
            histories["b/"] = b.history
        previous = getattr(self, "frame", None)
        first = previous.last + 1 if previous and previous.run == self.run else self.history.first
        self.frame = Frame.build(self.run, first, header, tensors, histories)
        self.dirty = False
        for conn in self.connections:
            conn.offer(self.frame)

    # -- connections and commands --------------------------------------------------

    def state(self) -> dict:
        msg = self.stop_message
        if self.diverged_at:
            which = f"run {' and '.join(self.diverged_runs)} " if len(self.runs) > 1 else ""
            msg = f"{which}diverged at step {self.diverged_at}"
        return {"running": self.running, "step": self.history.last,
                "diverged_at": self.diverged_at, "message": msg}

    def _broadcast(self, message: dict) -> None:
        for conn in self.connections:
            conn.send(message)

    def _broadcast_state(self) -> None:
        self._broadcast({"type": "state", **self.state()})

    def attach(self, conn: Connection, role: str, schema: list[dict], limits: dict) -> None:
        conn.role = role
        self.connections.append(conn)
        self.orphaned_at = None
        hello = {"type": "hello", "protocol": VERSION, "session": self.id, "role": role,
                 "config": self.config, "config_version": self.config_version,
                 "schema": schema, "limits": limits, "state": self.state(), "presets": PRESET_LIST,
                 "diagnostics": describe_diagnostics()}
        if role == "controller":
            hello["token"] = self.token
        conn.send(hello)
        conn.send_bytes(self.dataset_message)
        conn.offer(self.frame)

    def detach(self, conn: Connection) -> None:
        if conn in self.connections:
            self.connections.remove(conn)
        if not self.connections:
            self.orphaned_at = time.monotonic()

    def command(self, conn: Connection, msg: dict) -> None:
        """Apply one validated-shape message from a connection; raises Invalid."""
        kind = msg["type"]
        if conn.role != "controller":
            raise Invalid("type", "this connection is watching; only the controller changes the session")
        if kind in ("play", "step") and self.diverged_at is not None:
            raise Invalid("type", f"the run diverged at step {self.diverged_at}; reset to continue")
        if kind == "play":
            self.running, self.credit = True, 0.0
        elif kind == "pause":
            self.running, self.steps_pending = False, 0
        elif kind == "step":
            self.running, self.steps_pending = False, msg["n"]
        elif kind == "reset":
            self._reset()
        elif kind == "regenerate":
            self._change({"data_seed": secrets.randbelow(2**31 - 1)})
        elif kind == "set":
            self._change(msg["config"])
        elif kind == "preset":
            if msg["name"] not in PRESETS:
                raise Invalid("name", "unknown preset; the list is in hello.presets")
            # A preset is a whole setup: everything it does not name goes back to its default.
            self._change({**defaults(self.fields), **PRESETS[msg["name"]]["config"]}, preset=msg["name"])
        if kind in ("play", "pause", "reset"):
            self._broadcast_state()
        self.wake.set()

    def _change(self, partial: dict, preset: str | None = None) -> None:
        merged, changed = validate(partial, self.config, self.fields)
        merged = _consistent(merged)
        changed = [k for k in merged if merged[k] != self.config[k]]
        self.config = merged
        # A preset always starts a new run, even when it only differs in live settings.
        rebuilt = preset is not None or (bool(changed) and not is_live(changed, self.fields))
        self.config_version += 1
        message = {"type": "config", "config": self.config, "config_version": self.config_version,
                   "rebuilt": rebuilt, "changed": changed}
        if preset:
            message["preset"] = preset
        if "optimizer" in changed and not rebuilt:
            label = OPTIMIZERS[merged["optimizer"]].label
            message["notice"] = (f"Switched to {label}: the weights are kept, the optimizer's "
                                 "state (velocities, averages) starts over.")
        self._broadcast(message)
        if rebuilt:
            running = self.running
            self._rebuild()
            self.running = running
            for conn in self.connections:
                conn.send_bytes(self.dataset_message)
                conn.offer(self.frame)
        elif changed:
            self._apply_live(changed)
            if self.running:  # show the change soon: the next frame may come early, though not
                # within half a frame period of the last, nor past frame_rate frames a second
                last = self.recent_frames[-1] if self.recent_frames else 0.0
                self.next_frame_at = min(self.next_frame_at, last + 0.5 / self.settings.frame_rate)



def _consistent(config: dict) -> dict:
    """Features that do not apply to the dataset (x2 on a line) are dropped here, so the
    config every page shows is the one the network uses. Images ignore features; the
    choice is kept for when the user goes back to a 2D dataset."""
    if config["dataset"] not in DATASETS or not DATASETS[config["dataset"]].features:
        return config
    return {**config, "features": usable_features(config["dataset"], config["features"])}
