"""The MNIST-shaped set: MNIST's shape (60,000 training and 10,000 test samples of 784
float32 features, 10 classes) drawn from scikit-learn's ``make_classification``, made once
and kept as the .npz that ``lnn train --dataset PATH`` reads (samples in rows, integer
labels), under a name that holds every parameter it was made with."""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lnn.runs.types import RUNS_DIR

CACHE_DIR = RUNS_DIR / "bench-data"
CLASSES = 10
# 32 informative features (the rest noise) at make_classification's default separation:
# 128:relu,64:relu,10:softmax with Adam at 0.001 goes well past chance in one epoch, but
# not to a perfect fit, so the cost still tells two trainings apart.
INFORMATIVE = 32
CLASS_SEP = 1.0
SEED = 1


@dataclass(frozen=True)
class MnistShape:
    samples: int = 60_000
    features: int = 784
    test_samples: int = 10_000

    def __post_init__(self) -> None:
        for name in ("samples", "features", "test_samples"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")

    @property
    def informative(self) -> int:
        return min(INFORMATIVE, self.features)

    @property
    def file_name(self) -> str:
        return (
            f"mnist-shaped-{self.samples}x{self.features}-test{self.test_samples}"
            f"-classes{CLASSES}-informative{self.informative}-sep{CLASS_SEP:g}-seed{SEED}.npz"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "samples": self.samples,
            "features": self.features,
            "test_samples": self.test_samples,
            "classes": CLASSES,
            "informative": self.informative,
            "class_sep": CLASS_SEP,
            "seed": SEED,
            "dtype": "float32",
        }


def make_arrays(shape: MnistShape) -> dict[str, np.ndarray]:
    """x_train, y_train, x_test, y_test: one draw split in two, so both sets come from the
    same clusters."""
    from sklearn.datasets import make_classification  # a second to import: only to make it

    if 2**shape.informative < CLASSES:
        raise ValueError(f"{shape.features} features cannot hold {CLASSES} classes")
    x, y = make_classification(
        n_samples=shape.samples + shape.test_samples,
        n_features=shape.features,
        n_informative=shape.informative,
        n_redundant=0,
        n_classes=CLASSES,
        n_clusters_per_class=1,
        class_sep=CLASS_SEP,
        random_state=SEED,
    )
    x, y = x.astype(np.float32), y.astype(np.int64)
    train = shape.samples
    return {"x_train": x[:train], "y_train": y[:train], "x_test": x[train:], "y_test": y[train:]}


def cached_dataset(shape: MnistShape, cache_dir: Path = CACHE_DIR) -> tuple[Path, bool]:
    """The set's .npz and whether it was made now (False: it was already there)."""
    path = cache_dir / shape.file_name
    if path.is_file():
        return path, False
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial.npz")
    np.savez(partial, **make_arrays(shape))
    partial.replace(path)  # whole or absent: a bench stopped while writing leaves no set
    return path, True
