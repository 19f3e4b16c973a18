"""One weight worked out: the chain rule's paths multiply and sum to the engine's gradient,
the update's lines are the optimizer's own numbers and end at the weight after the real
step, and every formula with its numbers put in evaluates to the value shown beside it."""

import itertools
import math
import re

import numpy as np
import pytest

from engine import ACTIVATIONS, LOSSES, OPTIMIZERS, finite_difference, trace
from engine.worked import chain, update_lines

from .test_explain import DATASET_FOR_LOSS, ids, trainer, warm

INPUTS = ["x₁", "x₂"]
NETS = {"plain": {}, "dropout_residual": {"dropout": 0.3, "residual": True}}
CHAIN_CASES = list(itertools.product(ACTIVATIONS, DATASET_FOR_LOSS, NETS))


def weights(t):
    """A few weights of every layer: corners and a middle one."""
    for layer, lt in enumerate(t.network.layers):
        n_in, n_out = lt.params["W"].shape
        yield from {(layer, 0, 0), (layer, n_in - 1, n_out - 1), (layer, n_in // 2, n_out // 2)}


@pytest.mark.parametrize("activation,loss,net", CHAIN_CASES, ids=ids(CHAIN_CASES))
def test_paths_multiply_and_sum_to_the_gradient_and_the_finite_difference(activation, loss, net):
    t = warm(trainer(DATASET_FOR_LOSS[loss], activation=activation, **NETS[net]))
    tr = trace(t, sample=3)
    for layer, i, j in weights(t):
        c = chain(tr, layer, i, j, INPUTS, limit=1000)
        assert c.total_paths == len(c.paths) and c.rest_count == 0
        for p in c.paths:
            assert p.product == pytest.approx(math.prod(f.value for f in p.factors), rel=1e-12)
        assert c.sum == pytest.approx(c.gradient, rel=1e-9, abs=1e-14)
        assert c.gradient == tr.layers[layer].dW[i, j]
        fd = finite_difference(t, layer, i, j, sample=3)
        assert fd.relative_error < 1e-6 or abs(fd.estimate - c.sum) < 1e-9


def test_a_path_names_its_factors_the_textbook_way():
    t = warm(trainer("xor", activation="tanh", hidden=[3]))
    c = chain(trace(t, sample=0), 0, 1, 2, INPUTS)
    (path,) = c.paths  # one output: a single path through neuron 3
    assert [f.name for f in path.factors] == ["∂ℓ/∂ŷ", "∂ŷ/∂z⁽²⁾₁", "w⁽²⁾₃,₁", "f′(z⁽¹⁾₃)", "x₂"]


def test_softmax_keeps_dl_dz_whole_and_lists_a_path_per_class():
    t = warm(trainer("gauss_k", hidden=[3]))
    tr = trace(t, sample=0)
    c = chain(tr, 0, 0, 0, INPUTS)
    assert c.total_paths == tr.loss.delta.shape[1]
    assert all(p.factors[0].name.startswith("∂ℓ/∂z") for p in c.paths)


def test_many_paths_collapse_to_the_next_layers_deltas_and_still_sum_to_the_gradient():
    t = warm(trainer("xor", hidden=[8, 8, 8]))
    tr = trace(t, sample=1)
    full = chain(tr, 0, 0, 0, INPUTS, limit=3)
    assert (full.total_paths, len(full.paths), full.rest_count) == (64, 3, 61)
    assert full.sum == pytest.approx(full.gradient, rel=1e-9)
    assert sum(p.product for p in full.paths) + full.rest_sum == pytest.approx(full.gradient, rel=1e-9)
    short = chain(tr, 0, 0, 0, INPUTS, max_paths=10)
    assert short.note and len(short.paths) == 8
    assert short.paths[0].factors[0].name.startswith("δ⁽²⁾")
    assert short.sum == pytest.approx(short.gradient, rel=1e-9)


def test_batch_norm_says_why_there_are_no_paths():
    t = warm(trainer("xor", batch_norm=True))
    c = chain(trace(t, sample=0), 0, 0, 0, INPUTS)
    assert c.paths == () and "Batch normalization" in (c.note or "")


def test_a_batch_trace_is_refused():
    with pytest.raises(ValueError, match="one sample"):
        chain(trace(trainer()), 0, 0, 0, INPUTS)


# -- the update and the formulas ------------------------------------------------------


def evaluate(numbers: str) -> float:
    """A formula with its numbers put in, read back as Python."""
    s = numbers.replace("−", "-").replace("·", "*").replace("²", "**2").replace("^", "**").replace("½", "0.5")
    s = s.replace("[", "(").replace("]", ")").replace("Σ gᵢ", "0")
    s = re.sub(r"√([0-9.e+\-]+)", r"sqrt(\1)", s)
    s = re.sub(r"log ([0-9.e+\-]+)", r"log(\1)", s)
    return float(eval(s, {"sqrt": math.sqrt, "log": math.log, "clip": lambda g, lo, hi: min(max(g, lo), hi)}))


def scale(numbers: str) -> float:
    """The largest number in a formula: 4 significant digits of it are what a sum can keep."""
    return max(abs(float(n)) for n in re.findall(r"[0-9.]+(?:e[+\-−][0-9]+)?", numbers.replace("−", "-")))


UPDATE_CASES = [
    *[(o, {}) for o in OPTIMIZERS],
    ("sgd", {"momentum": 0.9}),
    ("sgd", {"momentum": 0.9, "nesterov": True}),
    ("adamw", {"weight_decay": 0.1}),
    ("lion", {"weight_decay": 0.1}),
    ("sgd", {"regularization": "l2", "reg_rate": 0.01, "clip": "norm", "clip_threshold": 0.05}),
    ("adam", {"regularization": "l1", "reg_rate": 0.01, "clip": "value", "clip_threshold": 0.01}),
    ("rmsprop", {"clip": "norm", "clip_threshold": 1000}),
]


@pytest.mark.parametrize("optimizer,extra", UPDATE_CASES, ids=[f"{o}-{'-'.join(e)}" for o, e in UPDATE_CASES])
def test_update_lines_end_at_the_weight_after_the_real_step(optimizer, extra):
    t = warm(trainer("xor", optimizer=optimizer, **extra))
    u = trace(t).update
    wanted = [(layer, i, j) for layer, i, j in weights(t)]
    shown = {w: update_lines(u, *w) for w in wanted}
    t.step()
    for (layer, i, j), lines in shown.items():
        assert lines[-1].symbol == "w"
        assert lines[-1].value == t.network.layers[layer].params["W"][i, j]
        assert lines[0].value == u.of(layer).grad[i, j]
        for line in lines[1:]:
            assert evaluate(line.numbers) == pytest.approx(line.value, rel=2e-3, abs=1e-3 * scale(line.numbers)), line
        slots = t.optimizer.state.get((layer, "W"), {})
        for line in lines:  # a state line shows the optimizer's state after the step
            if line.symbol in slots:
                assert line.value == pytest.approx(float(np.asarray(slots[line.symbol])[()] if line.symbol == "t"
                                                         else slots[line.symbol][i, j]))  # fmt: skip


def test_clipping_and_regularization_appear_in_the_lines():
    t = warm(trainer("xor", regularization="l2", reg_rate=0.01, clip="norm", clip_threshold=0.05))
    lines = update_lines(trace(t).update, 0, 0, 0)
    assert [line.formula for line in lines[1:3]] == ["∂L/∂w + λ·w", "g·c / ‖g‖"]


@pytest.mark.parametrize("loss", list(LOSSES))
def test_the_loss_formula_with_its_numbers_is_the_engines_loss(loss):
    t = warm(trainer(DATASET_FOR_LOSS[loss]))
    tr = trace(t, sample=2)
    entry = LOSSES[loss]
    assert evaluate(entry.worked(tr.loss.prediction[0], tr.loss.target[0])) == pytest.approx(tr.loss.value, rel=2e-3)
    split = entry.split(tr.loss.prediction, tr.loss.target)
    if split is not None:
        assert split[0] * split[1] == pytest.approx(tr.loss.delta, rel=1e-9)


def test_every_entry_writes_itself_out():
    from engine import CLIPPING, REGULARIZERS

    assert all(a.formula.startswith("a = ") and a.slope.startswith("f′(z) = ") for a in ACTIVATIONS.values())
    assert all(r.term for r in REGULARIZERS.values() if r.settings)
    assert all(c.formula for c in CLIPPING.values() if c.settings)
