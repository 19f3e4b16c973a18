"""Datasets: determinism, shapes, labels, features per input kind, digits, MNIST IDX files."""

import gzip
from pathlib import Path

import numpy as np
import pytest

from engine.datasets import (
    CLASS_RANGE,
    DATASETS,
    inputs_for,
    line_grid,
    make_dataset,
    one_hot,
)
from engine.digits import load_digits
from engine.features import FEATURES, features
from engine.idx import IdxError, load_mnist, read_idx

ALL = sorted(DATASETS)


def same(a, b):
    return all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ("x_train", "y_train", "x_test", "y_test"))


@pytest.mark.parametrize("name", ALL)
def test_same_seed_same_data_other_seed_other_data(name):
    a = make_dataset(name, 200, 0.2, 0.5, seed=3, classes=4)
    assert same(a, make_dataset(name, 200, 0.2, 0.5, seed=3, classes=4))
    assert not same(a, make_dataset(name, 200, 0.2, 0.5, seed=4, classes=4))


@pytest.mark.parametrize("name", ALL)
def test_record_matches_registry(name):
    kind = DATASETS[name]
    d = make_dataset(name, 300, 0.1, 0.8, seed=0, classes=5)
    assert (d.name, d.problem, d.inputs) == (name, kind.problem, kind.inputs)
    assert d.classes == (5 if kind.classes is None else kind.classes)
    assert d.x_train.dtype == d.y_train.dtype == np.float64
    assert d.x_train.ndim == 2 and d.y_train.shape == (len(d.x_train),) and d.y_test.shape == (len(d.x_test),)
    width = {"plane": 2, "line": 1}.get(kind.inputs) or int(np.prod(kind.image_shape))
    assert d.x_train.shape[1] == d.x_test.shape[1] == width
    n = len(d.y_train) + len(d.y_test)
    assert abs(len(d.y_train) - 0.8 * n) <= d.classes  # stratified rounding moves at most one per class
    if kind.problem != "regression":
        y = np.concatenate([d.y_train, d.y_test])
        assert set(np.unique(y)) == set(range(d.classes))


@pytest.mark.parametrize("name", ["spiral_k", "gauss_k"])
@pytest.mark.parametrize("k", range(CLASS_RANGE[0], CLASS_RANGE[1] + 1))
def test_k_class_datasets_are_balanced_and_stratified(name, k):
    d = make_dataset(name, 500, 0.1, 0.5, seed=1, classes=k)
    assert d.problem == "multiclass" and d.classes == k
    counts = np.bincount(np.concatenate([d.y_train, d.y_test]).astype(int))
    assert len(counts) == k and counts.max() - counts.min() <= 1
    train = np.bincount(d.y_train.astype(int), minlength=k)
    assert np.all(np.abs(train - counts / 2) <= 1)
    assert np.all(np.abs(np.concatenate([d.x_train, d.x_test])) < 9)


@pytest.mark.parametrize("name", ["spiral_k", "gauss_k"])
def test_k_class_arms_are_separate(name):
    """Without noise each class is its own arm or blob: a point's nearest neighbour has its label."""
    d = make_dataset(name, 600, 0.0, 0.5, seed=0, classes=6)
    x, y = np.concatenate([d.x_train, d.x_test]), np.concatenate([d.y_train, d.y_test])
    dist = np.linalg.norm(x[:, None] - x[None], axis=2) + np.diag(np.full(len(x), np.inf))
    assert np.mean(y[dist.argmin(axis=1)] == y) > 0.97


def test_gauss_k_blobs_sit_on_a_circle_of_radius_4():
    d = make_dataset("gauss_k", 600, 0.0, 0.5, seed=0, classes=3)
    for c in range(3):
        assert np.linalg.norm(d.x_train[d.y_train == c].mean(axis=0)) == pytest.approx(4.0, abs=0.3)


def test_classes_out_of_range_is_refused():
    with pytest.raises(ValueError, match="classes must be 3 to 6"):
        make_dataset("spiral_k", 100, 0.0, 0.5, seed=0, classes=7)
    with pytest.raises(ValueError, match="unknown dataset 'nope'"):
        make_dataset("nope", 100, 0.0, 0.5, seed=0)


