"""The in-process reference engine: the oracle the distributed network must equal.

It runs the same per-shard functions as the Lambdas with one shard per layer, the same keyed
randomness and the same batch order, and keeps Z and the masks between forward and backward
(the Lambdas recompute them; the values are identical).
"""

from collections.abc import Callable
from uuid import uuid4

import numpy as np

from functions.nn.data import n_batches
from functions.nn.types import Array, Params
from functions.telemetry import TelemetryRecord
from functions.training.config import initial_params, layer_specs, learning_rate, optimizer_for
from functions.training.evaluation import EvalSums, pass_sums
from functions.training.layout import data_layout
from functions.training.schedule import (
    eval_epochs,
    iter_steps,
    picture_steps,
    telemetry_cadence,
)
from functions.training.split import DataSplit
from functions.training.step import (
    forward_shard,
    loss_stage,
    shard_gradients,
    shard_mask,
    update_shard,
    weight_sq_sum,
)
from functions.training.telemetry import hidden_forward, output_figures, shard_telemetry
from lnn.engines.base import StopCheck, TrainingResult, interrupted_reason, interrupted_result
from lnn.first_layer import snapshot
from messages.status import HistoryEntry, RunStatus
from messages.tasks import EvalMetrics
from messages.train_request import TrainConfig

EpochCallback = Callable[[HistoryEntry], None]
# Before the first step with 0 and the initial parameters, then after each step: its number
# (1-based), the parameters after it (a new list; the arrays are never written in place) and
# the step's telemetry records (empty off the cadence).
StepCallback = Callable[[int, Params, list[TelemetryRecord]], None]


def evaluate(config: TrainConfig, params: Params, split: DataSplit) -> EvalMetrics:
    """The network on every sample of ``split``, pass by pass as the stack evaluates
    (functions/training/layout.py), the passes' sums added in the same order."""
    specs = layer_specs(config)
    layout = data_layout(config, split.eval_sizes, split.x_train.shape[0])
    arrays = {
        "train": (split.x_train, split.y_train),
        "dev": (split.x_dev, split.y_dev),
        "test": (split.x_test, split.y_test),
    }
    sums = EvalSums()
    for batch in layout.eval_passes:
        xs, ys = [], []
        for segment in batch.segments:
            x, y = arrays[segment.split]
            columns = layout.segment_columns(segment)
            xs.append(np.asarray(x)[:, columns])
            ys.append(np.asarray(y)[:, columns])
        a = np.concatenate(xs, axis=1, dtype=np.float64)
        for i, (layer, spec) in enumerate(zip(params, specs, strict=True)):
            is_output = i == len(specs) - 1
            forward = forward_shard(layer, a, spec, mask=None, is_output=is_output, training=False)
            a = forward.a
        y_pass = np.concatenate(ys, axis=1, dtype=np.float64)
        sums = sums.plus(pass_sums(forward.z, y_pass, batch, specs[-1].activation))
    return sums.metrics(
        specs[-1].activation,
        l2=config.l2,
        weight_sq_sum=weight_sq_sum(params) if config.l2 else 0.0,
    )


def _history_entry(epoch: int, cost: float, evaluated: EvalMetrics | None) -> HistoryEntry:
    splits = {} if evaluated is None else evaluated.split_metrics()
    return HistoryEntry(epoch=epoch + 1, cost=cost, **splits)


