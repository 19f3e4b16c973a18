"""A training session: a network, its data, its history and the connections watching
it. It trains in short slices on the event loop, so commands (applied between two
steps) and frames (at most `frame_rate` a second) are never held up by training."""
from __future__ import annotations

import asyncio
import secrets
import time

import numpy as np

from engine import (
    EXTENT,
    LOSS_FOR_PROBLEM,
    OPTIMIZERS,
    Dataset,
    Network,
    Trainer,
    make_dataset,
    make_optimizer,
    output_size,
)
from engine.datasets import DATASETS
from engine.diagnostics import WINDOW, bands, layer_diagnostics
from engine.diagnostics import warnings as diagnostic_warnings
from engine.stopping import EarlyStopping

from .connection import Connection
from .frames import Frame
from .history import History
from .protocol import VERSION
from .schema import Field, Invalid, is_live, validate
from .settings import Settings
from .views import View, usable_features

FLOAT32_MAX = float(np.finfo(np.float32).max)


class Session:
    def __init__(self, sid: str, config: dict, settings: Settings, fields: list[Field],
                 loaded: dict[str, Dataset] | None = None):
        self.id, self.token = sid, secrets.token_urlsafe(16)
        self.settings, self.fields = settings, fields
        self.loaded = loaded or {}  # datasets read from files at start-up (MNIST), by name
        self.config, self.config_version = _consistent(config), 0
        self.connections: list[Connection] = []
        self.orphaned_at: float | None = time.monotonic()
        self.running, self.steps_pending, self.credit = False, 0, 0.0
        self.run = 0
        self.dirty, self.next_frame_at = False, 0.0
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.stopper: EarlyStopping | None = None
        self.stop_message = ""
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

    def _reset(self) -> None:
        """New initial weights from the seed; history and optimizer state start over."""
        c = self.config
        rng = np.random.default_rng(c["seed"])
        sizes = [self.view.input_size, *c["hidden"], output_size(self.data)]
        net = Network.create(sizes, c["activation"], LOSS_FOR_PROBLEM[self.problem],  # per layer: _apply_live
                             c["initializer"], rng, batch_norm=c["batch_norm"])
        opt = make_optimizer(c["optimizer"], c["learning_rate"], **self._hyper())
        self.trainer = Trainer(net, opt, self.data, self.view.feats, c["batch_size"], rng,
                               eval_limit=self.settings.eval_limit)
        self._apply_live([])
        self.history = History(len(net.layers), self.settings.history_limit)
        self.record = None
        self.metrics = self._evaluate()
        self.diverged_at: int | None = None
        self.steps_pending = 0
        self.run += 1
        self._publish()

    def _hyper(self) -> dict:
        return {k: self.config[k] for k in OPTIMIZERS[self.config["optimizer"]].hyper}

    def _apply_live(self, changed: list[str]) -> None:
        c, t = self.config, self.trainer
        if "optimizer" in changed:
            t.set_optimizer(c["optimizer"], **self._hyper())
        for key, value in self._hyper().items():
            setattr(t.optimizer, key, value)
        t.learning_rate = c["learning_rate"]
        t.schedule, t.schedule_period = c["schedule"], c["schedule_period"]
        t.schedule_gamma, t.schedule_floor = c["schedule_gamma"], c["schedule_floor"]
        t.clip, t.clip_threshold = c["clip"], c["clip_threshold"]
        t.batch_size = c["batch_size"]
        t.regularizer, t.reg_rate = c["regularization"], c["reg_rate"]
        per_layer = c["layer_activations"]
        for i in range(len(t.network.hidden)):
            t.network.set_activation(per_layer[i] if i < len(per_layer) and per_layer[i] else c["activation"], i)
        t.network.set_dropout(c["dropout"])
        t.network.residual = c["residual"]
        if "early_stopping" in changed or "patience" in changed or not changed:
            self.stopper = EarlyStopping(c["patience"]) if c["early_stopping"] else None
        self.credit = 0.0
        if {"activation", "layer_activations"} & set(changed):  # the neurons' pictures change even when paused
            self.dirty = True

    # -- training -------------------------------------------------------------

    def _evaluate(self) -> dict[str, float]:
        train, test = self.trainer.evaluate("train"), self.trainer.evaluate("test")
        out = {"train_loss": train["loss"], "test_loss": test["loss"],
               "clipped_steps": float(self.trainer.clipped_steps)}
        for key in ("accuracy", "r2"):
            if key in train:
                out[f"train_{key}"], out[f"test_{key}"] = train[key], test[key]
        return out

    def _one_step(self) -> bool:
        rec = self.trainer.step()
        metrics = self._evaluate() if rec.finite else {}
        sizes = [rec.loss, *rec.grad_norms, *metrics.values()]
        sizes += [v for layer in rec.layers for v in layer.stats.values()]
        # Past float32's range the wire would carry Inf: for the page that is divergence.
        if not rec.finite or not all(abs(v) < FLOAT32_MAX for v in sizes):
            self.running, self.steps_pending, self.diverged_at = False, 0, rec.step
            self._publish()
            self._broadcast_state()
            return False
        self.record, self.metrics = rec, metrics
        per_layer = [layer_diagnostics(r.activation, r.y, r.a, r.delta, r.W, r.dW, r.dW_step, r.stats)
                     for r in rec.layers]
        self.history.append((rec.loss, metrics["train_loss"], metrics["test_loss"], rec.learning_rate), per_layer)
        self.dirty = True
        if self.stopper and self.stopper.should_stop(rec.step, metrics["test_loss"]):
            s = self.stopper
            self.running, self.steps_pending = False, 0
            self.stop_message = (f"early stopping at step {rec.step}: the test loss has not improved for "
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
            if self.dirty and now >= self.next_frame_at:
                self._publish()
                # A big network's frame is costly (its output over the whole grid): keep
                # drawing frames under a quarter of the time, so training still moves.
                cost = time.monotonic() - now
                self.next_frame_at = now + max(period, 4 * cost)
            await self._idle(now)

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

    def _columns(self) -> list[dict]:
        net = self.trainer.network
        cols = [{"size": self.view.input_size, "activation": None, "labels": self.view.input_labels()}]
        cols += [{"size": layer.params["b"].size, "activation": layer.activation.name}
                 for layer in net.hidden]
        cols.append({"size": output_size(self.data), "activation": net.loss.output_activation,
                     "labels": self.view.output_labels()})
        return cols

    def _params(self) -> list[tuple]:
        if self.record is not None:  # the record's weights stay good even when the live ones diverged
            return [(layer.W, layer.b) for layer in self.record.layers]
        return [(layer.params["W"], layer.params["b"]) for layer in self.trainer.network.layers]

    def _tensors(self, params: list[tuple]) -> dict[str, np.ndarray]:
        rec = self.record
        out = self.view.tensors(self.trainer.network, params, self.trainer.x_test)
        for i, (W, b) in enumerate(params):
            out[f"layer{i}.W"], out[f"layer{i}.b"] = W, b
            if rec is not None:
                lr = rec.layers[i]
                out[f"layer{i}.dW"], out[f"layer{i}.db"] = lr.dW, lr.db
                out[f"layer{i}.dW_step"], out[f"layer{i}.db_step"] = lr.dW_step, lr.db_step
                out[f"layer{i}.a_mean"] = lr.a.mean(axis=0)
                out[f"layer{i}.delta_abs"] = np.abs(lr.delta).mean(axis=0)  # per neuron, for the gradient map
                out[f"layer{i}.bands.W"] = bands(lr.W)
                out[f"layer{i}.bands.dW"] = bands(lr.dW)
                out[f"layer{i}.bands.a"] = bands(lr.a)
        return out

    def _warnings(self) -> list[dict]:
        """Plain-word warnings about the last steps; empty again once the pattern is gone."""
        if self.diverged_at is not None or not self.history.rows:
            return []
        hidden = [layer.activation.name for layer in self.trainer.network.hidden]
        return diagnostic_warnings(self.history.window(WINDOW), hidden)

    def _publish(self) -> None:
        """Encode the current state once and hand it to every connection."""
        s, params = self.settings, self._params()
        metrics = {**self.metrics, **self.view.class_metrics(self.trainer.network, params, self.trainer.x_test)}
        header = {
            "kind": "frame", "step": self.history.last, "config_version": self.config_version,
            "running": self.running, "run": self.run, "columns": self._columns(),
            "problem": self.problem, "inputs": self.data.inputs, "metrics": metrics,
            "warnings": self._warnings(),
            "grid": {"res": s.grid_res, "extent": list(EXTENT), "node_res": self.view.node_res},
        }
        previous = getattr(self, "frame", None)
        first = previous.last + 1 if previous and previous.run == self.run else self.history.first
        self.frame = Frame.build(self.run, first, header, self._tensors(params), self.history)
        self.dirty = False
        for conn in self.connections:
            conn.offer(self.frame)

    # -- connections and commands --------------------------------------------------

    def state(self) -> dict:
        msg = f"diverged at step {self.diverged_at}" if self.diverged_at else self.stop_message
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
                 "schema": schema, "limits": limits, "state": self.state()}
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
        if kind in ("play", "pause", "reset"):
            self._broadcast_state()
        self.wake.set()

    def _change(self, partial: dict) -> None:
        merged, changed = validate(partial, self.config, self.fields)
        merged = _consistent(merged)
        changed = [k for k in merged if merged[k] != self.config[k]]
        self.config = merged
        rebuilt = bool(changed) and not is_live(changed, self.fields)
        self.config_version += 1
        message = {"type": "config", "config": self.config, "config_version": self.config_version,
                   "rebuilt": rebuilt, "changed": changed}
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


def _consistent(config: dict) -> dict:
    """Features that do not apply to the dataset (x2 on a line) are dropped here, so the
    config every page shows is the one the network uses. Images ignore features; the
    choice is kept for when the user goes back to a 2D dataset."""
    if config["dataset"] not in DATASETS or not DATASETS[config["dataset"]].features:
        return config
    return {**config, "features": usable_features(config["dataset"], config["features"])}