def test_binary_datasets_ignore_classes():
    a = make_dataset("spiral", 100, 0.1, 0.5, seed=2)
    b = make_dataset("spiral", 100, 0.1, 0.5, seed=2, classes=6)
    assert same(a, b) and a.classes == 2 and a.problem == "classification"


def test_sine_is_sin_of_x_and_noise_has_the_given_std():
    clean = make_dataset("sine", 400, 0.0, 0.5, seed=0)
    assert clean.x_train.shape == (200, 1) and clean.inputs == "line" and clean.problem == "regression"
    assert np.all(np.abs(clean.x_train) <= 6)
    np.testing.assert_allclose(clean.y_train, np.sin(clean.x_train[:, 0]))
    noisy = make_dataset("sine", 2000, 0.3, 0.5, seed=0)
    assert np.std(noisy.y_train - np.sin(noisy.x_train[:, 0])) == pytest.approx(0.3, rel=0.1)


def test_line_grid():
    g = line_grid(5)
    assert g.shape == (5, 1)
    np.testing.assert_allclose(g[:, 0], [-6, -3, 0, 3, 6])


def test_line_features_accept_x1_only():
    x = np.array([[0.0], [np.pi / 2]])
    np.testing.assert_allclose(features(x, ["x1", "x1sq", "sinx1"]), [[0, 0, 0], [np.pi / 2, np.pi**2 / 4, 1]])
    for name in ("x2", "x2sq", "x1x2", "sinx2"):
        with pytest.raises(ValueError, match=f"feature '{name}' needs x2"):
            features(x, ["x1", name])


def test_features_refuse_unknown_names_and_images():
    with pytest.raises(ValueError, match="unknown feature 'x3'"):
        features(np.zeros((3, 2)), ["x3"])
    with pytest.raises(ValueError, match="shape"):
        features(np.zeros((3, 64)), ["x1"])


def test_registry_lists_the_features_each_dataset_allows():
    assert DATASETS["circle"].features == tuple(FEATURES)
    assert DATASETS["sine"].features == ("x1", "x1sq", "sinx1")
    assert DATASETS["digits"].features == ()
    for kind in DATASETS.values():
        assert set(kind.features) <= set(FEATURES)


def test_inputs_for_plane_line_and_image():
    plane = make_dataset("xor", 100, 0.0, 0.5, seed=0)
    tr, te = inputs_for(plane, ["x1", "x2", "x1x2"])
    assert tr.shape == (50, 3) and te.shape == (50, 3)
    line = make_dataset("sine", 100, 0.0, 0.5, seed=0)
    assert inputs_for(line, ["x1", "sinx1"])[0].shape == (50, 2)
    with pytest.raises(ValueError, match="'x2'"):
        inputs_for(line, ["x1", "x2"])
    digits = make_dataset("digits", 0, 0.0, 0.8, seed=0)
    tr, te = inputs_for(digits, ["x1", "x2"])  # names do not apply to images
    assert tr is digits.x_train and te.shape == (len(digits.y_test), 64)


def test_one_hot():
    np.testing.assert_array_equal(one_hot(np.array([2.0, 0.0, 1.0]), 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])


# --- digits -------------------------------------------------------------------------------------------


def test_digits_file_is_the_uci_8x8_set():
    x, y = load_digits()
    assert x.shape == (1797, 64) and y.shape == (1797,)
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.all(x * 16 == np.round(x * 16))  # ink counts 0..16
    counts = np.bincount(y.astype(int))
    assert len(counts) == 10 and counts.min() >= 170 and counts.max() <= 185
    # The first digit of the set is a 0: a ring of ink around an empty middle.
    assert y[0] == 0 and x[0].reshape(8, 8)[3:5, 3:5].max() < 0.2 and x[0].reshape(8, 8)[:, 2].max() > 0.5


