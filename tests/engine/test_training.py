"""Training behaviour: convergence, the step record, live changes, determinism."""

import numpy as np
import pytest

from engine import SGD, Network, Trainer, make_dataset


def trainer(
    dataset="xor", hidden=(4,), activation="tanh", lr=0.03, momentum=0.9, seed=0, noise=0.0, batch_size=10, **kw
) -> Trainer:
    data = make_dataset(dataset, 500, noise, 0.5, seed=1)
    rng = np.random.default_rng(seed)
    loss = "mse" if data.problem == "regression" else "bce"
    net = Network.create([2, *hidden, 1], activation, loss, "xavier", rng)
    return Trainer(net, SGD(lr, momentum), data, ["x1", "x2"], batch_size, rng, **kw)


def test_xor_2_4_1_tanh_reaches_low_training_loss():
    t = trainer()
    for _ in range(5000):
        t.step(record=False)
    assert t.evaluate("train")["loss"] < 0.05


def test_circle_one_hidden_layer_generalizes():
    t = trainer("circle", hidden=(8,), noise=0.05)
    for _ in range(3000):
        t.step(record=False)
    assert t.evaluate("test")["accuracy"] > 0.95


def test_plane_regression_fits():
    t = trainer("plane", hidden=(4,), lr=0.01)
    for _ in range(2000):
        t.step(record=False)
    assert t.evaluate("test")["loss"] < 1e-3


def test_record_holds_the_update_actually_applied():
    t = trainer(momentum=0.9, regularizer="l2", reg_rate=0.01)
    first = t.step()
    before = [layer.W.copy() for layer in first.layers]
    rec = t.step()
    for layer, w_before in zip(rec.layers, before):
        assert np.allclose(layer.W - w_before, layer.dW_step)
        assert layer.z.shape == layer.a.shape == layer.delta.shape == (10, layer.W.shape[1])
        assert layer.stats["grad_norm"] == pytest.approx(np.linalg.norm(layer.dW))
    assert rec.grad_norms == tuple(layer.stats["grad_norm"] for layer in rec.layers)
    with pytest.raises(ValueError):
        rec.layers[0].W[0, 0] = 1.0  # records are immutable


def test_momentum_update_rule_by_hand():
    opt = SGD(learning_rate=0.1, momentum=0.5)
    w = np.array([1.0])
    opt.update("w", w, np.array([2.0]))  # v = -0.2
    step = opt.update("w", w, np.array([2.0]))  # v = 0.5 * -0.2 - 0.2 = -0.3
    assert step == pytest.approx([-0.3]) and w == pytest.approx([0.5])


def test_nesterov_update_rule_by_hand():
    opt = SGD(learning_rate=0.1, momentum=0.5, nesterov=True)
    w = np.array([1.0])
    s1 = opt.update("w", w, np.array([2.0]))  # v = -0.2; step = 1.5 * -0.2 - 0 = -0.3
    s2 = opt.update("w", w, np.array([2.0]))  # v = -0.3; step = 1.5 * -0.3 + 0.5 * 0.2 = -0.35
    assert s1 == pytest.approx([-0.3]) and s2 == pytest.approx([-0.35])
    assert w == pytest.approx([0.35])


def test_l1_update_includes_the_sign_of_the_weight():
    t = trainer(momentum=0.0, lr=0.1, regularizer="l1", reg_rate=0.5)
    w = t.network.layers[0].params["W"].copy()
    rec = t.step()
    expected = -0.1 * (rec.layers[0].dW + 0.5 * np.sign(w))
    assert np.allclose(rec.layers[0].dW_step, expected)


def test_same_seed_same_run_other_seed_other_run():
    a, b, c = trainer(seed=3), trainer(seed=3), trainer(seed=4)
    la = [a.step().loss for _ in range(50)]
    assert la == [b.step().loss for _ in range(50)]
    assert la != [c.step().loss for _ in range(50)]


def test_live_changes_keep_weights_and_optimizer_state():
    t = trainer(momentum=0.9)
    for _ in range(5):
        t.step()
    weights = [layer.params["W"].copy() for layer in t.network.layers]
    velocity = {k: v.copy() for k, v in t.optimizer.velocity.items()}
    t.learning_rate, t.optimizer.momentum = 0.5, 0.5
    t.network.set_activation("relu")
    t.batch_size = 3
    assert all(np.array_equal(w, layer.params["W"]) for w, layer in zip(weights, t.network.layers))
    rec = t.step()
    assert rec.learning_rate == 0.5 and rec.layers[0].activation == "relu"
    assert rec.layers[0].z.shape[0] == 3
    v0 = velocity[(0, "W")]
    assert np.allclose(rec.layers[0].dW_step, 0.5 * v0 - 0.5 * rec.layers[0].dW)


def test_divergence_is_flagged():
    t = trainer("plane", lr=10.0, momentum=0.9, activation="relu", hidden=(8, 8))
    finite = [t.step().finite for _ in range(200)]
    assert finite[0] and not finite[-1]


def multiclass_trainer(name, hidden, features, lr, seed=0, **data_kw):
    from engine import make_optimizer, output_size

    data = make_dataset(name, seed=1, **data_kw)
    rng = np.random.default_rng(seed)
    t_in = len(features) if data.inputs != "image" else data.x_train.shape[1]
    net = Network.create([t_in, *hidden, output_size(data)], "relu", "softmax_ce", "he", rng)
    return Trainer(net, make_optimizer("adam", lr), data, features, 32, rng)


def test_three_arm_spiral_is_learned_with_softmax():
    t = multiclass_trainer(
        "spiral_k", (16, 16), ["x1", "x2", "sinx1", "sinx2"], 0.01, samples=600, noise=0.0, train_ratio=0.7, classes=3
    )
    for _ in range(3000):
        t.step(record=False)
    assert t.evaluate("test")["accuracy"] > 0.9


def test_digits_reach_97_percent_on_a_held_out_fifth():
    t = multiclass_trainer("digits", (64,), [], 0.003, samples=0, noise=0.0, train_ratio=0.8)
    assert len(t.x_train) + len(t.x_test) == 1797 and abs(len(t.x_test) - 0.2 * 1797) < 10
    for _ in range(3000):
        t.step(record=False)
    assert t.evaluate("test")["accuracy"] >= 0.97


def test_sine_regression_reports_r2():
    data = make_dataset("sine", 300, 0.0, 0.5, seed=1)
    rng = np.random.default_rng(0)
    net = Network.create([1, 16, 16, 1], "tanh", "mse", "xavier", rng)
    from engine import make_optimizer

    t = Trainer(net, make_optimizer("adam", 0.01), data, ["x1"], 20, rng)
    for _ in range(3000):
        t.step(record=False)
    assert t.evaluate("test")["r2"] > 0.98


@pytest.mark.parametrize("kind", ["circle", "plane", "spiral3"])
def test_both_sets_at_once_score_as_each_set_alone(kind):
    if kind == "spiral3":
        # sets of different sizes (210 and 90), so that neither set can stand for the other
        t = multiclass_trainer("spiral_k", (8,), ["x1", "x2"], 0.01, samples=300, noise=0.1, train_ratio=0.7, classes=3)
    else:
        t = trainer(kind, hidden=(4, 3), eval_limit=120)  # fewer than either set: both are cut
    for _ in range(30):
        t.step(record=False)
    train, test = t.evaluate_both()
    for got, split in ((train, "train"), (test, "test")):
        alone = t.evaluate(split)
        assert got.keys() == alone.keys()
        for key in alone:
            assert got[key] == pytest.approx(alone[key], rel=1e-12), (split, key)
    assert train["loss"] != test["loss"]
