"""A sequence task makes a recurrent session (docs/protocol.md, "Recurrent sessions"): its
frames carry what the engine computed, the same numbers an engine trainer built from the
same config gets; truncation is live; points and sequences swap both ways; what does not
apply is refused with the field named, and the session carries on."""

import numpy as np
import pytest

from engine import recurrent_setup
from engine.recurrent import spectral_radius

from .conftest import is_frame, steps, summary
from .test_frame_values import close

SMALL = {"dataset": "remember", "delay": 5, "units": 4, "batch_size": 4, "samples": 60, "learning_rate": 0.1}


def arr(frame, name):
    return frame["arrays_"][name].astype(np.float64)


def reference(config, n, changed=None, at=None):
    """The engine's own trainer, built from the session's config; `changed` applied after step `at`."""
    trainer = recurrent_setup.build(config, recurrent_setup.data(config))
    records = []
    for k in range(n):
        if changed is not None and k == at:
            recurrent_setup.configure(trainer, changed, [name for name in changed if changed[name] != config[name]])
        records.append(trainer.step())
    return records


def test_a_sequence_task_trains_the_engines_recurrent_network(peer):
    hello, dataset, first = peer.join(SMALL)
    assert dataset["inputs"] == "sequence" and dataset["length"] == 6 and dataset["input_labels"] == ["sign", "marker"]
    assert first["model"] == "recurrent" and "grid" not in first and first["step"] == 0
    assert [c["size"] for c in first["columns"]] == [2, 4, 1]
    frame, _ = steps(peer, 3)
    rec = reference(hello["config"], 3)[-1]
    for key in ("Wx", "Wh", "b"):
        close(arr(frame, f"layer0.{key}"), rec.params[0][key])
        close(arr(frame, f"layer0.d{key}"), rec.grads[0][key])
        close(arr(frame, f"layer0.d{key}_step"), rec.updates[0][key])
    close(arr(frame, "layer1.W"), rec.params[1]["W"])
    close(arr(frame, "time.dh_norm"), rec.time.dh_norm)
    close(arr(frame, "time.dWh_norm"), rec.time.dWh_norm)
    seq = frame["sequence"]
    assert seq["cell"] == "rnn" and seq["length"] == 6 and seq["window"] == 6 and seq["readout"] == "last"
    assert seq["radius"] == pytest.approx(rec.time.radius)
    assert seq["radius"] == pytest.approx(spectral_radius(rec.params[0]["Wh"] - rec.updates[0]["Wh"]))
    assert arr(frame, "seq.x").shape == (6, 2) and arr(frame, "seq.h").shape == (6, 4)
    assert arr(frame, "seq.pred").shape == arr(frame, "seq.y").shape == (1,)
    assert 0 < arr(frame, "seq.pred")[0] < 1  # a probability
    heat, rows = arr(frame, "time.heat"), arr(frame, "time.heat_steps")
    assert list(rows) == [1, 2, 3] and heat.shape == (3, 6)
    close(heat[-1], rec.time.dh_norm)
    assert frame["history"] == {"first": 1, "count": 3} and len(arr(frame, "history.loss")) == 3


def test_the_time_heatmap_spreads_its_rows_over_the_recent_steps(peer):
    peer.join(SMALL)
    frame, _ = steps(peer, 250)
    rows = arr(frame, "time.heat_steps")
    assert len(rows) == 100 and rows[0] == 1 and rows[-1] == 250 and np.all(np.diff(rows) > 0)


def test_truncation_is_live_and_stops_the_gradient_at_the_window(peer):
    hello, _, _ = peer.join(SMALL)
    steps(peer, 2)
    peer.send(type="set", config={"truncate": 2})
    msg, _ = peer.until(lambda m: m.get("type") == "config")
    assert msg["rebuilt"] is False and msg["changed"] == ["truncate"]
    frame, _ = steps(peer, 2)
    assert frame["sequence"]["window"] == 2
    dh = arr(frame, "time.dh_norm")
    assert np.all(dh[:4] == 0) and np.all(dh[4:] > 0)
    rec = reference(hello["config"], 4, msg["config"], at=2)[-1]
    close(arr(frame, "layer0.Wh"), rec.params[0]["Wh"])
    control = reference(hello["config"], 4)[-1]
    assert np.abs(rec.params[0]["Wh"] - control.params[0]["Wh"]).max() > 1e-6, "the change made no difference"