def test_digits_file_is_small_and_needs_no_pickle():
    path = Path(__file__).parents[2] / "engine" / "data" / "digits.npz"
    assert path.stat().st_size < 100_000
    with np.load(path, allow_pickle=False) as d:
        assert d["pixels"].dtype == d["labels"].dtype == np.uint8
        assert d["pixels"].max() == 16


def test_digits_dataset_split_is_stratified_and_ignores_samples_and_noise():
    d = make_dataset("digits", 200, 0.5, 0.8, seed=5)
    assert (d.problem, d.inputs, d.classes, d.image_shape) == ("multiclass", "image", 10, (8, 8))
    assert d.class_labels == tuple("0123456789")
    assert len(d.y_train) + len(d.y_test) == 1797 and abs(len(d.y_train) - 0.8 * 1797) <= 10
    assert 0.0 <= d.x_train.min() and d.x_train.max() <= 1.0
    all_counts = np.bincount(np.concatenate([d.y_train, d.y_test]).astype(int))
    train_counts = np.bincount(d.y_train.astype(int))
    assert np.all(np.abs(train_counts - 0.8 * all_counts) <= 1)
    assert same(d, make_dataset("digits", 500, 0.0, 0.8, seed=5))


# --- MNIST IDX files -------------------------------------------------------------------------------------


def idx_bytes(a: np.ndarray, code: int = 0x08) -> bytes:
    dims = np.array(a.shape, ">u4").tobytes()
    return bytes([0, 0, code, a.ndim]) + dims + a.astype(a.dtype.newbyteorder(">")).tobytes()


