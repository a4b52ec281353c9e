"""Everything a run's TensorBoard log holds, computed from what every engine returns and
`lnn train --out` stores: the config, the history, the telemetry records and the model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from functions.nn.types import Array
from functions.telemetry import TelemetryRecord
from lnn.datasets import builtin_classes
from lnn.tensorboard.confusion import confusion_pictures
from lnn.tensorboard.dead_units import BoardText, dead_unit_board
from lnn.tensorboard.histograms import BoardHistogram, layer_histograms
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

    @property
    def empty(self) -> bool:
        return not (self.scalars or self.histograms or self.pictures or self.texts)


def run_board(
    config: TrainConfig | None,
    history: Sequence[HistoryEntry],
    records: Sequence[TelemetryRecord],
    params: Sequence[tuple[Array, Array]] | None,
    classes: Sequence[str] = (),
) -> Board:
    """The run's board. Without the config there is no learning rate and no pictures (the
    dataset is unknown); without params no pictures, which show the final first layer at
    the last epoch of the history. Epoch records (``batch`` null) are left out: they pool
    steps that are there on their own."""
    steps = [r for r in records if r.batch is not None]
    pictures: list[Pictures] = []
    if config is not None and params:
        last_epoch = history[-1].epoch if history else 0
        pictures = first_layer_pictures(config.dataset, params[0][0], last_epoch)
    # Named by ``classes``, else by the built-in dataset's own names.
    names = classes or builtin_classes(None if config is None else config.dataset)
    pictures.extend(confusion_pictures(history, names))
    texts, strips = dead_unit_board(steps)
    return Board(
        scalars=(*history_scalars(history, config), *layer_scalars(steps)),
        histograms=tuple(layer_histograms(steps)),
        pictures=(*pictures, *strips),
        texts=tuple(texts),
    )
