"""The deeplearning.ai cat-vs-non-cat images, read from the user's data directory."""

from __future__ import annotations

import importlib
import os
import zipfile
from pathlib import Path

import numpy as np

from lnn.datasets.base import Dataset
from lnn.datasets.exceptions import DatasetError, DatasetNotFoundError, first_line

__all__ = ["CAT_CLASSES", "CAT_H5_FILES", "CAT_NPZ", "DATA_DIR_ENV", "cat"]

DATA_DIR_ENV = "LNN_DATA_DIR"
CAT_NPZ = "catvnoncat.npz"
CAT_H5_FILES = ("train_catvnoncat.h5", "test_catvnoncat.h5")
# The classes the course's files name (their "classes" / "list_classes"), for a reader
# without the files.
CAT_CLASSES = ("non-cat", "cat")
_NPZ_KEYS = ("train_x", "train_y", "test_x", "test_y", "classes")
_H5_KEYS = ("train_set_x", "train_set_y", "test_set_x", "test_set_y", "list_classes")


def cat(data_dir: str | os.PathLike[str] | None = None) -> Dataset:
    """Load cat data from `data_dir` or $LNN_DATA_DIR: the .npz, else the course's .h5 pair."""
    directory = data_dir if data_dir is not None else os.environ.get(DATA_DIR_ENV)
    expected = f"{CAT_NPZ} or {CAT_H5_FILES[0]} + {CAT_H5_FILES[1]}"
    if not directory:
        raise DatasetNotFoundError(
            f"cat: {DATA_DIR_ENV} is not set; point it at a directory holding {expected}"
        )
    root = Path(directory)
    if (root / CAT_NPZ).is_file():
        arrays = _read_npz(root / CAT_NPZ)
    elif all((root / name).is_file() for name in CAT_H5_FILES):
        arrays = _read_h5(root / CAT_H5_FILES[0], root / CAT_H5_FILES[1])
    else:
        raise DatasetNotFoundError(
            f"cat: no {expected} in {DATA_DIR_ENV}={directory!r}"
            if data_dir is None
            else f"cat: no {expected} in data_dir {str(directory)!r}"
        )
    train_x, train_y, test_x, test_y, classes = arrays
    return Dataset(
        "cat",
        _flattened(train_x),
        train_y.reshape(-1),
        _flattened(test_x),
        test_y.reshape(-1),
        classes=tuple(c.decode() if isinstance(c, bytes) else str(c) for c in classes.ravel()),
        description="course cat vs non-cat, 64x64 RGB flattened to 12288; pixels divided by 255",
    )


def _flattened(images: np.ndarray) -> np.ndarray:
    return images.reshape(images.shape[0], -1).astype(np.float64) / 255.0


def _read_npz(path: Path) -> list[np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, TypeError, ValueError, zipfile.BadZipFile) as exc:  # TypeError: a bare .npy
        raise DatasetError(f"cat: cannot read {path}: {first_line(exc)}") from exc
    missing = [key for key in _NPZ_KEYS if key not in arrays]
    if missing:
        raise DatasetError(f"cat: {path} lacks {missing}; keys found: {sorted(arrays)}")
    return [arrays[key] for key in _NPZ_KEYS]


def _read_h5(train_path: Path, test_path: Path) -> list[np.ndarray]:
    try:
        h5py = importlib.import_module("h5py")
    except ImportError as exc:
        raise DatasetError(
            f"cat: reading {train_path.name} needs h5py (pip install h5py), or use {CAT_NPZ}"
        ) from exc
    arrays: dict[str, np.ndarray] = {}
    for path in (train_path, test_path):
        try:
            with h5py.File(path, "r") as h5:
                arrays.update({key: np.array(h5[key]) for key in _H5_KEYS if key in h5})
        except OSError as exc:
            raise DatasetError(f"cat: cannot read {path}: {first_line(exc)}") from exc
    missing = [key for key in _H5_KEYS if key not in arrays]
    if missing:
        raise DatasetError(f"cat: {train_path.parent} .h5 files lack {missing}")
    return [arrays[key] for key in _H5_KEYS]
