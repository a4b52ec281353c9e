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

from functions.training.layout import DataLayout, data_layout
from messages.arrays import array_nbytes
from messages.function_sizes import FunctionSizes
from messages.train_request import TrainConfig, TrainingData, TrainRequest

HELD_SHARE = 4
_MB = 1024 * 1024


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / _MB:,.1f} MB"


def whole_arrays_bytes(data: TrainingData) -> int:
    refs = (data.x_train, data.y_train, data.x_test, data.y_test)
    return sum(array_nbytes(ref) for ref in refs if ref is not None)


def step_layout(config: TrainConfig, *, n_features: int, m_train: int) -> DataLayout:
    """The layout of a run with ``m_train`` training samples, as far as a step's size goes
    (the dev and test sets are evaluated in passes no wider: EVAL_BATCH_BYTES)."""
    return data_layout(config, (m_train, 0, 0), n_features)


def step_bytes(config: TrainConfig, *, n_features: int, m_train: int) -> int:
    """The widest float64 array of one training step: the batch, or a layer's output."""
    layout = step_layout(config, n_features=n_features, m_train=m_train)
    return 8 * layout.width * layout.widest


def capacity_refusal(
    config: TrainConfig,
    sizes: FunctionSizes,
    *,
    n_features: int,
    m_train: int,
    whole_bytes: int | None = None,
) -> str | None:
    """Why functions of ``sizes`` cannot train ``config`` on ``m_train`` training samples
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
    held = step_bytes(config, n_features=n_features, m_train=m_train)
    if held > worker_mb * _MB // HELD_SHARE:
        widest = max(layer.units for layer in config.layers)
        width = step_layout(config, n_features=n_features, m_train=m_train).width
        return (
            f"a step of {width:,} samples x {n_features:,} features (layers up to {widest:,} "
            f"units) holds {_mb(held)} in float64; a neuron ({worker_mb:,} MB) "
            f"holds at most {_mb(worker_mb * _MB // HELD_SHARE)}: use a smaller --batch-size, "
            "or deploy the neurons with more memory"
        )
    return None


def request_refusal(request: TrainRequest, sizes: FunctionSizes) -> str | None:
    """capacity_refusal for a request as the trainer receives it: whole arrays are not
    split yet, so their training samples count the dev set too (an upper bound)."""
    data = request.data
    if isinstance(data, TrainingData):
        whole, m_train = whole_arrays_bytes(data), data.n_samples
    else:
        whole, m_train = None, data.train_samples
    return capacity_refusal(
        request.config, sizes, n_features=request.n_features, m_train=m_train, whole_bytes=whole
    )
