"""Everything a run's TensorBoard log holds, computed from what every engine returns and
`lnn train --out` stores: the config, the history, the telemetry records and the first
layer's weights at the picture steps (lnn.first_layer)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from functions.nn.types import Array
from functions.telemetry import TelemetryRecord
from lnn.datasets import builtin_classes
from lnn.layer_text import layers_text
from lnn.tensorboard.batch_norm import norm_histograms, norm_scalars
from lnn.tensorboard.confusion import confusion_pictures
from lnn.tensorboard.dead_units import BoardText, dead_unit_board
from lnn.tensorboard.histograms import BoardHistogram, layer_histograms
from lnn.tensorboard.hparams import HParam, board_hparams, final_metrics
from lnn.tensorboard.pictures import Pictures, first_layer_pictures
from lnn.tensorboard.scalars import Scalar, history_scalars, layer_scalars
from messages.status import HistoryEntry
from messages.train_request import TrainConfig


@dataclass(frozen=True)
class Board:
    scalars: tuple[Scalar, ...]
    histograms: tuple[BoardHistogram, ...]
    pictures: tuple[Pictures, ...]
    texts: tuple[BoardText, ...] = ()
    hparams: dict[str, HParam] = field(default_factory=dict)  # none without the config
    metrics: dict[str, float] = field(default_factory=dict)  # the final figures

    @property
    def empty(self) -> bool:
        return not (self.scalars or self.histograms or self.pictures or self.texts)


def run_board(
    config: TrainConfig | None,
    history: Sequence[HistoryEntry],
    records: Sequence[TelemetryRecord],
    first_layer: Mapping[int, Array],
    classes: Sequence[str] = (),
) -> Board:
    """The run's board. Without the config there is no learning rate, no HParams and no
    pictures (the dataset is unknown). Epoch records (``batch`` null) are left out: they
    pool steps that are there on their own."""
    steps = [r for r in records if r.batch is not None]
    pictures: list[Pictures] = []
    if config is not None:
        pictures = first_layer_pictures(config.dataset, first_layer)
    # Named by ``classes``, else by the built-in dataset's own names.
    names = classes or builtin_classes(None if config is None else config.dataset)
    pictures.extend(confusion_pictures(history, names))
    texts, strips = dead_unit_board(steps)
    return Board(
        scalars=(*history_scalars(history, config), *layer_scalars(steps), *norm_scalars(steps)),
        histograms=(*layer_histograms(steps), *norm_histograms(steps)),
        pictures=(*pictures, *strips),
        texts=tuple(texts),
        hparams={} if config is None else board_hparams(config),
        metrics=final_metrics(history),
    )


def board_name(config: TrainConfig | None, run_id: str) -> str:
    """The directory a run's log goes in, readable in TensorBoard's run list:
    ``cat_20relu-7relu-1sigmoid_3f2a1b9c`` (dataset, layers, the run id's first 8
    characters); the run id alone without the config. A pure function of the run, so an
    export of it again lands in the same place."""
    if config is None:
        return run_id
    layers = layers_text(config.layers).replace(":", "").replace(",", "-")
    return re.sub(r"[^\w.-]", "-", f"{config.dataset}_{layers}_{run_id[:8]}")
