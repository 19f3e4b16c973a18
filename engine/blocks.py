"""BLOCKS: what a convolutional network puts before its dense layers, in order. Each entry
describes its own settings (the schema, the page's block editor and the docs are made from
them); a block in a config is {"kind": name, **its settings}, a missing setting taking its
default. `shapes` follows an image through the blocks and refuses, naming the block and
the sizes, a combination that leaves nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .conv import Conv2D, Pool2D, out_size
from .params import Entry, Setting, values

MAX_BLOCKS = 6

FILTERS = Setting("filters", "Filters", 8, "integer", 1, 16,
                  help="How many filters the layer learns: each makes one feature map.")  # fmt: skip
KERNEL = Setting("kernel", "Kernel", 3, "integer", 1, 7, help="Each filter's width and height, in pixels.")
STRIDE = Setting("stride", "Stride", 1, "integer", 1, 2,
                 help="How far a filter moves between two positions: 2 makes the map half as wide.")  # fmt: skip
SAME = Setting("same", "Same size", True, "bool",
               help="Zeros around the edge keep the map as large as its input; off, the filter stays inside "
                    "the image and the map shrinks by the kernel's size less one.")  # fmt: skip


@dataclass(frozen=True)
class Block(Entry):
    """A block kind; `weights`: it learns filters, so it is a weight layer (numbered among the
    network's, conv layers first) that the per-layer `frozen` setting can freeze."""

    weights: bool = field(default=False, kw_only=True)

    def describe(self) -> dict[str, Any]:
        return {"weights": self.weights}


# fmt: off
BLOCKS: dict[str, Block] = {
    e.name: e for e in (
        Block("conv", "Convolution", settings=(FILTERS, KERNEL, STRIDE, SAME), weights=True,
              help="Filters slid over the image: each position's value is the filter times the patch under it, "
                   "then the activation. One filter is shared by every position."),
        Block("max_pool", "Max pool 2×2",
              help="Keeps the largest value of each 2×2 square: the map is half as wide, and only the largest "
                   "value of each square gets a gradient."),
        Block("avg_pool", "Average pool 2×2",
              help="Averages each 2×2 square: the map is half as wide, and each value gets a quarter of the "
                   "gradient."),
    )
}
# fmt: on


def weight_layer(blocks: Sequence[Mapping[str, Any]], j: int) -> int | None:
    """The weight layer block j is (its place in `frozen`), None for a block without weights."""
    return sum(BLOCKS[b["kind"]].weights for b in blocks[:j]) if BLOCKS[blocks[j]["kind"]].weights else None


def settings_of(block: Mapping[str, Any]) -> dict[str, Any]:
    """The block's settings, each given or its default."""
    return values(BLOCKS[block["kind"]].settings, block)


def layer_of(block: Mapping[str, Any], W: Any, b: Any, activation: str) -> Conv2D | Pool2D:
    """The engine layer a block is (W, b: a conv block's starting weights; unused by a pool)."""
    if block["kind"] != "conv":
        return Pool2D(block["kind"].removesuffix("_pool"))
    s = settings_of(block)
    return Conv2D(W, b, activation, s["stride"], "same" if s["same"] else "valid")


def shapes(image: tuple[int, int, int], blocks: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, int]]:
    """[C, H, W] after each block, from the image's; ValueError naming the block and the sizes
    where a block would leave nothing (a kernel larger than its input, a map pooled away)."""
    out, (c, h, w) = [], image
    for i, block in enumerate(blocks):
        where = f"block {i + 1} ({BLOCKS[block['kind']].label.lower()})"
        if block["kind"] == "conv":
            s = settings_of(block)
            k, same = s["kernel"], s["same"]
            if not same and (k > h or k > w):
                raise ValueError(f"{where}: a {k}×{k} kernel does not fit its {h}×{w} input without padding")
            padding = "same" if same else "valid"
            c, h, w = s["filters"], out_size(h, k, s["stride"], padding), out_size(w, k, s["stride"], padding)
        else:
            if h < 2 or w < 2:
                raise ValueError(f"{where}: 2×2 pooling needs an input of at least 2×2, and this one is {h}×{w}")
            h, w = h // 2, w // 2
        out.append((c, h, w))
    return out


def multiply_adds(image: tuple[int, int, int], blocks: Sequence[Mapping[str, Any]], dense: Sequence[int]) -> int:
    """One image's forward pass, in multiply-adds: each conv layer's output values × its
    filter's size, then the dense layers (`dense`: their widths, the output's last). A step
    costs about three times this per sample of the batch."""
    total, before = 0, image
    for block, after in zip(blocks, shapes(image, blocks)):
        if block["kind"] == "conv":
            total += after[0] * after[1] * after[2] * before[0] * settings_of(block)["kernel"] ** 2
        before = after
    width = before[0] * before[1] * before[2]
    for n in dense:
        total, width = total + width * n, n
    return total
