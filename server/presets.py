"""Ready-made experiments: one click sets up a network that shows one thing about
gradients, with two or three sentences on what to watch. `expect` names the warning the
experiment produces (docs/diagnostics.md), or None for the healthy counterpart."""

from __future__ import annotations

from .presets_cnn import CNN_PRESETS

# Batches of 32: "dead for the whole batch" then rarely flags a unit that is merely quiet.
DEEP = {"dataset": "circle", "hidden": [8] * 8, "learning_rate": 0.03, "batch_size": 32, "speed": 100}
EXPLODING = {
    "dataset": "plane",
    "hidden": [16] * 4,
    "activation": "tanh",
    "initializer": "large_normal",
    "learning_rate": 0.3,
    "batch_size": 32,
    "speed": 30,
}

# "Remember the first input" 30 steps back, with the classic U(±1/√n) for W_h: the plain RNN's
# gradient reaching the first step is 10⁻⁹ to 10⁻⁷ of the last one's for its first 700 steps and
# it never learns (0.47 test accuracy at 1,500 steps); the LSTM learns by step 250. At Adam 0.01
# the RNN's W_h grew to a radius of 1.7 by step 1,000, and its heatmap turned bright without it
# learning: a picture that contradicts the lesson (tests/engine/test_recurrent_presets.py).
REMEMBER = {
    "dataset": "remember",
    "delay": 30,
    "samples": 1000,
    "units": 8,
    "recurrent_init": "standard",
    "optimizer": "adam",
    "learning_rate": 0.003,
    "batch_size": 32,
    "speed": 100,
}

PRESETS: list[dict] = [
    {
        "name": "forward_by_hand",
        "group": "Explain a step",
        "expect": None,
        "title": "Forward pass by hand",
        "description": "The textbook network: two inputs, one hidden layer of three sigmoid neurons, one "
        "output. Press “Explain a step” (E) and follow one sample through it: each neuron's "
        "weighted sum and activation, the loss, each δ on the way back, and the update of a weight "
        "you click. Every number is this network's own.",
        "config": {
            "dataset": "circle",
            "features": ["x1", "x2"],
            "hidden": [3],
            "activation": "sigmoid",
            "initializer": "xavier",
            "optimizer": "sgd",
            "learning_rate": 0.3,
            "batch_size": 4,
            "speed": 5,
        },
    },
    {
        "name": "vanishing_sigmoid",
        "group": "Vanishing gradients",
        "expect": "vanishing",
        "title": "Deep sigmoid network: vanishing gradients",
        "description": "Eight sigmoid layers. In the gradient heatmap the first layers' rows are dark: "
        "they receive a thousandth of the output layer's gradient or less, because each "
        "sigmoid multiplies the gradient by at most 0.25. The loss barely moves.",
        "config": {**DEEP, "activation": "sigmoid", "initializer": "xavier"},
    },
    {
        "name": "vanishing_relu_he",
        "group": "Vanishing gradients",
        "expect": None,
        "title": "The same depth with ReLU and He initialization",
        "description": "ReLU passes the gradient unchanged where a unit is active, and He initialization "
        "keeps the signal's size from layer to layer. Every row of the heatmap is about "
        "equally bright, and the loss falls.",
        "config": {**DEEP, "hidden": [16] * 8, "activation": "relu", "initializer": "he"},
    },
    {
        "name": "vanishing_residual",
        "group": "Vanishing gradients",
        "expect": None,
        "title": "Deep sigmoid network with residual connections",
        "description": "Each hidden layer adds its input to its output, so the gradient has a path that "
        "skips the sigmoids. Compare the heatmap with the plain sigmoid network: the first "
        "layers now get a real gradient.",
        "config": {**DEEP, "activation": "sigmoid", "initializer": "xavier", "residual": True},
    },
    {
        "name": "vanishing_batchnorm",
        "group": "Vanishing gradients",
        "expect": None,
        "title": "Deep sigmoid network with batch normalization",
        "description": "Batch normalization re-centres every layer's inputs to the sigmoid, where its "
        "slope is largest, so less of the gradient is lost on the way down. The heatmap's "
        "rows even out and the loss starts to fall.",
        "config": {**DEEP, "activation": "sigmoid", "initializer": "xavier", "batch_norm": True},
    },
    {
        "name": "exploding",
        "group": "Exploding gradients",
        "expect": "exploding",
        "title": "Large initial weights and a high learning rate: exploding gradients",
        "description": "Weights drawn with σ = 1 in a tanh network and a learning rate of 0.3. Each "
        "update overshoots; watch the heatmap turn yellow and the gradient norm grow a "
        "thousandfold in a few dozen steps, until the run diverges.",
        "config": EXPLODING,
    },
    {
        "name": "exploding_clipped",
        "group": "Exploding gradients",
        "expect": None,
        "title": "The same, rescued by gradient clipping",
        "description": "The same network, with the gradient's global norm clipped to 1 before each "
        "update. The gradients are still large (the clipped-steps counter climbs) but no "
        "single step can throw the weights away, and the run stays finite.",
        "config": {**EXPLODING, "clip": "norm", "clip_threshold": 1.0},
    },
    {
        "name": "dead_relu",
        "group": "Dead ReLUs",
        "expect": "dead",
        "title": "Dead ReLUs after a too-high learning rate",
        "description": "A learning rate of 3 throws many ReLUs' biases so far negative that they output 0 "
        "for every input. A dead unit passes no gradient, so it never recovers: its "
        "thumbnail stays blank and the warning counts them.",
        "config": {
            "dataset": "circle",
            "hidden": [8, 8],
            "activation": "relu",
            "initializer": "he",
            "learning_rate": 3,
            "speed": 30,
        },
    },
    {
        "name": "tanh_small_init",
        "group": "Initialization",
        "expect": "vanishing",
        "title": "Deep tanh network, too-small initial weights",
        "description": "Weights drawn with σ = 0.01: each layer shrinks the signal a hundredfold, so the "
        "activations and the gradient reaching the first layers are almost 0.",
        "config": {**DEEP, "activation": "tanh", "initializer": "small_normal"},
    },
    {
        "name": "tanh_xavier",
        "group": "Initialization",
        "expect": None,
        "title": "Deep tanh network, Xavier initialization",
        "description": "Xavier/Glorot initialization scales the weights by the layers' widths, so the "
        "signal keeps its size forwards and the gradient backwards (Glorot and Bengio, "
        "2010). Compare the heatmap with the too-small initialization: no dark rows.",
        "config": {**DEEP, "activation": "tanh", "initializer": "xavier"},
    },
    {
        "name": "compare_sigmoid_relu",
        "group": "Side by side",
        "expect": "vanishing",
        "title": "Side by side: sigmoid against ReLU",
        "description": "Two copies of one deep network, with the same data, starting weights and batch "
        "order, trained in lockstep. Only the activation differs: A uses sigmoid, B ReLU. "
        "Compare the two heatmaps and loss curves.",
        "config": {
            **DEEP,
            "activation": "sigmoid",
            "initializer": "he",
            "compare": {"field": "activation", "value": "relu"},
        },
    },
]

