"""The convolutional experiments, trained with the engine alone from the server's own config:
what their descriptions promise happens."""

import numpy as np

from engine import make_dataset, setup
from server.presets import BY_NAME
from server.schema import defaults, make_fields
from server.settings import Limits


def test_edge_detectors_emerge_from_noise():
    config = {**defaults(make_fields(Limits())), **BY_NAME["edge_detectors"]["config"]}
    data = make_dataset(config["dataset"], config["samples"], config["noise"], config["train_ratio"],
                        config["data_seed"])  # fmt: skip
    trainer = setup.build_cnn(config, data)
    before = trainer.network.weight_layers[0].params["W"][:, 0].copy()
    for _ in range(200):
        trainer.step(record=False)
    assert trainer.evaluate("test")["accuracy"] >= 0.99
    after = trainer.network.weight_layers[0].params["W"][:, 0]

    def line_likeness(f: np.ndarray) -> float:
        """The best cosine between a 3×3 filter and a line (a row, a column or a diagonal of 1s,
        elsewhere 0), both less their means: 1 for a clean bar detector, lower for noise."""
        masks = [np.eye(3)[i][:, None] * np.ones(3) for i in range(3)]
        masks += [m.T for m in masks] + [np.eye(3), np.eye(3)[::-1]]
        g = f - f.mean()
        return max(abs(((m - m.mean()) * g).sum()) / np.linalg.norm(m - m.mean()) / np.linalg.norm(g) for m in masks)

    assert max(line_likeness(f) for f in after) > 0.9 > max(line_likeness(f) for f in before)
