"""Feeding a RunView from this process: a run about to train (its config and data), the
reference engine's callbacks while it trains, and the TrainingResult any engine returns."""

import time
from collections.abc import Sequence

from functions.nn.data import n_batches
from functions.nn.types import Array, Params
from functions.telemetry import TelemetryRecord
from functions.training.split import DataSplit
from lnn.engines.base import TrainingResult
from lnn.watch.examples import examples_of
from lnn.watch.view import RunView
from messages.status import HistoryEntry, RunStatus
from messages.train_request import TrainConfig

PARAMS_EVERY_S = 2.0  # between parameter snapshots handed to the page while training
IN_PROCESS_PARAMS = "the boundary follows the parameters, every 2 s"


def planned_view(
    engine: str,
    config: TrainConfig,
    x: Array,
    y: Array,
    split: DataSplit | None = None,
    classes: tuple[str, ...] = (),
) -> RunView:
    """A view of a run about to train on ``x`` (features, m), ``y`` (units, m); ``split``
    (the run's columns, as lnn.prepare.split cuts them) gives the steps per epoch before the
    run starts and the examples the page shows predictions on, named by ``classes``."""
    view = RunView(engine=engine)
    steps = None if split is None else n_batches(split.x_train.shape[1], config.batch_size)
    if split is not None:
        view.set_examples(examples_of(split, classes))
        view.update(eval_sizes=split.eval_sizes)
    view.update(
        config=config,
        n_features=int(x.shape[0]),
        steps_per_epoch=steps,
        status=RunStatus.RUNNING.value,
    )
    if x.shape[0] == 2:
        # The points the network trains on: "N of M misclassified" is the train split's,
        # as its confusion matrix counts them (the dev holdout is not among them).
        view.set_points(*((x, y) if split is None else (split.x_train, split.y_train)))
    return view


class ReferenceFeed:
    """The reference engine's callbacks (``on_epoch``, ``on_step``): they hand over the
    parameters by reference (the engine never writes an array in place), the page's server
    draws from them in its own thread. ``first_layer`` is the dict the engine puts W1's
    snapshots of the picture steps in (train_reference's ``first_layer``): the page reads
    those, no copy of its own."""

    def __init__(self, view: RunView) -> None:
        self.view = view
        self._next_params = 0.0
        self.first_layer: dict[int, Array] = {}
        view.update(note=IN_PROCESS_PARAMS)

    def on_epoch(self, entry: HistoryEntry) -> None:
        self.view.add_history([entry])

    def on_step(self, step: int, params: Params, records: Sequence[TelemetryRecord]) -> None:
        self.view.update(step=step)
        if step in self.first_layer:
            self.view.set_first_layer(list(self.first_layer), self.first_layer.get)
        if records:
            self.view.add_telemetry(records)
        now = time.monotonic()
        if now >= self._next_params:
            self._next_params = now + PARAMS_EVERY_S
            self.view.set_params(step, params)


def finish(view: RunView, result: TrainingResult, *, steps: int | None = None) -> None:
    """The run's end as its engine reports it: everything the page shows, complete."""
    view.update(
        run_id=result.run_id,
        status=result.status,
        reason=result.reason,
        ended=time.time() if view.ended is None else view.ended,
    )
    extra = result.extra
    if "critical_path" in extra or "hops" in extra:
        view.update(calls={"hops": extra.get("hops"), **dict(extra.get("critical_path") or {})})
    view.add_history(result.history)
    view.add_telemetry(result.telemetry)
    view.set_spans(result.spans)
    if steps is None:
        steps = result.steps
    final_step = steps if steps is not None else (view.step or len(result.history))
    view.update(step=final_step)
    if result.params:
        view.set_params(final_step, result.params)
    if result.first_layer:
        view.set_first_layer(list(result.first_layer), result.first_layer.get)


def result_view(
    engine: str,
    config: TrainConfig,
    x: Array,
    y: Array,
    result: TrainingResult,
    *,
    split: DataSplit,
    classes: tuple[str, ...] = (),
    elapsed_s: float | None = None,
) -> RunView:
    """The view of a finished run, for its report."""
    view = planned_view(engine, config, x, y, split, classes)
    now = time.time()
    view.update(started=now - (elapsed_s or 0.0), ended=now)
    per_epoch = view.steps_per_epoch
    steps = result.steps
    if steps is None and per_epoch is not None:
        steps = per_epoch * len(result.history)
    finish(view, result, steps=steps)
    return view