def test_points_and_sequences_swap_both_ways(peer):
    _, _, first = peer.join()
    assert first["model"] == "feedforward" and "grid" in first
    peer.send(type="set", config={"dataset": "chars"})
    dataset, _ = peer.until(lambda m: m.get("kind") == "dataset")
    frame, _ = peer.until(is_frame)
    assert dataset["alphabet"] == frame["sequence"]["alphabet"] and frame["model"] == "recurrent"
    K = len(dataset["alphabet"])
    assert frame["columns"][2]["size"] == K and arr(frame, "seq.y").shape == (dataset["length"], K)
    peer.send(type="set", config={"dataset": "circle"})
    frame, _ = peer.until(lambda m: is_frame(m) and m["model"] == "feedforward")
    assert "grid" in frame and "sequence" not in frame


def test_an_lstm_beside_a_plain_rnn(peer):
    _, _, first = peer.join({**SMALL, "compare": {"field": "cell", "value": "lstm"}})
    assert first["sequence"]["cell"] == "rnn" and first["sequence_b"]["cell"] == "lstm"
    assert first["sequence_b"]["blocks"] == ["i", "f", "g", "o"]
    frame, _ = steps(peer, 1)
    assert arr(frame, "b/layer0.Wh").shape == (4, 16) and arr(frame, "layer0.Wh").shape == (4, 4)
    assert arr(frame, "b/time.dh_norm").shape == (6,)


def test_what_does_not_apply_is_refused_and_the_session_goes_on(peer):
    peer.join(SMALL)
    peer.send(type="set", config={"length": 200, "dataset": "wave", "batch_size": 20}, id=2)
    err = peer.expect(type="error", id=2)
    assert err["field"] == "config.batch_size" and "at most 10 here" in err["message"], summary(err)
    peer.send(type="set", config={"dataset": "circle", "compare": {"field": "truncate", "value": 3}}, id=3)
    err = peer.expect(type="error", id=3)
    assert err["field"] == "config.compare.field"
    frame, _ = steps(peer, 1)
    assert frame["model"] == "recurrent" and frame["step"] == 1


def test_switching_to_sequences_explains_through_time_from_the_first_stage(peer):
    peer.join()
    peer.send(type="explain", on=True, stage=5, weight=[2, 0, 0])
    peer.until(lambda m: m.get("type") == "explanation" and m["on"])
    peer.send(type="set", config={"dataset": "remember"})
    ex, _ = peer.until(lambda m: m.get("type") == "explanation")
    assert ex["on"] and ex["model"] == "recurrent" and ex["stage"] == 0 and ex["weight"] == [0, 0, 0]
    peer.send(type="explain", on=False)
    frame, _ = steps(peer, 1)
    assert frame["model"] == "recurrent"


def test_the_losses_shown_are_over_the_first_sequences_that_make_2000_time_steps(peer):
    hello, _, _ = peer.join({**SMALL, "delay": 99, "samples": 200})  # 100 steps: 20 sequences of each set
    frame, _ = steps(peer, 2)
    trainer = recurrent_setup.build(hello["config"], recurrent_setup.data(hello["config"]))
    trainer.step(), trainer.step()
    trainer.eval_limit = 20
    assert frame["metrics"]["test_loss"] == pytest.approx(trainer.evaluate("test")["loss"], rel=1e-6)
    trainer.eval_limit = 21
    assert frame["metrics"]["test_loss"] != pytest.approx(trainer.evaluate("test")["loss"], rel=1e-6)


def test_the_forgetting_rnn_is_warned_about_and_the_lstm_beside_it_is_not(peer):
    peer.join()
    peer.send(type="preset", name="rnn_forgets")
    peer.until(lambda m: is_frame(m) and m["step"] == 0)
    for _ in range(3):
        frame, _ = steps(peer, 50)
        codes_a, codes_b = ([w["code"] for w in frame[key]] for key in ("warnings", "warnings_b"))
        figures = f"step {frame['step']}: A {frame['health']['text']}, B {frame['health_b']['text']}"
        assert codes_a == ["vanishing_time"] and codes_b == [], figures
        assert frame["health"]["first_to_last"] < 1e-5 < frame["health_b"]["first_to_last"], figures
