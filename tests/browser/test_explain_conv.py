"""Explain a step of a CNN in a real browser against the real server: the "Edge detectors
emerge" preset, one step, then Explain. The chosen filter weight's chain rule is shown as the
sum over positions of input × δ (its largest terms, the rest counted and summed), with the
batch's dW and the finite difference of the batch's loss beside it, each the engine's number
for the same step; choosing another tap redoes it; the backward stage of the convolution
shows δ = ∂ℓ/∂a · f′(z) at the position of the largest term; the update ends at the engine's
new weight. Numbers are read as the page shows them (4 significant digits)."""

import re

from engine import make_dataset, setup
from engine.explain_conv import conv_block, finite_difference, terms, trace

from .conftest import LAB, shot, wait_drawn
from .test_diagnostics import load_preset
from .test_explain import data, half, panel

SIDE = "#explain-weight"
SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def number(text: str) -> float:
    """A number as format.js writes it: 0.01443, −0.0115, 7.429e-13 or 4.9×10⁻⁸."""
    t = text.strip().replace("−", "-").replace(",", "")
    m = re.fullmatch(r"(-?[\d.]+)×10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)", t)
    return float(m[1]) * 10 ** int(m[2].translate(SUPER)) if m else float(t)


def shown(scope, selector: str) -> list[float]:
    return [number(t) for t in scope.locator(selector).all_inner_texts()]


def close(got: float, want: float) -> bool:
    return abs(got - want) <= half(want) + 1e-15


def engine_step(page):
    config = page.evaluate(f"{LAB}.config")
    data_ = make_dataset(config["dataset"], config["samples"], config["noise"], config["train_ratio"],
                         config["data_seed"])  # fmt: skip
    t = setup.build_cnn(config, data_)
    t.step()
    return t


def check_chain(page, t, weight):
    """The side panel's sum over positions, batch dW and finite difference are the engine's."""
    tr = trace(t, sample=0)
    s = terms(tr, *weight)
    side = page.locator(SIDE)
    rows = side.locator("li.xpath")
    assert rows.count() == 8
    for k in range(8):
        row = rows.nth(k)
        x, d, p = (shown(row, f"[data-part={part}]")[0] for part in ("x", "delta", "product"))
        assert close(x, s.a[k]) and close(d, s.b[k]) and close(p, s.products[k]), (k, x, d, p)
    text = side.inner_text()
    assert "… 136 more positions, summed" in text and "sum over all 144 positions" in text, text
    assert close(shown(side, "[data-part=rest]")[0], s.products[8:].sum())
    assert close(shown(side, "[data-part=sum]")[0], s.total)
    fd = finite_difference(t, *weight)
    assert close(shown(side, "[data-part=analytic]")[0], fd.analytic)
    assert close(shown(side, "[data-part=estimate]")[0], fd.estimate)
    assert shown(side, "[data-part=relative_error]")[0] < 1e-6 and "they agree" in text
    return tr, s


def test_a_filter_weights_chain_rule_and_finite_difference_are_the_engines(open_page):
    page = open_page()
    load_preset(page, "edge_detectors", full_speed=False)
    page.click("#btn-step")
    wait_drawn(page, 1)
    page.click("#btn-explain")
    panel(page, on="true", stage="0", weight="0,0,0,1,1")  # the first filter's centre tap
    t = engine_step(page)
    check_chain(page, t, (0, 0, 0, 1, 1))
    assert page.locator(f"{SIDE} .xmaps canvas").count() == 2
    shot(page, "explain-conv-forward")

    page.click(f"{SIDE} .xtap[data-tap='0,2']")  # tap (1, 3)
    panel(page, weight="0,0,0,0,2")
    tr, s = check_chain(page, t, (0, 0, 0, 0, 2))

    # backward through the convolution: δ at the largest term's position, ∂ℓ/∂a · f′(z)
    stages = [st["name"] for st in page.evaluate(f"{LAB}.explanation.stages")]
    back = len(stages) - 2  # the last backward stage: convolution 1
    page.click("#explain-phases [data-phase=backward]")
    panel(page, phase="backward")
    while data(page)["stage"] != str(back):
        now = data(page)["stage"]
        page.click("#explain-next")
        panel(page, stage=str(int(now) + 1))
    bt = conv_block(tr, 0)
    p, q = s.where[0]
    line = page.locator("#explain-stage [data-line=delta]")
    assert f"filter 1 at ({p + 1}, {q + 1})" in line.inner_text()
    assert close(shown(line, "[data-part=delta]")[0], bt.delta[0, p, q])
    assert close(shown(line, "[data-part=df]")[0], bt.df[0, p, q])
    shot(page, "explain-conv-backward")

    page.click("#explain-phases [data-phase=update]")
    panel(page, phase="update")
    after = tr.update.of(0, "W").after[0, 0, 0, 2]
    assert close(shown(page.locator("#explain-stage"), "[data-part=after]")[0], after)