def write(path: Path, data: bytes, gz: bool = False) -> Path:
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.fixture
def tiny():
    rng = np.random.default_rng(0)
    return {
        "train-images-idx3-ubyte": rng.integers(0, 256, (5, 4, 4), dtype=np.uint8),
        "train-labels-idx1-ubyte": np.array([0, 1, 2, 3, 9], np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (3, 4, 4), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": np.array([4, 5, 6], np.uint8),
    }


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_round_trip(tmp_path, gz):
    images = np.arange(5 * 4 * 4, dtype=np.uint8).reshape(5, 4, 4)
    p = write(tmp_path / "a", idx_bytes(images), gz)
    out = read_idx(p)
    assert out.dtype == np.uint8 and out.shape == (5, 4, 4)
    np.testing.assert_array_equal(out, images)


def test_read_idx_big_endian_types(tmp_path):
    for code, dtype in ((0x0C, np.int32), (0x0D, np.float32), (0x0E, np.float64), (0x0B, np.int16)):
        a = np.array([[1, -2, 300], [4, 5, -6]], dtype)
        np.testing.assert_array_equal(read_idx(write(tmp_path / "t", idx_bytes(a, code))), a)


@pytest.mark.parametrize("style", ["plain", "gz", "dotted", "dotted.gz"])
def test_load_mnist_round_trip(tmp_path, tiny, style):
    for name, a in tiny.items():
        fname = name.replace("-idx", ".idx") if style.startswith("dotted") else name
        write(tmp_path / (fname + ".gz" if style.endswith("gz") else fname), idx_bytes(a), style.endswith("gz"))
    d = load_mnist(tmp_path)
    assert (d.name, d.problem, d.inputs, d.classes, d.image_shape) == ("mnist", "multiclass", "image", 10, (4, 4))
    assert d.x_train.shape == (5, 16) and d.x_test.shape == (3, 16) and d.x_train.dtype == np.float64
    np.testing.assert_allclose(d.x_train, tiny["train-images-idx3-ubyte"].reshape(5, 16) / 255)
    np.testing.assert_array_equal(d.y_train, [0, 1, 2, 3, 9])
    np.testing.assert_array_equal(d.y_test, [4, 5, 6])
    assert d.class_labels == tuple("0123456789")


def test_load_mnist_names_the_missing_file(tmp_path, tiny):
    for name, a in tiny.items():
        if name != "t10k-labels-idx1-ubyte":
            write(tmp_path / name, idx_bytes(a))
    with pytest.raises(FileNotFoundError, match="no t10k-labels-idx1-ubyte in"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="not a folder"):
        load_mnist(tmp_path / "missing")


def test_wrong_magic_number_names_the_file(tmp_path, tiny):
    for name, a in tiny.items():
        write(tmp_path / name, idx_bytes(a))
    bad = tmp_path / "train-labels-idx1-ubyte"
    bad.write_bytes(b"\x00\x00\x07\x01" + bad.read_bytes()[4:])  # type code 0x07 does not exist
    with pytest.raises(IdxError, match=r"train-labels-idx1-ubyte: wrong magic number 0x00000701"):
        load_mnist(tmp_path)
    with pytest.raises(IdxError, match="wrong magic number 0x504b0304"):  # a zip file
        read_idx(write(tmp_path / "x.zip", b"PK\x03\x04" + bytes(40)))


def test_idx_errors_for_truncated_files_and_mismatched_counts(tmp_path, tiny):
    data = idx_bytes(tiny["train-images-idx3-ubyte"])
    with pytest.raises(IdxError, match=r"needs 96 bytes, the file has 90"):
        read_idx(write(tmp_path / "cut", data[:-6]))
    with pytest.raises(IdxError, match="too short"):
        read_idx(write(tmp_path / "tiny", b"\x00\x00"))
    with pytest.raises(IdxError, match="header says 3 dimensions"):
        read_idx(write(tmp_path / "head", data[:10]))
    with pytest.raises(IdxError, match="corrupt gzip"):
        read_idx(write(tmp_path / "gz", gzip.compress(data)[:-8]))
    for name, a in tiny.items():
        write(tmp_path / name, idx_bytes(a[:2] if name.startswith("t10k-labels") else a))
    with pytest.raises(IdxError, match="2 labels for 3 images"):
        load_mnist(tmp_path)


def test_digits_suggests_a_network_that_learns_it_and_the_default_does_not():
    """A user who picks digits without building a network gets DATASETS' suggestion, so it
    must learn: after 1,000 steps at the defaults (tanh, SGD 0.03, batch 10)."""
    from engine import setup

    data = make_dataset("digits", 0, 0.0, 0.5, seed=1)

    def accuracy(hidden):
        t = setup.build({"hidden": hidden}, data, [])
        for _ in range(1000):
            t.step(record=False)
        return t.evaluate("test")["accuracy"]

    suggested = list(DATASETS["digits"].suggested_hidden)
    assert accuracy(suggested) > 0.9 and accuracy(setup.DEFAULTS["hidden"]) < 0.6
    assert all(
        DATASETS[n].suggested_hidden is None for n in ALL if n not in ("digits", "bars")
    )  # the default suits them


def test_bars_lie_where_they_fit_at_their_classs_angle():
    data = make_dataset("bars", 400, 0.0, 0.5, seed=3)
    steps = {0: (0, 1), 1: (1, 0), 2: (1, 1), 3: (1, -1)}  # (row, column) from one pixel of a bar to the next
    for x, label in zip(data.x_train, data.y_train):
        rows, cols = np.nonzero(x.reshape(data.image_shape))
        order = np.lexsort((cols * steps[int(label)][1], rows))  # along the bar
        dr, dc = np.diff(rows[order]), np.diff(cols[order])
        assert len(rows) == 7 and set(zip(dr, dc)) == {steps[int(label)]}, (label, rows, cols)
    assert np.bincount(data.y_train.astype(int), minlength=4).min() > 30


def test_bars_anywhere_defeat_a_small_fully_connected_network():
    """What a convolution is for: a bar can be anywhere, and a 144-16-4 network must learn each
    place apart. After 1,000 steps at the defaults (tanh, SGD 0.03, batch 10) it is right 64% of
    the time (the 4-2 default, 56%)."""
    from engine import setup

    data = make_dataset("bars", 500, 0.0, 0.5, seed=1)
    t = setup.build({"hidden": list(DATASETS["bars"].suggested_hidden)}, data, [])
    for _ in range(1000):
        t.step(record=False)
    accuracy = t.evaluate("test")["accuracy"]
    assert 0.45 < accuracy < 0.8, f"bars, 144-16-4 after 1,000 steps: test accuracy {accuracy:.2f}"
