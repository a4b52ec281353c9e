"""A layer's gd step run through the engines' own step functions, with its telemetry, for the
telemetry tests."""

import numpy as np

from functions.nn.layers import LayerSpec
from functions.nn.optimizers import make_optimizer
from functions.telemetry import (
    DEFAULT_SPEC,
    HistogramSpec,
    LayerTelemetry,
    backward_telemetry,
    forward_telemetry,
)
from functions.training.step import forward_shard, shard_gradients, update_shard

Rows = tuple[int, int]


def _step_arrays(
    w: np.ndarray, b: np.ndarray, x: np.ndarray, da: np.ndarray, activation: str, lr: float
) -> dict[str, np.ndarray]:
    spec, params = LayerSpec(w.shape[0], activation), {"W": w, "b": b}
    forward = forward_shard(params, x, spec, mask=None, is_output=False)
    grads = shard_gradients(
        params, a_prev=x, z=forward.z, grad=da, grad_kind="da", spec=spec, mask=None, l2=0.0,
        need_da_prev=False,
    )  # fmt: skip
    new = update_shard(params, {}, grads, spec=spec, optimizer=make_optimizer("gd"), lr=lr, step=1)
    return {"z": forward.z, "a": forward.a, "w": w, "b": b, "w_new": new.w,
            "b_new": new.params["b"], "dw": grads.dw, "db": grads.grads["b"],
            "dz": grads.dz}  # fmt: skip


def _telemetry(
    arrays: dict[str, np.ndarray], activation: str, units: int, rows: Rows, layer: int,
    spec: HistogramSpec,
) -> LayerTelemetry:  # fmt: skip
    v = arrays
    return LayerTelemetry(
        layer=layer,
        activation=activation,
        units=units,
        start=rows[0],
        stop=rows[1],
        forward=forward_telemetry(v["z"], activation, spec, a=v["a"]),
        backward=backward_telemetry(
            v["w"], v["b"], v["w_new"], v["b_new"], v["dw"], v["db"], v["dz"], spec
        ),
    )


def shard_step(
    w: np.ndarray,
    b: np.ndarray,
    x: np.ndarray,
    da: np.ndarray,
    activation: str,
    *,
    rows: Rows | None = None,
    layer: int = 1,
    lr: float = 0.1,
    spec: HistogramSpec = DEFAULT_SPEC,
) -> LayerTelemetry:
    """Telemetry of rows ``rows`` of a hidden layer, every array computed by a shard that
    holds only those rows, as a neuron Lambda does."""
    start, stop = rows or (0, w.shape[0])
    arrays = _step_arrays(w[start:stop], b[start:stop], x, da[start:stop], activation, lr)
    return _telemetry(arrays, activation, w.shape[0], (start, stop), layer, spec)


def sliced_step(
    w: np.ndarray, b: np.ndarray, x: np.ndarray, da: np.ndarray, activation: str, rows: Rows
) -> LayerTelemetry:
    """The same telemetry from the whole layer's step arrays cut to ``rows``: what a shard
    would compute if its matmuls rounded exactly like the whole layer's."""
    arrays = _step_arrays(w, b, x, da, activation, lr=0.1)
    cut = {name: value[rows[0] : rows[1]] for name, value in arrays.items()}
    return _telemetry(cut, activation, w.shape[0], rows, 1, DEFAULT_SPEC)


def random_layer(
    units: int, fan_in: int, samples: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """W, b, X and an upstream dA of a random layer."""
    rng = np.random.default_rng(seed)
    return (
        rng.standard_normal((units, fan_in)),
        rng.standard_normal((units, 1)),
        rng.standard_normal((fan_in, samples)),
        rng.standard_normal((units, samples)),
    )
