"""Built-in datasets and user data files."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

from lnn.datasets import (
    BUILTIN_DATASETS,
    DATA_DIR_ENV,
    Dataset,
    DatasetError,
    builtin_classes,
    load_dataset,
)

# name -> (train samples, features, classes)
EXPECTED_SHAPES = {
    "cat": (209, 12288, 2),
    "flower": (400, 2, 2),
    "moons": (300, 2, 2),
    "circles": (300, 2, 2),
    "xor": (400, 2, 2),
    "spirals": (300, 2, 3),
    "breast_cancer": (569, 30, 2),
    "digits": (1797, 64, 10),
    "iris": (150, 4, 3),
    "wine": (178, 13, 3),
}


def assert_one_line_error(excinfo: pytest.ExceptionInfo[DatasetError], *parts: str) -> None:
    message = str(excinfo.value)
    assert "\n" not in message
    for part in parts:
        assert part in message


def test_the_built_in_names_are_the_documented_ones() -> None:
    assert set(BUILTIN_DATASETS) == set(EXPECTED_SHAPES)


@pytest.mark.parametrize("name", sorted(set(EXPECTED_SHAPES) - {"cat"}))
def test_built_in_shapes_and_dtypes(name: str) -> None:
    m, n, k = EXPECTED_SHAPES[name]
    assert_shapes(load_dataset(name), name, m, n, k)


def assert_shapes(data: Dataset, name: str, m: int, n: int, k: int) -> None:
    assert data.name == name
    assert data.x_train.shape == (m, n) and data.x_train.dtype == np.float64
    assert data.y_train.shape == (m,) and data.y_train.dtype == np.int64
    assert data.n_features == n and data.n_classes == k
    assert set(np.unique(data.y_train)) == set(range(k))
    assert np.all(np.isfinite(data.x_train)) and data.description
    assert "\n" not in data.description


def test_cat_is_flattened_and_scaled_to_unit_range(tiny_cat: Path) -> None:
    data = load_dataset("cat")
    with np.load(tiny_cat) as npz:
        raw = {key: npz[key] for key in npz.files}
    assert_shapes(data, "cat", len(raw["train_x"]), 64 * 64 * 3, 2)
    assert data.x_test is not None and data.x_test.shape == (len(raw["test_x"]), 12288)
    assert data.y_test is not None and data.y_test.dtype == np.int64
    np.testing.assert_array_equal(data.y_test, raw["test_y"])
    assert data.classes == ("non-cat", "cat")
    assert data.x_train.min() >= 0.0 and data.x_train.max() <= 1.0
    np.testing.assert_allclose(data.x_train[3], raw["train_x"][3].reshape(-1) / 255.0)


def test_cat_data_dir_argument_wins_over_the_environment(
    tiny_cat: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LNN_DATA_DIR", str(tmp_path / "elsewhere"))
    data = load_dataset("cat", data_dir=str(tiny_cat.parent))
    assert data.x_train.shape[1] == 12288


def test_cat_file_without_a_key_names_it(tiny_cat: Path) -> None:
    with np.load(tiny_cat) as npz:
        arrays = {key: npz[key] for key in npz.files if key != "test_y"}
    np.savez(tiny_cat, **arrays)
    with pytest.raises(DatasetError) as excinfo:
        load_dataset("cat")
    assert_one_line_error(excinfo, "catvnoncat.npz", "test_y")


def test_the_course_cat_file_has_the_course_shapes(course_cat: Path) -> None:
    data = load_dataset("cat")
    assert_shapes(data, "cat", *EXPECTED_SHAPES["cat"])
    assert data.x_test is not None and data.x_test.shape == (50, 12288)


def test_cat_missing_names_the_expected_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LNN_DATA_DIR", str(tmp_path))
    with pytest.raises(DatasetError) as excinfo:
        load_dataset("cat")
    assert_one_line_error(
        excinfo, "LNN_DATA_DIR", str(tmp_path), "catvnoncat.npz", "train_catvnoncat.h5"
    )
    monkeypatch.delenv("LNN_DATA_DIR")
    with pytest.raises(DatasetError) as excinfo:
        load_dataset("cat")
    assert_one_line_error(excinfo, "LNN_DATA_DIR is not set", "catvnoncat.npz")


def _write_h5_pair(directory: Path) -> None:
    for name in ("train_catvnoncat.h5", "test_catvnoncat.h5"):
        (directory / name).write_bytes(b"placeholder")


def test_cat_h5_pair_without_h5py_says_how_to_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_h5_pair(tmp_path)
    monkeypatch.setitem(sys.modules, "h5py", None)  # makes `import h5py` fail
    with pytest.raises(DatasetError) as excinfo:
        load_dataset("cat", data_dir=str(tmp_path))
    assert_one_line_error(excinfo, "h5py", "catvnoncat.npz")


def test_cat_h5_pair_is_read_with_h5py(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_h5_pair(tmp_path)
    rng = np.random.default_rng(0)
    contents = {
        "train_catvnoncat.h5": {
            "train_set_x": rng.integers(0, 256, (6, 64, 64, 3), dtype=np.uint8),
            "train_set_y": np.array([0, 1, 1, 0, 1, 0]),
            "list_classes": np.array([b"non-cat", b"cat"]),
        },
        "test_catvnoncat.h5": {
            "test_set_x": rng.integers(0, 256, (2, 64, 64, 3), dtype=np.uint8),
            "test_set_y": np.array([[1, 0]]),
            "list_classes": np.array([b"non-cat", b"cat"]),
        },
    }

    class FakeFile(dict):
        def __init__(self, path: Path, mode: str) -> None:
            super().__init__(contents[Path(path).name])

        def __enter__(self) -> FakeFile:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setitem(sys.modules, "h5py", types.SimpleNamespace(File=FakeFile))
    data = load_dataset("cat", data_dir=str(tmp_path))
    assert data.x_train.shape == (6, 12288) and data.x_test is not None
    assert data.y_test is not None and data.y_test.tolist() == [1, 0]
    assert data.classes == ("non-cat", "cat")


@pytest.mark.parametrize("name", ["flower", "moons", "circles", "xor", "spirals"])
def test_generated_data_is_reproducible_per_seed(name: str) -> None:
    first = load_dataset(name, seed=4)
    again = load_dataset(name, seed=4)
    other = load_dataset(name, seed=5)
    np.testing.assert_array_equal(first.x_train, again.x_train)
    np.testing.assert_array_equal(first.y_train, again.y_train)
    assert not np.array_equal(first.x_train, other.x_train)
    assert first.x_test is None and np.abs(first.x_train).max() < 4.5


def test_generated_options_set_size_and_noise() -> None:
    data = load_dataset("spirals", samples=31, noise=0.0)
    assert data.x_train.shape == (31, 2)
    assert np.bincount(data.y_train).tolist() == [11, 10, 10]
    radius = np.hypot(*data.x_train[:11].T)
    np.testing.assert_allclose(radius, np.linspace(0, 1, 11))  # noiseless arm


def test_xor_labels_follow_the_blob_signs() -> None:
    data = load_dataset("xor", noise=0.05)
    signs_differ = np.sign(data.x_train[:, 0]) != np.sign(data.x_train[:, 1])
    np.testing.assert_array_equal(data.y_train, signs_differ.astype(int))


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer"])
def test_tabular_data_is_standardized(name: str) -> None:
    x = load_dataset(name).x_train
    np.testing.assert_allclose(x.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(x.std(axis=0), 1.0)


def test_digits_are_scaled_to_unit_range() -> None:
    x = load_dataset("digits").x_train
    assert x.min() == 0.0 and x.max() == 1.0


def test_options_that_do_not_apply_are_rejected() -> None:
    with pytest.raises(DatasetError) as excinfo:
        load_dataset("iris", samples=10)
    assert_one_line_error(excinfo, "samples")


def test_unknown_name_lists_the_built_ins() -> None:
    with pytest.raises(DatasetError) as excinfo:
        load_dataset("mnist")
    assert_one_line_error(excinfo, "mnist", *BUILTIN_DATASETS)


def test_npz_train_and_test_labels_share_one_class_map(tmp_path: Path) -> None:
    path = tmp_path / "mine.npz"
    x = np.arange(12.0).reshape(6, 2)
    np.savez(path, x_train=x, y_train=np.array([5, 7, 5, 9, 7, 5]), x_test=x[:2], y_test=[9, 5])
    data = load_dataset(str(path))
    assert data.classes == ("5", "7", "9")
    assert data.y_train.tolist() == [0, 1, 0, 2, 1, 0] and data.y_test is not None
    assert data.y_test.tolist() == [2, 0]
    np.testing.assert_array_equal(data.x_train, x)  # used as given


def test_npz_with_x_y_and_fractional_targets_is_regression(tmp_path: Path) -> None:
    path = tmp_path / "reg.npz"
    np.savez(path, x=np.ones((4, 3)), y=np.array([[0.5], [1.5], [2.0], [3.25]]))
    data = load_dataset(str(path))
    assert data.classes == () and not data.is_classification
    assert data.y_train.dtype == np.float64 and data.y_train.tolist() == [0.5, 1.5, 2.0, 3.25]


def test_csv_with_header_and_label_last(tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    path.write_text("a,b,label\n0.5,1,1\n-2,3,0\n4,5e-1,1\n")
    data = load_dataset(str(path))
    np.testing.assert_array_equal(data.x_train, [[0.5, 1], [-2, 3], [4, 0.5]])
    assert data.y_train.tolist() == [1, 0, 1] and data.classes == ("0", "1")
    headerless = tmp_path / "bare.csv"
    headerless.write_text("0.5,1,1\n-2,3,0\n")
    assert load_dataset(str(headerless)).x_train.shape == (2, 2)


def _npz(path: Path, **arrays: object) -> Path:
    np.savez(path, **arrays)
    return path


def _text(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _renamed_npy(path: Path) -> Path:
    np.save(path.with_suffix(".npy"), np.ones(2))
    return path.with_suffix(".npy").rename(path)


def _wider_test_set(directory: Path) -> Path:
    train = {"x_train": np.ones((3, 2)), "y_train": [0, 1, 0]}
    return _npz(directory / "t.npz", **train, x_test=np.ones((1, 3)), y_test=[1])


ERROR_CASES = {
    "missing file": (lambda d: d / "absent.npz", "absent.npz"),
    "unknown extension": (lambda d: _text(d / "data.txt", "1,2\n"), ".txt"),
    "missing keys": (lambda d: _npz(d / "k.npz", features=np.ones((2, 2))), "features"),
    "x not 2-D": (lambda d: _npz(d / "v.npz", x=np.ones(3), y=np.ones(3)), "2-D"),
    "length mismatch": (lambda d: _npz(d / "l.npz", x=np.ones((3, 2)), y=np.ones(2)), "3 samples"),
    "test features": (_wider_test_set, "3 features"),
    "non-numeric csv": (lambda d: _text(d / "n.csv", "1,2,0\n3,abc,1\n"), "abc"),
    "nan values": (lambda d: _npz(d / "nan.npz", x=[[1.0, np.nan]], y=[1]), "NaN"),
    "inf in csv": (lambda d: _text(d / "i.csv", "1,inf,0\n2,3,1\n"), "infinite"),
    "pickled arrays": (
        lambda d: _npz(d / "p.npz", x=np.array([[{}]], dtype=object), y=[1]),
        "allow_pickle",
    ),
    "renamed npy": (lambda d: _renamed_npy(d / "r.npz"), "not an .npz"),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_bad_user_files_give_one_line_dataset_errors(case: str, tmp_path: Path) -> None:
    make, fragment = ERROR_CASES[case]
    path = make(tmp_path)
    with pytest.raises(DatasetError) as excinfo:
        load_dataset(str(path))
    assert_one_line_error(excinfo, fragment)


def test_dataset_rejects_labels_outside_its_classes() -> None:
    with pytest.raises(DatasetError):
        Dataset("bad", np.ones((2, 2)), np.array([0, 2]), classes=("a", "b"))


def test_builtin_classes_are_each_datasets_own_without_loading_it(
    tiny_cat: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in BUILTIN_DATASETS:
        assert builtin_classes(name) == load_dataset(name).classes, name
    assert builtin_classes("my.csv") == () and builtin_classes(None) == ()
    # Named without the file at hand: a reader of a stack's cat run has only the name.
    monkeypatch.delenv(DATA_DIR_ENV)
    assert builtin_classes("cat") == ("non-cat", "cat")
