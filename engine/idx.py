"""The IDX file format of MNIST (and Fashion-MNIST), plain or gzip-compressed.

An IDX file is a 4-byte magic number, 0x00 0x00 <type code> <ndim>, then ndim
big-endian uint32 sizes, then the values in C order, big-endian.
See http://yann.lecun.com/exdb/mnist/ (bottom of the page).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from .datasets import Dataset

IDX_TYPES: dict[int, np.dtype[np.generic]] = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"

MNIST_FILES = {  # part -> the name as distributed; also accepted: ".idx" for "-idx", and a ".gz" suffix
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


class IdxError(ValueError):
    """A file that is not a valid IDX file; the message names the file and what is wrong."""


def read_idx(path: str | Path) -> np.ndarray:
    """The array stored in an IDX file (gzip-compressed or not), in its stored dtype, native byte order.

    Shape: the file's dimensions, e.g. [60000, 28, 28] for MNIST images, [60000] for labels.
    Raises FileNotFoundError, or IdxError naming the file and the problem.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == GZIP_MAGIC:  # by content, not by name: a renamed or already unpacked file still reads
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise IdxError(f"{path}: corrupt gzip data ({e})") from e
    if len(raw) < 4:
        raise IdxError(f"{path}: {len(raw)} bytes, too short for an IDX header")
    zero, code, ndim = raw[:2], raw[2], raw[3]
    if zero != b"\x00\x00" or code not in IDX_TYPES:
        raise IdxError(
            f"{path}: wrong magic number 0x{raw[:4].hex()}: an IDX file starts with 00 00, a type code "
            f"({', '.join(f'{c:02x}' for c in IDX_TYPES)}) and the number of dimensions"
        )
    head = 4 + 4 * ndim
    if len(raw) < head:
        raise IdxError(f"{path}: header says {ndim} dimensions but the file ends after {len(raw)} bytes")
    shape = tuple(int(s) for s in np.frombuffer(raw, ">u4", ndim, 4))
    dtype = IDX_TYPES[code]
    expected = head + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        raise IdxError(f"{path}: shape {shape} of {dtype.name} needs {expected} bytes, the file has {len(raw)}")
    values: np.ndarray = np.frombuffer(raw, dtype, offset=head).reshape(shape).astype(dtype.newbyteorder("="))
    return values


def _find(folder: Path, name: str) -> Path:
    stems = [name, name.replace("-idx", ".idx")]
    for stem in stems:
        for candidate in (folder / stem, folder / f"{stem}.gz"):
            if candidate.is_file():
                return candidate
    tried = ", ".join(f"{s}[.gz]" for s in stems)
    raise FileNotFoundError(f"MNIST: no {name} in {folder} (looked for {tried})")


def load_mnist(folder: str | Path) -> Dataset:
    """MNIST from the four IDX files in folder, with its own train/test split.

    x: [n, h*w] float64 pixels / 255 (h, w as the files say, 28×28 for MNIST);
    y: [n] float64 labels. classes is 10, or more if a label is above 9.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"MNIST: {folder} is not a folder")
    paths = {part: _find(folder, name) for part, name in MNIST_FILES.items()}
    arrays = {part: read_idx(p) for part, p in paths.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        img_path, lab_path = paths[f"{split}_images"], paths[f"{split}_labels"]
        if images.ndim != 3 or images.dtype != np.uint8:
            raise IdxError(f"{img_path}: expected uint8 images [n, h, w], got {images.dtype.name} {images.shape}")
        if labels.ndim != 1 or labels.dtype != np.uint8:
            raise IdxError(f"{lab_path}: expected uint8 labels [n], got {labels.dtype.name} {labels.shape}")
        if len(images) != len(labels):
            raise IdxError(f"{lab_path}: {len(labels)} labels for {len(images)} images in {img_path.name}")
    train, test = arrays["train_images"], arrays["test_images"]
    if train.shape[1:] != test.shape[1:]:
        raise IdxError(f"{paths['test_images']}: images are {test.shape[1:]}, the training images {train.shape[1:]}")
    classes = max(10, int(max(arrays["train_labels"].max(initial=0), arrays["test_labels"].max(initial=0))) + 1)
    h, w = train.shape[1:]
    return Dataset(
        "mnist",
        "multiclass",
        train.reshape(len(train), h * w) / 255.0,
        arrays["train_labels"].astype(np.float64),
        test.reshape(len(test), h * w) / 255.0,
        arrays["test_labels"].astype(np.float64),
        inputs="image",
        classes=classes,
        image_shape=(h, w),
        class_labels=tuple(str(c) for c in range(classes)),
    )
