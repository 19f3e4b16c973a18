"""Ready-made experiments: one click sets up a network that shows one thing about
gradients, with two or three sentences on what to watch. `expect` names the warning the
experiment produces (docs/diagnostics.md), or None for the healthy counterpart."""

from __future__ import annotations

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
    "learning_rate": 0.3,
    "batch_size": 16,
    "speed": 30,
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
        "the run diverges after about 130 steps.",
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
        "config": {**EXPLODING_TIME, "clip": "norm", "clip_threshold": 1.0},
    },
]

# Four 3×3 filters, one pool, the output: 100% on the bars by step 200, and by then (seed 1) one
# filter is a diagonal of large weights and another a column (tests/engine/test_cnn_presets.py).
EDGES = {
    "dataset": "bars",
    "samples": 1000,
    "noise": 0.1,
    "conv": [{"kind": "conv", "filters": 4, "kernel": 3, "stride": 1, "same": True}, {"kind": "max_pool"}],
    "hidden": [],
    "activation": "relu",
    "optimizer": "adam",
    "learning_rate": 0.01,
    "batch_size": 32,
    "speed": 30,
}

PRESETS += [
    {
        "name": "edge_detectors",
        "group": "Convolutions",
        "expect": None,
        "title": "Edge detectors emerge",
        "description": "Bars at four orientations, with noise. One convolution of four 3×3 filters, a 2×2 "
        "pool, and the output. Watch the filters W: from random noise, some turn into little bars, a line "
        "of large weights along a diagonal or down a column, the shapes the classes differ in. Each filter "
        "is shared by every position, so its gradient dW adds up patch × δ over the whole image. Click a "
        "gallery image to see which feature maps light up for it.",
        "config": EDGES,
    },
]

# A: conv 8@3×3, max pool, dense 16 (2,314 weights); B: the same dense 16 on the 64 pixels (1,210).
# Adam 0.01, batch 32, mean of three seeds: test accuracy 0.89 against 0.91 at step 100, 0.96 against 0.96
# at 1,000. On the bars the same pair reaches 1.00 against 0.93 by step 100.
CNN_MLP = {
    "dataset": "digits",
    "conv": [{"kind": "conv", "filters": 8, "kernel": 3, "stride": 1, "same": True}, {"kind": "max_pool"}],
    "hidden": [16],
    "activation": "relu",
    "initializer": "he",
    "optimizer": "adam",
    "learning_rate": 0.01,
    "batch_size": 32,
    "speed": 30,
    "compare": {"field": "conv", "value": []},
}
# Digits 0–4 for 500 steps (0.99 test accuracy), then 5–9 (SGD 0.1, batch 32, mean of three seeds): after
# 20 and 50 steps, all layers fine-tuned 0.76 and 0.91, from scratch 0.66 and 0.89, the head only (the
# filters frozen) 0.41 and 0.77: filters for 0–4 are a start, not the answer.
FINE_TUNE = {
    "dataset": "digits",
    "task": "first",
    "conv": [
        {"kind": "conv", "filters": 8, "kernel": 3, "stride": 1, "same": True},
        {"kind": "max_pool"},
        {"kind": "conv", "filters": 16, "kernel": 3, "stride": 1, "same": True},
        {"kind": "max_pool"},
    ],
    "hidden": [],
    "activation": "relu",
    "initializer": "he",
    "optimizer": "sgd",
    "learning_rate": 0.1,
    "batch_size": 32,
    "speed": 30,
}

PRESETS += [
    {
        "name": "cnn_vs_mlp",
        "group": "Convolutions",
        "expect": None,
        "title": "CNN against MLP on digits",
        "description": "Two networks on the same digits, starting weights and batches. A: a CNN, eight 3×3 "
        "filters and a 2×2 max pool before 16 dense units; B: the same 16 dense units straight on the 64 "
        "pixels. On these small, centred digits they end about even (96% test accuracy after 1,000 steps): "
        "each stroke lands on the same pixels every time, so B learns where to look. Now switch the dataset to "
        "Bars, where a bar can be anywhere: A is right on every test image within 100 steps, B stays near 93%. "
        "One filter, shared by every position, finds a bar wherever it is.",
        "config": CNN_MLP,
    },
    {
        "name": "fine_tune_head",
        "group": "Convolutions",
        "expect": None,
        "title": "Fine-tune the head",
        "description": "A CNN learns digits 0–4 only. Let it train to about 99% (500 steps), pause, and under "
        "the network choose Continue on: second half, with freeze kept layers ticked: the filters stay, a new "
        "output layer learns 5–9. Note the test accuracy after 50 steps. Load this experiment again and continue "
        "without freezing (all layers fine-tuned), then once more choosing Task: Second half in the Data panel "
        "(from scratch). After 50 steps: all layers about 91%, from scratch 89%, the head alone 77%: filters "
        "learnt on 0–4 help as a start, but 5–9 need some of their own.",
        "config": FINE_TUNE,
    },
]

BY_NAME = {p["name"]: p for p in PRESETS}
