"""The examples of a run on a stack, for the views of its predictions: its evaluation
columns (train, dev and test side by side, as the trainer stored them under its data keys)
cut back into splits, and the class names of a built-in dataset."""

import numpy as np

from functions.protocol import ArrayStore, RunPlan, data_key
from lnn.datasets import builtin_classes
from lnn.datasets.images import image_shape
from lnn.splits import SPLITS
from lnn.watch.examples import Examples

__all__ = ["stack_examples"]


def stack_examples(store: ArrayStore, plan: RunPlan) -> Examples:
    """Read once per run, when the plan is found: two GetObjects (x_eval, y_eval), and only
    when the page draws samples (pictures, or points of 2-D data); other runs get their
    class names alone. The cat set's evaluation columns are 25 MB, so never per poll."""
    classes = builtin_classes(plan.config.dataset)
    drawn = plan.n_features == 2 or image_shape(plan.config.dataset, plan.n_features)
    if not drawn:
        return Examples(classes=classes)
    x = store.get_array(data_key(plan.run_id, "x_eval"))
    y = store.get_array(data_key(plan.run_id, "y_eval"))
    bounds = np.cumsum((0, *plan.eval_sizes)).tolist()
    splits = {
        name: (x[:, lo:hi], y[:, lo:hi])
        for name, lo, hi in zip(SPLITS, bounds[:-1], bounds[1:], strict=True)
        if hi > lo
    }
    return Examples(splits=splits, classes=classes)