def train_reference(
    config: TrainConfig,
    split: DataSplit,
    *,
    on_epoch: EpochCallback | None = None,
    on_step: StepCallback | None = None,
    stop: StopCheck | None = None,
    first_layer: dict[int, Array] | None = None,
) -> TrainingResult:
    """Train ``config`` on ``split``; ``stop`` is asked before each step, and once it says
    so the run ends there, CANCELLED, with what it trained so far. W1's float32 snapshots at
    the picture steps go into ``first_layer`` (a watcher's dict, read as it fills: each is in
    before ``on_step`` hears of its step) and into the result."""
    run_id = uuid4().hex
    specs = layer_specs(config)
    depth = len(specs)
    optimizer = optimizer_for(config)
    params = initial_params(config, split.x_train.shape[0])
    states = [
        optimizer.init_state({name: layer[name] for name in spec.trained})
        for layer, spec in zip(params, specs, strict=True)
    ]
    evaluate_after = eval_epochs(config.epochs, config.eval_every)
    m = split.x_train.shape[1]
    full_batch = config.batch_size == 0 or config.batch_size >= m
    cadence = telemetry_cadence(
        config.telemetry_every, config.epochs, n_batches(m, config.batch_size)
    )
    telemetry: list[TelemetryRecord] = []
    pictured = frozenset(picture_steps(cadence))
    first_layer = {} if first_layer is None else first_layer
    first_layer[0] = snapshot(params[0]["W"])

    if on_step is not None:  # the initial parameters, as step 0
        on_step(0, list(params), [])
    history: list[HistoryEntry] = []
    cost_sum = 0.0
    final: EvalMetrics | None = None
    for key, columns in iter_steps(m, config.batch_size, seed=config.seed, epochs=config.epochs):
        if stop is not None and stop():
            done = key.step - 1
            reason = interrupted_reason(done, n_batches(m, config.batch_size))
            return interrupted_result(
                run_id, params, history, done, reason, telemetry=telemetry, first_layer=first_layer
            )
        # Fancy indexing copies X; the full batch is the data itself, in order.
        # The shards compute in float64 whatever the stored dtype; fancy indexing copies X,
        # the full batch is the data itself, in order.
        x = np.asarray(split.x_train if full_batch else split.x_train[:, columns], np.float64)
        y = np.asarray(split.y_train if full_batch else split.y_train[:, columns], np.float64)
        m_b = x.shape[1]
        inputs, forwards, masks = [x], [], []
        for i, spec in enumerate(specs):
            is_output = i == depth - 1
            mask = (
                None
                if is_output
                else shard_mask(
                    keep_prob=config.dropout,
                    seed=config.seed,
                    epoch=key.epoch,
                    batch=key.batch,
                    layer=i + 1,
                    units=spec.units,
                    m=m_b,
                    rows=(0, spec.units),
                )
            )
            forward = forward_shard(params[i], inputs[-1], spec, mask=mask, is_output=is_output)
            forwards.append(forward)
            masks.append(mask)
            if forward.a is not None:
                inputs.append(forward.a)
        result = loss_stage(
            forwards[-1].z,
            y,
            specs[-1].activation,
            l2=config.l2,
            weight_sq_sum=weight_sq_sum(params) if config.l2 else 0.0,
        )
        lr = learning_rate(config, key.epoch)
        grad, grad_kind = result.dz, "dz"
        observed = key.step in cadence
        if observed:  # one shard per layer: the whole layer's rows
            ranges = [(0, specs[-1].units)]
            output = output_figures(forwards[-1].z, y, specs[-1].activation, ranges, a=result.a)
            step_records: list[TelemetryRecord] = []
        for i in reversed(range(depth)):
            grads = shard_gradients(
                params[i],
                a_prev=inputs[i],
                z=forwards[i].z,
                forward=forwards[i],
                grad=grad,
                grad_kind=grad_kind,
                spec=specs[i],
                mask=masks[i],
                l2=config.l2,
                need_da_prev=i > 0,
            )
            update = update_shard(
                params[i],
                states[i],
                grads,
                spec=specs[i],
                optimizer=optimizer,
                lr=lr,
                step=key.step,
            )
            if observed:
                is_output = i == depth - 1
                figures = (
                    output.forward[0]
                    if is_output
                    else hidden_forward(forwards[i].z, specs[i].activation, grads)
                )
                record = shard_telemetry(
                    i + 1, specs[i], (0, specs[i].units), figures, params[i], grads, update
                )
                classes = output.classes if is_output else None
                step_records.append(
                    TelemetryRecord(key.epoch, key.batch, key.step, record, classes)
                )
            params[i] = update.params
            states[i] = update.state
            grad, grad_kind = update.da_prev, "da"
        if observed:
            telemetry.extend(reversed(step_records))  # layer order
        if key.step in pictured:
            first_layer[key.step] = snapshot(params[0]["W"])
        if on_step is not None:
            on_step(key.step, list(params), list(reversed(step_records)) if observed else [])
        cost_sum += result.cost * m_b
        if not key.closes_epoch:
            continue
        evaluated = None
        if key.epoch in evaluate_after:
            evaluated = final = evaluate(config, params, split)
        entry = _history_entry(key.epoch, cost_sum / m, evaluated)
        history.append(entry)
        cost_sum = 0.0
        if on_epoch is not None:
            on_epoch(entry)
    if final is None:
        final = evaluate(config, params, split)
    return TrainingResult(
        run_id=run_id,
        status=RunStatus.SUCCEEDED.value,
        params=params,
        history=history,
        final_cost=history[-1].cost if history else final.train_cost,
        train_accuracy=final.train_accuracy,
        dev_accuracy=final.dev_accuracy,
        test_accuracy=final.test_accuracy,
        telemetry=telemetry,
        first_layer=first_layer,
    )
