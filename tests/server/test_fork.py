"""A session's snapshot (server/fork.py): a fork continues exactly where the original stood
(weights, optimizer state, batch order, dropout masks, schedule, history), is independent of
it, and the snapshot is plain JSON and arrays, so a store can keep it and restore it."""

import json

import numpy as np
import pytest

from server.fork import fork, restore, snapshot
from server.schema import defaults, make_fields
from server.session import Session
from server.settings import Settings

SETTINGS = Settings(history_bytes=64 * 200)  # small: the history has thinned its older steps by the fork
FIELDS = make_fields(SETTINGS.limits)

CONFIGS = {
    "sgd with momentum": {"momentum": 0.9},
    "adam, batch norm, dropout, a schedule": {
        "optimizer": "adam",
        "batch_norm": True,
        "dropout": 0.2,
        "schedule": "step",
        "schedule_period": 30,
        "hidden": [6, 5],
    },
    "rmsprop, clipping, L2, early stopping": {
        "optimizer": "rmsprop",
        "clip": "norm",
        "regularization": "l2",
        "reg_rate": 0.001,
        "early_stopping": True,
        "patience": 1000,
    },
    "a comparison of two runs": {"optimizer": "adam", "compare": {"field": "learning_rate", "value": 0.1}},
    "a recurrent task": {"dataset": "adding", "optimizer": "adam", "length": 8, "units": 6},
    "batches that wrap an epoch": {"samples": 50, "batch_size": 7, "momentum": 0.5},
}


def session(sid="ORIGIN", **config):
    return Session(sid, {**defaults(FIELDS), **config}, SETTINGS, FIELDS, token=f"token of {sid}")


def train(s, n):
    for _ in range(n):
        assert s.step()
    s.publish()  # a frame: the losses over the whole sets of the last step are evaluated


def weights(s):
    return [[p.copy() for layer in run.trainer.network.layers for p in layer.params.values()] for run in s.runs]


def optimizer_state(s):
    return [
        {key: {k: np.copy(v) for k, v in slot.items()} for key, slot in run.trainer.optimizer.state.items()}
        for run in s.runs
    ]


def same(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_a_fork_continues_exactly_where_the_original_stood(config):
    original = session(**config)
    train(original, 80)  # more than the history keeps, and past the schedule's first drop
    copy = fork(original, "FORKED", SETTINGS, FIELDS, {}, "token of FORKED")
    assert copy.id == "FORKED" and copy.parent == "ORIGIN" and copy.token == "token of FORKED"
    assert copy.history.last == original.history.last == 80
    assert same(copy.history.rows, original.history.rows)
    assert same(copy.history.steps, original.history.steps)
    assert same(weights(copy), weights(original)) and same(optimizer_state(copy), optimizer_state(original))
    for _ in range(25):  # the same batches, masks and rates: the same numbers, bit for bit
        a, b = original.step(), copy.step()
        assert a and b
        assert same(weights(copy), weights(original))
    assert same(optimizer_state(copy), optimizer_state(original))
    assert same(copy.history.rows, original.history.rows) and same(copy.history.steps, original.history.steps)
    assert copy.runs[0].trainer.steps == original.runs[0].trainer.steps == 105


def test_the_fork_is_independent_of_the_original():
    original = session(optimizer="adam", dropout=0.1)
    train(original, 20)
    copy = fork(original, "FORKED", SETTINGS, FIELDS, {})
    before = weights(original), optimizer_state(original), original.history.rows.copy()
    train(copy, 30)
    copy.command(type("C", (), {"role": "controller"})(), {"type": "set", "config": {"learning_rate": 0.5}})
    assert same(weights(original), before[0]) and same(optimizer_state(original), before[1])
    assert same(original.history.rows, before[2]) and original.history.last == 20
    assert original.config["learning_rate"] == 0.03 and copy.config["learning_rate"] == 0.5
    assert not np.shares_memory(copy.data.x_train, original.data.x_train)


def test_the_snapshot_is_plain_json_and_arrays_and_restores_after_a_round_trip():
    original = session(optimizer="adam", batch_norm=True, early_stopping=True, patience=500)
    train(original, 30)
    snap = snapshot(original)
    meta = json.loads(json.dumps(snap["meta"], allow_nan=False))  # what a store would write and read back
    assert all(isinstance(v, np.ndarray) for v in snap["arrays"].values())
    assert meta["data"]["kind"] == "dataset" and "data/x_train" in snap["arrays"]
    restored = restore({"meta": meta, "arrays": snap["arrays"]}, "STORED", SETTINGS, FIELDS, {})
    assert restored.parent is None and restored.runs[0].stopper.best == original.runs[0].stopper.best
    for _ in range(10):
        original.step(), restored.step()
    assert same(weights(restored), weights(original))
    restored.publish(), original.publish()
    assert restored.runs[0].metrics == original.runs[0].metrics


def test_the_data_is_the_snapshots_and_a_later_change_of_data_is_made_anew():
    original = session(samples=100)
    copy = fork(original, "FORKED", SETTINGS, FIELDS, {})
    assert np.array_equal(copy.data.x_train, original.data.x_train)
    copy.command(type("C", (), {"role": "controller"})(), {"type": "set", "config": {"data_seed": 7}})
    assert not np.array_equal(copy.data.x_train, original.data.x_train)  # not the snapshot's arrays again
    assert copy.loaded == {}


def test_a_diverged_run_forks_as_diverged():
    original = session(dataset="plane", learning_rate=10.0, activation="relu", hidden=[8, 8])
    for _ in range(200):
        if not original.step():
            break
    assert original.diverged_at is not None
    copy = fork(original, "FORKED", SETTINGS, FIELDS, {})
    assert copy.diverged_at == original.diverged_at and copy.state()["message"] == original.state()["message"]
