"""A session's state as plain data, and a session made again from it: the one place that
knows what a session is beyond its config. `snapshot` gives JSON (`meta`) and named NumPy
arrays (`arrays`); `restore` builds a new, independent session from them. A fork (a
student's own copy of the presenter's run, "continue from here") is a restore of a
snapshot under a new id; a store on disk can keep the two parts as they are.

What it holds, per run (one, or two when comparing): every layer's parameters and batch-norm
running statistics, the optimizer's state (momentum, Adam's moments, its step count), the
trainer's position (steps taken, the epoch's batch order and place in it, the generator's
state, so the next batch and dropout mask are the ones the original would draw), early
stopping's best, and the retained history. Per session: the config, the data (a generated
dataset's arrays and split; a dataset read from a file by its name; a sequence task, which
is its seed, from the config) and how the run stopped (diverged, failed).
Not held: the last step's record (what a frame's gradient pictures show): `fork` shares it,
read-only, with the original; a restored session shows them from its next step."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import Dataset

from .schema import Field
from .session import Session
from .settings import Settings

FORMAT = 1
LAYER_STATS = ("running_mean", "running_var")  # batch norm's, where a layer has them
DATASET_META = ("name", "problem", "inputs", "classes", "image_shape", "class_labels")
DATASET_ARRAYS = ("x_train", "y_train", "x_test", "y_test")


def snapshot(session: Session, history: bool = True) -> dict[str, Any]:
    """{"meta": JSON-able dict, "arrays": {name: ndarray}}: copies, the session is untouched.
    `history=False`: without each run's history rows (the store keeps them in chunks, store.py)."""
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, Any] = {
        "format": FORMAT,
        "id": session.id,
        "parent": session.parent,
        "fork": session.room.fork,  # a student's copy: of which class, and whose (release.py)
        "config": session.config,
        "stopped": {
            "diverged_at": session.diverged_at,
            "diverged_runs": list(session.diverged_runs),
            "diverged_shown": session.diverged_shown,
            "failed_at": session.failed_at,
        },
        "data": _data(session, arrays),
        "runs": [_run(run, f"run{r}/", arrays, history) for r, run in enumerate(session.runs)],
    }
    return {"meta": meta, "arrays": arrays}


def restore(
    snap: dict[str, Any],
    sid: str,
    settings: Settings,
    fields: list[Field],
    loaded: dict[str, Dataset],
    token: str | None = None,
) -> Session:
    """A new session with the snapshot's state under id `sid` (paused, nobody attached; the
    caller starts its pacer). `loaded`: the datasets the server read from files, by name."""
    meta, arrays = snap["meta"], snap["arrays"]
    if meta.get("format") != FORMAT:
        raise ValueError(f"snapshot format {meta.get('format')!r}; this server reads {FORMAT}")
    config, data = meta["config"], meta["data"]
    given = dict(loaded)
    if data["kind"] == "dataset":  # the session builds on these arrays, not on data drawn again
        named: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data["fields"].items()}
        given[config["dataset"]] = Dataset(**named, **{k: arrays[f"data/{k}"] for k in DATASET_ARRAYS})
    session = Session(sid, config, settings, fields, given, token)
    session.loaded = loaded  # a later change of data makes its own, as in any session
    for r, (run, state) in enumerate(zip(session.runs, meta["runs"], strict=True)):
        _load_run(run, state, f"run{r}/", arrays)
    stopped = meta["stopped"]
    session.diverged_at, session.failed_at = stopped["diverged_at"], stopped["failed_at"]
    session.diverged_runs, session.diverged_shown = list(stopped["diverged_runs"]), stopped["diverged_shown"]
    # A student's copy brought back from the store is still its class's, and its student's.
    session.parent, session.room.fork = meta.get("parent"), meta.get("fork")
    session.dirty = True  # its frame is the one of the state loaded: built for whoever attaches
    return session


def fork(
    session: Session,
    sid: str,
    settings: Settings,
    fields: list[Field],
    loaded: dict[str, Dataset],
    token: str | None = None,
    snap: dict[str, Any] | None = None,
) -> Session:
    """A new session `sid` that continues exactly where `session` stands, owned by its own
    token, its `parent` the original. `snap`: a snapshot of `session` just taken (a class's
    copies share one). The last step's records are shared: they are read-only."""
    copy = restore(snap or snapshot(session), sid, settings, fields, loaded, token)
    copy.parent = session.id
    for mine, theirs in zip(copy.runs, session.runs):
        mine.record = theirs.record
    return copy


