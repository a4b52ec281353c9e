"""User data files (.npz or .csv), samples in rows, used as given (no scaling)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
from numpy.lib.npyio import NpzFile

from lnn.datasets.base import Dataset
from lnn.datasets.exceptions import DatasetError, DatasetNotFoundError, first_line

__all__ = ["load_file"]

_Arrays = tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]
_NPZ_LAYOUT = "x,y or x_train,y_train[,x_test,y_test]"


def load_file(path: str | os.PathLike[str]) -> Dataset:
    """Load a user .npz or .csv; integral labels mean classification, others regression."""
    file = Path(path)
    if not file.is_file():
        raise DatasetNotFoundError(f"{file}: no such file")
    suffix = file.suffix.lower()
    if suffix == ".npz":
        x_train, y_train, x_test, y_test = _read_npz(file)
    elif suffix == ".csv":
        x_train, y_train, x_test, y_test = _read_csv(file)
    else:
        raise DatasetError(f"{file}: unknown file type {suffix or '(none)'!r}; use .npz or .csv")
    classes, y_train, y_test = _encode_labels(y_train, y_test)
    return Dataset(
        file.name,
        x_train,
        y_train,
        x_test,
        y_test,
        classes=classes,
        description=f"user file {file}, used as given (no scaling)",
    )


def _read_npz(file: Path) -> _Arrays:
    try:
        loaded = np.load(file, allow_pickle=False)
        if isinstance(loaded, NpzFile):
            with loaded:
                arrays = {key: loaded[key] for key in loaded.files}
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as exc:  # ValueError: pickled data
        raise DatasetError(f"{file}: cannot read as .npz: {first_line(exc)}") from exc
    if not isinstance(loaded, NpzFile):  # e.g. a renamed .npy
        raise DatasetError(f"{file}: not an .npz archive of named arrays")
    prefix = "_train" if "x_train" in arrays or "y_train" in arrays else ""
    wanted = [f"x{prefix}", f"y{prefix}"]
    if "x_test" in arrays or "y_test" in arrays:
        wanted += ["x_test", "y_test"]
    if any(key not in arrays for key in wanted):
        raise DatasetError(f"{file}: expected keys {_NPZ_LAYOUT}; found {sorted(arrays)}")
    for key in wanted:
        if arrays[key].dtype.kind not in "biuf":
            raise DatasetError(f"{file}: {key} is not numeric (dtype {arrays[key].dtype})")
    x_train, y_train = arrays[wanted[0]], _column(arrays[wanted[1]])
    if len(wanted) == 2:
        return x_train, y_train, None, None
    return x_train, y_train, arrays["x_test"], _column(arrays["y_test"])


def _column(y: np.ndarray) -> np.ndarray:
    # An (m, 1) label column is common in saved arrays; flatten it, leave other shapes to fail.
    return y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y


def _read_csv(file: Path) -> _Arrays:
    try:
        lines = file.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{file}: not a UTF-8 text CSV: {first_line(exc)}") from exc
    lines = [line for line in lines if line.strip()]
    if lines and not _is_numeric_row(lines[0]):
        lines = lines[1:]  # a header line
    if not lines:
        raise DatasetError(f"{file}: no data rows")
    try:
        table = np.loadtxt(lines, delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise DatasetError(f"{file}: CSV must be numbers only: {first_line(exc)}") from exc
    if table.shape[1] < 2:
        raise DatasetError(f"{file}: CSV needs feature columns followed by the label column")
    return table[:, :-1], table[:, -1], None, None


def _is_numeric_row(line: str) -> bool:
    try:
        [float(field) for field in line.split(",")]
    except ValueError:
        return False
    return True


def _encode_labels(
    y_train: np.ndarray, y_test: np.ndarray | None
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray | None]:
    """Map integral labels to 0..K-1 (same map for train and test); keep others as floats."""
    parts = [y for y in (y_train, y_test) if y is not None]
    values = np.concatenate([y.ravel() for y in parts]).astype(np.float64)
    if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
        return (), y_train.astype(np.float64), None if y_test is None else y_test.astype(np.float64)
    uniques = np.unique(values)
    classes = tuple(str(int(v)) for v in uniques)
    train = np.searchsorted(uniques, y_train.astype(np.float64))
    test = None if y_test is None else np.searchsorted(uniques, y_test.astype(np.float64))
    return classes, train, test
