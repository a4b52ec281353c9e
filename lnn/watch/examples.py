"""The samples a page shows the network's predictions on: each split's columns and the
dataset's class names. Held by reference (the arrays are the run's own), never copied."""

from dataclasses import dataclass, field

from functions.nn.types import Array
from functions.training.split import DataSplit
from lnn.majority import class_name

__all__ = ["Examples", "examples_of"]


@dataclass(frozen=True, eq=False)
class Examples:
    """``splits`` maps a split name (SPLITS) to its (x (features, m), y (units, m)); a split
    the run does not have is absent. ``classes`` are the names of the output's classes, empty
    for a regression or when the dataset names none (the page then says "class k")."""

    splits: dict[str, tuple[Array, Array]] = field(default_factory=dict)
    classes: tuple[str, ...] = ()

    def class_name(self, k: int) -> str:
        return class_name(self.classes, k)


def examples_of(split: DataSplit, classes: tuple[str, ...] = ()) -> Examples:
    """The examples of a run's data split (lnn.prepare.split gives the trainer's)."""
    parts = {
        "train": (split.x_train, split.y_train),
        "dev": (split.x_dev, split.y_dev),
        "test": (split.x_test, split.y_test),
    }
    present = {name: (x, y) for name, (x, y) in parts.items() if x is not None and y is not None}
    return Examples(splits=present, classes=tuple(classes))
