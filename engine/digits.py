"""The UCI "Optical Recognition of Handwritten Digits" 8×8 set, shipped in engine/data.

1,797 digits (E. Alpaydin, C. Kaynak, 1998; UCI Machine Learning
Repository, CC BY 4.0). Each pixel counts the ink in a 4×4 block of a 32×32 bitmap,
so it is an integer 0..16. The file was converted from the copy that scikit-learn
ships as sklearn/datasets/data/digits.csv.gz (see engine/data/README.md).
"""

from __future__ import annotations

from importlib.resources import files

import numpy as np

IMAGE_SHAPE = (8, 8)
MAX_PIXEL = 16  # ink count per 4×4 block
CLASS_LABELS = tuple(str(d) for d in range(10))


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits: pixels [1797, 64] float64 in [0, 1], labels [1797] float64 0..9.

    Read through importlib.resources so it also works from an installed wheel or zip.
    """
    with (files(__package__) / "data" / "digits.npz").open("rb") as f, np.load(f, allow_pickle=False) as d:
        pixels, labels = d["pixels"], d["labels"]
    return pixels.astype(np.float64) / MAX_PIXEL, labels.astype(np.float64)
