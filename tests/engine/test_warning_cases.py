"""The warnings of real runs that once showed false or unreadable ones: the exploding-gradients
experiment, a learning rate of 10, and a linear network with Nesterov momentum 0.99. At every
step of each run, what is shown is true together: causes first, never "vanishing" beside
"exploding" or a diverging loss, every claim naming its statistic, no long digit strings."""

import re

import pytest

from engine.diagnostics import WARNINGS
from server.presets import BY_NAME

from .test_presets import run

ORDER = [w["code"] for w in WARNINGS]


def shown(config: dict, steps: int) -> list[list[dict]]:
    """The warnings at each step until the run ends or diverges (as the server judges it)."""
    return [found for _, _, _, found in run(config, steps)]


def check_true_together(found: list[dict]) -> None:
    codes = [w["code"] for w in found]
    assert codes == sorted(codes, key=ORDER.index), codes  # causes first
    assert len(codes) == len(set(codes)), codes  # one line per problem
    if "exploding" in codes or "diverging" in codes:
        assert "vanishing" not in codes, codes
    for w in found:
        m = w["message"]
        assert re.search(r"(median|mean|lowest) (over|of) the last \d+ steps?", m), m  # the statistic, named
        assert not re.search(r"\d[\d,]{7,}", m), m  # 1,000,000 and up: a power of ten instead
        assert "10⁰" not in m and "layer 3" not in m.replace("hidden layer 3", ""), m


CASES = {
    "exploding experiment": (BY_NAME["exploding"]["config"], 200),
    "learning rate 10": ({"learning_rate": 10}, 300),
    "linear, Nesterov momentum 0.99": (
        {"activation": "linear", "momentum": 0.99, "nesterov": True, "learning_rate": 0.1},
        300,
    ),
}


@pytest.fixture(scope="module")
def runs():
    return {name: shown(config, steps) for name, (config, steps) in CASES.items()}


@pytest.mark.parametrize("case", list(CASES))
def test_every_step_shows_warnings_that_hold_together(runs, case):
    for found in runs[case]:
        check_true_together(found)


def test_the_exploding_experiment_names_the_cause_first(runs):
    steps = runs["exploding experiment"]
    assert len(steps) < 200  # it diverges
    last = [w["code"] for w in steps[-1]]
    assert last[:3] == ["diverging", "large_updates", "exploding"], last
    assert any("exploding" in [w["code"] for w in found] for found in steps)


def test_learning_rate_10_puts_the_learning_rate_above_its_symptoms(runs):
    last = runs["learning rate 10"][-1]
    assert [w["code"] for w in last][0] == "large_updates", last
    assert last[0]["message"].endswith("the learning rate is likely too high")


def test_a_huge_growth_is_written_as_a_power_of_ten(runs):
    exploding = [w for found in runs["linear, Nesterov momentum 0.99"] for w in found if w["code"] == "exploding"]
    assert exploding and max(w["value"] for w in exploding) > 1e9
    huge = max(exploding, key=lambda w: w["value"])
    assert re.search(r"is \d(\.\d)?×10[¹²³⁴⁵⁶⁷⁸⁹⁰]+ times its lowest", huge["message"]), huge["message"]
