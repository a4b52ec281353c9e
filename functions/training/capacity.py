"""Whether a stack's functions can hold what a request asks of them, with the memory they
were deployed with. A request none of them could serve is refused before it starts, in one
line naming the limit (the client before it uploads; the trainer for any publisher), instead
of a function dying of it on every delivery.

What one function holds at once, at most:
- the trainer, for a request that sends whole arrays: every array, and the split it makes of
  them (a request of stored batches makes it read no data at all);
- a neuron or the loss stage, in a step: its batch, and the widest layer's output for it, in
  float64 (evaluation passes are cut to EVAL_BATCH_BYTES; functions/training/layout.py).
Each may use 1/HELD_SHARE of its function's memory: numpy's temporaries (Z, A, dZ, a batch
beside its float64 copy), the process's caches and the runtime take the rest.
"""

from messages.arrays import array_nbytes
from messages.train_request import TrainingData, TrainRequest

HELD_SHARE = 4
_MB = 1024 * 1024


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / _MB:,.0f} MB"


def whole_arrays_bytes(data: TrainingData) -> int:
    refs = (data.x_train, data.y_train, data.x_test, data.y_test)
    return sum(array_nbytes(ref) for ref in refs if ref is not None)


def step_bytes(request: TrainRequest) -> int:
    """The widest float64 array of one training step: the batch, or a layer's output."""
    m, size = request.n_samples, request.batch_size
    width = m if size == 0 or size >= m else size
    widest = max(request.n_features, *(layer.units for layer in request.layers))
    return 8 * width * widest


def capacity_refusal(request: TrainRequest, *, trainer_mb: int, worker_mb: int) -> str | None:
    """Why the stack's functions (the trainer with ``trainer_mb``, neurons and loss with
    ``worker_mb`` of memory) cannot serve ``request``; None when they can."""
    data = request.data
    if isinstance(data, TrainingData):
        held = whole_arrays_bytes(data)
        budget = trainer_mb * _MB // HELD_SHARE
        if held > budget:
            return (
                f"the request's whole arrays are {_mb(held)}; the trainer ({trainer_mb:,} MB) "
                f"reads at most {_mb(budget)} of them: upload the data as the run's stored "
                "batches (lnn submit does), or deploy the trainer with more memory"
            )
    held, budget = step_bytes(request), worker_mb * _MB // HELD_SHARE
    if held > budget:
        return (
            f"a step of {request.n_features} features, batch size {request.batch_size} and "
            f"layers up to {max(layer.units for layer in request.layers)} units holds "
            f"{_mb(held)} in float64; a neuron ({worker_mb:,} MB) holds at most {_mb(budget)}: "
            "use a smaller --batch-size, or deploy the neurons with more memory"
        )
    return None
