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
from messages.function_sizes import FunctionSizes
from messages.train_request import TrainConfig, TrainingData, TrainRequest

HELD_SHARE = 4
_MB = 1024 * 1024


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / _MB:,.0f} MB"


def whole_arrays_bytes(data: TrainingData) -> int:
    refs = (data.x_train, data.y_train, data.x_test, data.y_test)
    return sum(array_nbytes(ref) for ref in refs if ref is not None)


def step_width(config: TrainConfig, n_samples: int) -> int:
    """Samples in a training step (the first batch: none is wider)."""
    size = config.batch_size
    return n_samples if size == 0 or size >= n_samples else size


def step_bytes(config: TrainConfig, *, n_features: int, n_samples: int) -> int:
    """The widest float64 array of one training step: the batch, or a layer's output."""
    widest = max(n_features, *(layer.units for layer in config.layers))
    return 8 * step_width(config, n_samples) * widest


def capacity_refusal(
    config: TrainConfig,
    sizes: FunctionSizes,
    *,
    n_features: int,
    n_samples: int,
    whole_bytes: int | None = None,
) -> str | None:
    """Why functions of ``sizes`` cannot train ``config`` on ``n_samples`` training samples
    of ``n_features`` (sent as whole arrays of ``whole_bytes``, or as stored batches when
    None); None when they can."""
    trainer_mb = sizes["trainer"].memory_mb
    worker_mb = min(sizes["neuron"].memory_mb, sizes["loss"].memory_mb)
    if whole_bytes is not None and whole_bytes > trainer_mb * _MB // HELD_SHARE:
        return (
            f"the request's whole arrays are {_mb(whole_bytes)}; the trainer "
            f"({trainer_mb:,} MB) reads at most {_mb(trainer_mb * _MB // HELD_SHARE)} of them: "
            "upload the data as the run's stored batches (lnn submit does), or deploy the "
            "trainer with more memory"
        )
    held = step_bytes(config, n_features=n_features, n_samples=n_samples)
    if held > worker_mb * _MB // HELD_SHARE:
        widest = max(layer.units for layer in config.layers)
        width = step_width(config, n_samples)
        return (
            f"a step of {width:,} samples x {n_features:,} features (layers up to {widest:,} "
            f"units) holds {_mb(held)} in float64; a neuron ({worker_mb:,} MB) "
            f"holds at most {_mb(worker_mb * _MB // HELD_SHARE)}: use a smaller --batch-size, "
            "or deploy the neurons with more memory"
        )
    return None


def request_refusal(request: TrainRequest, sizes: FunctionSizes) -> str | None:
    """capacity_refusal for a request as the trainer receives it."""
    data = request.data
    whole = whole_arrays_bytes(data) if isinstance(data, TrainingData) else None
    return capacity_refusal(
        request.config,
        sizes,
        n_features=request.n_features,
        n_samples=request.n_samples,
        whole_bytes=whole,
    )
