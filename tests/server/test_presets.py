"""Ready-made experiments are valid settings and one message loads them (their effects are
tested in tests/engine/test_presets.py)."""

from server.presets import PRESETS
from server.schema import defaults, make_fields
from server.settings import Settings
from server.validate import validate

FIELDS = make_fields(Settings().limits)
BY_NAME = {p["name"]: p for p in PRESETS}


def test_every_preset_is_valid_and_described():
    for p in PRESETS:
        validate(p["config"], defaults(FIELDS), FIELDS)
        assert p["title"] and p["description"].count(".") >= 2 and p["group"]


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


def test_loading_a_preset_always_starts_a_new_run(peer):
    peer.join()
    peer.send(type="preset", name="exploding")
    peer.expect(type="config", rebuilt=True)
    peer.expect(kind="dataset")
    first = peer.expect(kind="frame", step=0)
    peer.send(type="step", n=3)
    peer.until(lambda m: m.get("type") == "state")
    peer.send(type="preset", name="exploding_clipped")  # differs only in live settings
    peer.expect(type="config", rebuilt=True, preset="exploding_clipped")
    peer.expect(kind="dataset")
    frame = peer.expect(kind="frame", step=0)
    assert frame["run"] != first["run"]
