"""Small runs watched in-process, shared by the watch page's unit and browser tests: a view fed
by the reference engine's callbacks, and spans built by hand in the shape the stack records."""

from typing import Any

from functions.telemetry.spans import Span
from functions.training.split import split_training_data
from lnn.datasets import load_dataset
from lnn.engines.base import TrainingResult
from lnn.engines.reference import train_reference
from lnn.prepare import prepare
from lnn.watch.feeds import ReferenceFeed, finish, planned_view
from lnn.watch.view import RunView
from messages.train_request import TrainConfig


def config(dataset: str = "moons", **overrides: Any) -> TrainConfig:
    options: dict[str, Any] = dict(
        dataset=dataset,
        layers=[{"units": 5, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}],
        epochs=6,
        lr=0.5,
        shards=2,
        eval_every=3,
    )
    options.update(overrides)
    return TrainConfig(**options)


def watched_run(cfg: TrainConfig, **data_options: Any) -> tuple[RunView, TrainingResult]:
    """Train ``cfg`` on the reference engine with a view following it, then finish it."""
    dataset = load_dataset(cfg.dataset, **data_options)
    data = prepare(dataset, [layer.model_dump() for layer in cfg.layers])
    split = split_training_data(data.x, data.y, holdout=cfg.holdout, seed=cfg.seed)
    view = planned_view("reference", cfg, data.x, data.y, split, dataset.classes)
    feed = ReferenceFeed(view)
    result = train_reference(
        cfg,
        split,
        on_epoch=feed.on_epoch,
        on_step=feed.on_step,
        first_layer=feed.first_layer,
    )
    finish(view, result)
    return view, result


def spans_of_steps(steps: int, *, t0: float = 1000.0) -> list[Span]:
    """Per step, as the stack records them: layers 1 and 2 forward on two shards each (the
    second shard's arrival completes the barrier), the loss stage, then backward."""
    spans = []
    t = t0
    for epoch in range(steps):
        for layer, direction in ((1, "fwd"), (2, "fwd"), (0, "loss"), (2, "bwd"), (1, "bwd")):
            function = "loss" if direction == "loss" else "neuron"
            for shard in range(1 if function == "loss" else 2):
                outcome = "completed" if shard == 1 or function == "loss" else "claimed"
                spans.append(
                    Span(
                        function,
                        "train",
                        direction,
                        epoch,
                        0,
                        layer,
                        shard,
                        t,
                        t + 0.01,
                        1,
                        outcome,
                    )
                )
            t += 0.02
    return spans


def dead_relu_config() -> TrainConfig:
    """Zero weights: every relu unit of the hidden layer is 0 on every sample, so dead."""
    return config(init="zeros", epochs=2)


def batch_norm_config() -> TrainConfig:
    """Two batch-normalized relu layers before a dense sigmoid output."""
    layers = [
        {"units": 5, "activation": "relu", "batch_norm": True},
        {"units": 3, "activation": "relu", "batch_norm": True},
        {"units": 1, "activation": "sigmoid"},
    ]
    return config(layers=layers, epochs=4, batch_size=100)