# A tanh RNN whose W_h has spectral radius 3, over 30 steps: at step 1 ‖∂L/∂h_t‖ is 210 at the
# first time step against 0.018 at the last (10⁴ times), the big updates grow the weights, and the
# run diverges at step 132. Clipped to norm 1: finite, test R² 0.81 at step 600. (A linear RNN at
# radius 1.2 overflowed forwards too and diverged at step 2: nothing to watch.)
EXPLODING_TIME = {
    "dataset": "wave",
    "length": 30,
    "units": 16,
    "activation": "tanh",
    "recurrent_scale": 3.0,
    "optimizer": "sgd",
    # At 0.3 whether the run diverged (after ~130 steps) or recovered depended on the BLAS
    # kernel's rounding (OpenBLAS's AVX-512 one: it recovered). At 0.45 it diverged after
    # 30-57 steps for seeds 1-5 on four kernels, and clipped it learned (test R² 0.71-0.95).
    "learning_rate": 0.45,
    "batch_size": 16,
    "speed": 5,  # its ~45 steps take ~9 s: time to look at the heatmap before it diverges
}

PRESETS += [
    {
        "name": "rnn_forgets",
        "group": "Through time",
        "expect": "vanishing_time",
        "title": "A plain RNN forgets; an LSTM remembers",
        "description": "Each sequence starts with a + or a −, then 30 steps of noise; the answer is the "
        "first sign. A: a tanh RNN, B: an LSTM, same data, starting weights and batches. In A's time "
        "heatmap the left columns (the first time steps) are far darker than the right: the gradient reaching "
        "them is a millionth of the one at the end or less, so A never learns what came first. B's forget "
        "gate carries it back, and B learns; once it has, its whole heatmap darkens, as its loss is near 0.",
        "config": {**REMEMBER, "compare": {"field": "cell", "value": "lstm"}},
    },
    {
        "name": "truncated_bptt",
        "group": "Through time",
        "expect": None,
        "title": "Truncated BPTT cannot learn a long delay",
        "description": "The LSTM of the experiment above, learning the same 30-step delay. A: the gradient "
        "goes back only 5 time steps (truncated BPTT), B: all 31. In A's time heatmap every step before the "
        "window is black: nothing tells A what happened 30 steps ago, so it stays at chance while B learns.",
        "config": {**REMEMBER, "cell": "lstm", "truncate": 5, "compare": {"field": "truncate", "value": 0}},
    },
    {
        "name": "exploding_time",
        "group": "Through time",
        "expect": "exploding_time",
        "title": "Exploding through time",
        "description": "A tanh RNN whose W_h has a spectral radius of 3 predicts a wave 30 steps long. "
        "Going back through time the gradient grows: it reaches step 1 about 10,000 times larger than at "
        "step 30, so the time heatmap is bright on the left. Each update is too big, the weights grow, and "
        "the run diverges after about 50 steps.",
        "config": EXPLODING_TIME,
    },
    {
        "name": "exploding_time_clipped",
        "group": "Through time",
        "expect": "exploding_time",
        "title": "The same, with gradient clipping",
        "description": "The same network, with the gradient's global norm clipped to 1 before each update. "
        "The gradient still grows back through time at first (clipping does not change W_h), but no step "
        "can throw the weights away: the clipped-steps counter climbs, the run stays finite and learns the wave.",
        "config": {**EXPLODING_TIME, "clip": "norm", "clip_threshold": 1.0, "speed": 30},
    },
]

PRESETS += CNN_PRESETS

BY_NAME = {p["name"]: p for p in PRESETS}
