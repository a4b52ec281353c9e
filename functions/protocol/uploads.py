"""The arrays of a TrainRequest: inline when small, else objects under the run's upload keys."""

import numpy as np

from functions.protocol.arrays import ArrayStore
from functions.protocol.keys import upload_key
from messages.arrays import ArrayRef
from messages.limits import UPLOAD_INLINE_BUDGET
from messages.train_request import TrainingData


def pack_training_data(
    store: ArrayStore,
    run_id: str,
    x: np.ndarray,
    y: np.ndarray,
    x_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
) -> TrainingData:
    """Column-major arrays (features x samples) as the request's data references."""

    def put(name: str, array: np.ndarray) -> ArrayRef:
        key = upload_key(run_id, name)
        return store.pack(np.asarray(array), key, inline_limit=UPLOAD_INLINE_BUDGET)

    test = {}
    if x_test is not None and y_test is not None:
        test = {"x_test": put("x_test", x_test), "y_test": put("y_test", y_test)}
    return TrainingData(x_train=put("x_train", x), y_train=put("y_train", y), **test)
