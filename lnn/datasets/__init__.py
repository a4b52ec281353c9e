"""Built-in and user datasets, all returned as a `Dataset` with samples in rows."""

from __future__ import annotations

from pathlib import Path

from lnn.datasets.base import Dataset
from lnn.datasets.bundled import BUNDLED
from lnn.datasets.bundled import CLASSES as BUNDLED_CLASSES
from lnn.datasets.cat import CAT_CLASSES, DATA_DIR_ENV, cat
from lnn.datasets.exceptions import DatasetError, DatasetNotFoundError
from lnn.datasets.files import load_file
from lnn.datasets.generated import CLASSES as GENERATED_CLASSES
from lnn.datasets.generated import GENERATORS

__all__ = [
    "BUILTIN_DATASETS",
    "DATA_DIR_ENV",
    "Dataset",
    "DatasetError",
    "DatasetNotFoundError",
    "builtin_classes",
    "load_dataset",
]

BUILTIN_DATASETS: tuple[str, ...] = ("cat", *GENERATORS, *BUNDLED)
_BUILTIN_CLASSES = {"cat": CAT_CLASSES, **GENERATED_CLASSES, **BUNDLED_CLASSES}


def load_dataset(
    name_or_path: str,
    *,
    seed: int = 0,
    samples: int | None = None,
    noise: float | None = None,
    data_dir: str | None = None,
) -> Dataset:
    """Load a built-in by name, else a user .npz/.csv file by path.

    `seed`, `samples` and `noise` shape the generated datasets (flower, moons, circles,
    xor, spirals); `data_dir` overrides $LNN_DATA_DIR for `cat`.
    """
    if name_or_path in GENERATORS:
        options = {"samples": samples, "noise": noise}
        return GENERATORS[name_or_path](
            seed=seed, **{key: value for key, value in options.items() if value is not None}
        )
    if samples is not None or noise is not None:
        raise DatasetError(
            f"{name_or_path}: samples and noise apply only to {', '.join(GENERATORS)}"
        )
    if name_or_path == "cat":
        return cat(data_dir)
    if name_or_path in BUNDLED:
        return BUNDLED[name_or_path]()
    if not Path(name_or_path).is_file():
        raise DatasetNotFoundError(
            f"unknown dataset {name_or_path!r}: not a file and not a built-in "
            f"({', '.join(BUILTIN_DATASETS)})"
        )
    return load_file(name_or_path)


def builtin_classes(name: str | None) -> tuple[str, ...]:
    """The class names of built-in dataset ``name`` (flower's red and blue, the cat set's
    non-cat and cat), without loading it; () for a user's file. A reader of a run that has
    only the dataset's name (a run on a stack) names the classes with this."""
    return _BUILTIN_CLASSES.get(name or "", ())
