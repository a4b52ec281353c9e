"""Backward tasks of one layer and the gradient rows each shard reads.

A shard's rows travel inline when they fit its message. When they do not, every shard of the
layer references one S3 object holding the whole layer's gradient and takes its own rows:
one PutObject per stage instead of one per shard.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np

from functions.protocol.keys import grad_key
from functions.protocol.run_plan import RunPlan
from functions.protocol.services import Services
from messages.arrays import InlineArray, S3Array
from messages.tasks import BackwardTask


def backward_tasks(
    svc: Services,
    plan: RunPlan,
    layer: int,
    grad: np.ndarray,
    *,
    grad_kind: str,
    batch_cost: float,
    header: dict[str, Any],
    telemetry: Sequence[str | None] | None = None,
) -> list[BackwardTask]:
    ranges = plan.ranges(layer)
    limit = plan.inline_limit(len(ranges))
    shared: S3Array | None = None
    tasks = []
    for k, (start, stop) in enumerate(ranges):
        rows = grad[start:stop]
        if rows.nbytes <= limit:
            ref: InlineArray | S3Array = InlineArray.from_numpy(np.ascontiguousarray(rows))
        else:
            if shared is None:
                run, epoch, batch = header["run_id"], header["epoch"], header["batch"]
                shared = svc.store.put_array(grad_key(run, epoch, batch, layer), grad)
            ref = shared
        tasks.append(
            BackwardTask(
                layer=layer,
                shard=k,
                grad_kind=grad_kind,
                batch_cost=batch_cost,
                grad=ref,
                telemetry=None if telemetry is None else telemetry[k],
                **header,
            )
        )
    return tasks


def own_rows(grad: np.ndarray, rows: tuple[int, int], units: int) -> np.ndarray:
    """The shard's gradient from what its task carried: its rows, or the whole layer's."""
    start, stop = rows
    if grad.shape[0] == units and stop - start != units:
        return grad[start:stop]
    return grad
