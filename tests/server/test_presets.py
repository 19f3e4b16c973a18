"""Ready-made experiments: each shows its effect in numbers, and one message loads it."""
import numpy as np
import pytest

from server.presets import PRESETS
from server.schema import defaults, make_fields, validate
from server.session import Session
from server.settings import Settings

from .conftest import is_frame

FIELDS = make_fields(Settings().limits)
BY_NAME = {p["name"]: p for p in PRESETS}


def trained(name: str, steps: int = 300) -> Session:
    """The preset's network, trained directly (no websocket), as the playground would."""
    config, _ = validate(BY_NAME[name]["config"], defaults(FIELDS), FIELDS)
    session = Session("t", config, Settings(), FIELDS)
    for _ in range(steps):
        if not session._one_step():
            break
    return session


def first_to_last(session: Session) -> float:
    g = session.history.window(20)["grad_norm"]
    return float(np.median(g[:, 0] / g[:, -1]))


@pytest.fixture(scope="module")
def runs():
    return {}


def get(runs, name):
    if name not in runs:
        runs[name] = trained(name)
    return runs[name]


def test_every_preset_is_valid_and_described():
    for p in PRESETS:
        validate(p["config"], defaults(FIELDS), FIELDS)
        assert p["title"] and p["description"].count(".") >= 2 and p["group"]


def test_deep_sigmoid_starves_its_first_layer_and_the_remedies_do_not(runs):
    sigmoid = first_to_last(get(runs, "vanishing_sigmoid"))
    assert sigmoid < 1e-3  # orders of magnitude below the last layer's
    for remedy in ("vanishing_relu_he", "vanishing_residual", "vanishing_batchnorm"):
        assert first_to_last(get(runs, remedy)) > 100 * sigmoid, remedy
    assert first_to_last(get(runs, "tanh_small_init")) < 1e-6
    assert first_to_last(get(runs, "tanh_xavier")) > 0.1


def test_exploding_preset_blows_up_and_clipping_keeps_it_finite(runs):
    exploding = get(runs, "exploding")
    assert exploding.diverged_at is not None
    grad = exploding.history.window(100)["grad_norm"]
    assert grad.max() > 1000 * grad[:5].min()
    clipped = get(runs, "exploding_clipped")
    assert clipped.diverged_at is None and clipped.history.last == 300
    assert clipped.runs[0].trainer.clipped_steps > 0 and clipped.runs[0].metrics["train_loss"] < 1


@pytest.mark.parametrize("preset", [p for p in PRESETS if p["expect"]], ids=lambda p: p["name"])
def test_each_preset_raises_the_warning_it_is_about(preset):
    config, _ = validate(preset["config"], defaults(FIELDS), FIELDS)
    session = Session("t", config, Settings(), FIELDS)
    seen = set()
    for _ in range(300):
        going = session._one_step()
        seen |= {w["code"] for w in session.runs[0].warnings()}
        if not going:
            break
    assert preset["expect"] in seen


def test_healthy_counterparts_raise_no_gradient_warning(runs):
    for p in PRESETS:
        if p["expect"] is None:
            codes = {w["code"] for w in get(runs, p["name"]).runs[0].warnings()}
            assert not codes & {"vanishing", "exploding", "dead"}, (p["name"], codes)


def test_a_preset_is_one_message(peer):
    hello, _, _ = peer.join({"learning_rate": 0.3, "dataset": "xor"})
    assert [p["name"] for p in hello["presets"]] == [p["name"] for p in PRESETS]
    peer.send(type="preset", name="vanishing_sigmoid")
    cfg = peer.expect(type="config", rebuilt=True, preset="vanishing_sigmoid")
    assert cfg["config"]["learning_rate"] == 0.03 and cfg["config"]["dataset"] == "circle"  # defaults restored
    peer.expect(kind="dataset")
    frame = peer.expect(kind="frame", step=0)
    assert [c["activation"] for c in frame["columns"][1:-1]] == ["sigmoid"] * 8
    peer.send(type="preset", name="nope")
    assert peer.expect(type="error")["field"] == "name"