# -- the parts -----------------------------------------------------------------------


def _data(session: Session, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    name = session.config["dataset"]
    data = session.data
    if not isinstance(data, Dataset):
        return {"kind": "sequences"}  # a generated task: its seed and settings are in the config
    if session.loaded.get(name) is data:
        return {"kind": "loaded", "name": name}  # read from a file at start-up: too big to copy, the same everywhere
    for k in DATASET_ARRAYS:
        arrays[f"data/{k}"] = getattr(data, k).copy()
    return {"kind": "dataset", "fields": {k: _plain(getattr(data, k)) for k in DATASET_META}}


def _run(run: Any, prefix: str, arrays: dict[str, np.ndarray], with_history: bool = True) -> dict[str, Any]:
    t = run.trainer
    for i, layer in enumerate(t.network.layers):
        for k, v in layer.params.items():
            arrays[f"{prefix}layer{i}/{k}"] = v.copy()
        for k in LAYER_STATS:
            if hasattr(layer, k):
                arrays[f"{prefix}layer{i}/{k}"] = getattr(layer, k).copy()
    slots = []
    for (i, k), state in t.optimizer.state.items():
        plain = {}
        for slot, v in state.items():
            if isinstance(v, np.ndarray):
                arrays[f"{prefix}opt/{i}/{k}/{slot}"] = v.copy()
            else:
                plain[slot] = _plain(v)
        slots.append([i, k, sorted(state), plain])
    arrays[f"{prefix}order"] = t._order.copy()
    history = run.history
    if with_history:
        arrays[f"{prefix}history"], arrays[f"{prefix}history_steps"] = history.rows.copy(), history.steps.copy()
    out: dict[str, Any] = {
        "steps": t.steps,
        "clipped_steps": t.clipped_steps,
        "pos": t._pos,
        "rng": t.rng.bit_generator.state,
        "optimizer": {"name": t.optimizer.name, "slots": slots},
        "stopper": None if run.stopper is None else {"best": _finite(run.stopper.best), "step": run.stopper.best_step},
        "history": history.state(),
    }
    if hasattr(run, "heat"):  # a recurrent run's recent dL/dh_t by time step
        arrays[f"{prefix}heat"], arrays[f"{prefix}heat_steps"] = run.heat.copy(), run.heat_steps.copy()
        out["heat_count"] = run.heat_count
    return out


def _load_run(run: Any, state: dict[str, Any], prefix: str, arrays: dict[str, np.ndarray]) -> None:
    t = run.trainer
    for i, layer in enumerate(t.network.layers):
        for k in layer.params:
            layer.params[k] = arrays[f"{prefix}layer{i}/{k}"].copy()
        for k in LAYER_STATS:
            if hasattr(layer, k):
                setattr(layer, k, arrays[f"{prefix}layer{i}/{k}"].copy())
    if state["optimizer"]["name"] != t.optimizer.name:
        raise ValueError(f"the snapshot's optimizer is {state['optimizer']['name']}, its config's {t.optimizer.name}")
    t.optimizer.state = {}
    for i, k, names, plain in state["optimizer"]["slots"]:
        t.optimizer.state[(i, k)] = {
            slot: plain[slot] if slot in plain else arrays[f"{prefix}opt/{i}/{k}/{slot}"].copy() for slot in names
        }
    t.steps, t.clipped_steps, t._pos = state["steps"], state["clipped_steps"], state["pos"]
    t._order = arrays[f"{prefix}order"].copy()
    t.rng.bit_generator.state = state["rng"]  # in place: the layers draw dropout masks from this generator too
    if state["stopper"] is not None and run.stopper is not None:
        best = state["stopper"]["best"]
        run.stopper.best = np.inf if best is None else best
        run.stopper.best_step = state["stopper"]["step"]
    h = run.history
    h.load(arrays[f"{prefix}history"], arrays.get(f"{prefix}history_steps"), state["history"])
    if h.count:  # its losses over the whole sets, evaluated again when first asked (into the last row)
        run.metrics_step = -1
    else:
        run.metrics = run.evaluate()
    if "heat_count" in state:
        run.heat, run.heat_steps = arrays[f"{prefix}heat"].copy(), arrays[f"{prefix}heat_steps"].copy()
        run.heat_count = state["heat_count"]


def _plain(v: Any) -> Any:
    """A value for JSON: NumPy scalars as Python numbers, tuples as lists."""
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, tuple):
        return list(v)
    return v


def _finite(v: float) -> float | None:
    return None if not np.isfinite(v) else float(v)
