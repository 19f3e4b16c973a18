"""encode keeps the text of each array table it wrote (a session's frames repeat it): a
message whose arrays have the same names but other shapes, or another order, must not
get a table written for another message."""

import numpy as np

from server.protocol import decode, encode


def test_each_message_decodes_to_its_own_arrays():
    rng = np.random.default_rng(5)
    layouts = [
        {"history.loss": (12,), "history.grad_norm": (12, 3), "layer0.W": (2, 4)},
        {"history.loss": (11,), "history.grad_norm": (11, 3), "layer0.W": (2, 4)},  # fewer steps since the last frame
        {"layer0.W": (2, 4), "history.grad_norm": (12, 3), "history.loss": (12,)},  # another order
        {"history.loss": (12,), "history.grad_norm": (12, 3), "layer0.W": (4, 2)},  # same sizes, other shape
        {"history.loss": (12,), "history.grad_norm": (12, 3), "layer0.W": (2, 4)},  # the first again
    ]
    for step, layout in enumerate(layouts):
        arrays = {name: rng.standard_normal(shape) for name, shape in layout.items()}
        header, got = decode(encode({"kind": "frame", "step": step}, arrays))
        assert header["step"] == step and list(got) == list(arrays)
        for name, a in arrays.items():
            np.testing.assert_array_equal(got[name], a.astype(np.float32), err_msg=f"{name} of message {step}")
