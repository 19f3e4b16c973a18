"""Ready-made experiments with convolutional networks (the "Convolutions" group of
presets.py's list): each config with the figures measured on it."""

from __future__ import annotations

CNN_PRESETS: list[dict] = []

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

CNN_PRESETS += [
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

CNN_PRESETS += [
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
