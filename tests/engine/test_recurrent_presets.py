"""The recurrent experiments, trained with the engine from the config the server would use
(server/presets.py through the schema's defaults): each shows in numbers what it is about."""

import numpy as np
import pytest

from engine import recurrent_setup, time_diagnostics
from engine.time_diagnostics import VANISHING_TIME_RATIO
from server.changes import preset, run_configs
from server.presets import PRESETS
from server.schema import make_fields
from server.settings import Limits

FIELDS = make_fields(Limits())
STEPS = 300


def trained(name: str) -> list[tuple[dict, float, object]]:
    """Runs A and B of a preset after STEPS steps: (config, test accuracy, the trainer)."""
    out = []
    for config in run_configs(preset(name, FIELDS), FIELDS):
        trainer = recurrent_setup.build(config, recurrent_setup.data(config))
        for _ in range(STEPS):
            trainer.step(record=False)
        out.append((config, trainer.evaluate("test")["accuracy"], trainer))
    return out


@pytest.mark.parametrize("name", ["rnn_forgets", "truncated_bptt"])
def test_a_fails_where_b_learns(name):
    (a, acc_a, _), (b, acc_b, _) = trained(name)
    figures = (
        f"{name}: A ({a['cell']}, truncate {a['truncate']}) {acc_a:.2f}, B ({b['cell']}, truncate {b['truncate']}) "
    )
    figures += f"{acc_b:.2f} test accuracy after {STEPS} steps"
    assert acc_a <= 0.6 and acc_b >= 0.95, figures


def test_the_forgetting_rnn_stays_dark_for_700_steps():
    """What a class watches for minutes, not seconds: run A's gradient reaching the first time step
    stays under the vanishing warning's threshold, and A stays at chance. (At Adam 0.01 its W_h
    grew until the heatmap turned bright by step 1,000, without A learning.)"""
    config = run_configs(preset("rnn_forgets", FIELDS), FIELDS)[0]
    trainer = recurrent_setup.build(config, recurrent_setup.data(config))
    for _ in range(690):
        trainer.step(record=False)
    ratios = [(lambda dh: dh[0] / dh[-1])(trainer.step().time.dh_norm) for _ in range(10)]
    accuracy = trainer.evaluate("test")["accuracy"]
    ratio = float(np.median(ratios))
    assert ratio < VANISHING_TIME_RATIO and accuracy <= 0.6, f"step 700: ratio {ratio:.1e}, accuracy {accuracy:.2f}"


def kept(rec) -> bool:
    """Not diverged, as the server calls it: finite and inside float32's range (the wire's)."""
    return rec.finite and max(abs(rec.loss), *rec.grad_norms.values()) < float(np.finfo(np.float32).max)


def test_exploding_through_time_diverges_and_clipping_rescues_it():
    results = {}
    for name in ("exploding_time", "exploding_time_clipped"):
        config = preset(name, FIELDS)
        trainer = recurrent_setup.build(config, recurrent_setup.data(config))
        first = trainer.step()
        codes = [w["code"] for w in time_diagnostics.warnings(first.time.dh_norm[None], 30, "rnn", first.time.radius)]
        records = [first]
        while kept(records[-1]) and len(records) < 600:
            records.append(trainer.step(record=False))
        finite = kept(records[-1])
        r2 = trainer.evaluate("test")["r2"] if finite else None
        results[name] = (codes, len(records), finite, r2, trainer.clipped_steps)
    figures = f"(warnings at step 1, steps, finite, test R², clipped steps): {results}"
    codes, steps, finite, _, _ = results["exploding_time"]
    assert codes == ["exploding_time"] and 20 <= steps <= 150 and not finite, figures
    codes, steps, finite, r2, clipped = results["exploding_time_clipped"]
    assert codes == ["exploding_time"] and finite and r2 > 0.7 and clipped > 0, figures


def test_every_recurrent_preset_is_tested_here():
    recurrent = {p["name"] for p in PRESETS if p["group"] == "Through time"}
    assert recurrent == {"rnn_forgets", "truncated_bptt", "exploding_time", "exploding_time_clipped"}
