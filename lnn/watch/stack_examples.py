"""The examples of a run on a stack, for the views of its predictions: its train, dev and
test samples, read back from the run's stored batches, and the class names of a built-in
dataset."""

from functions.protocol import ArrayStore, RunPlan, read_split
from lnn.datasets import builtin_classes
from lnn.datasets.images import image_shape
from lnn.splits import SPLITS
from lnn.watch.examples import Examples

__all__ = ["stack_examples"]


def stack_examples(store: ArrayStore, plan: RunPlan) -> Examples:
    """Read once per run, when the plan is found: one GetObject per array of each stored
    batch, and only when the page draws samples (pictures, or points of 2-D data); other
    runs get their class names alone. The cat set is 25 MB, so never per poll."""
    classes = builtin_classes(plan.config.dataset)
    drawn = plan.n_features == 2 or image_shape(plan.config.dataset, plan.n_features)
    if not drawn:
        return Examples(classes=classes)
    found = {name: read_split(store, plan, name) for name in SPLITS}
    splits = {name: arrays for name, arrays in found.items() if arrays is not None}
    return Examples(splits=splits, classes=classes)
