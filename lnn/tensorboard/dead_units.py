"""Dead units over time in TensorBoard, per hidden layer: what died or revived at each step
(text), every unit's verdict at the last step (text) and the strip of units over steps
(an image). The events and verdicts are functions.telemetry.verdicts'."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from functions.telemetry import TelemetryRecord
from functions.telemetry.verdicts import DeadUnits, LayerStrip, dead_units, event_line
from lnn.tensorboard import tags
from lnn.tensorboard.pictures import Pictures

DEAD_RGB = (200, 30, 30)
ALIVE_RGB = (230, 230, 230)
ROW_PIXELS = 8  # each unit's row of the strip, so a layer of a few units is still visible
STRIP_WIDTH = 400  # a strip of few steps is widened to about this many pixels

__all__ = [
    "ALIVE_RGB",
    "DEAD_RGB",
    "ROW_PIXELS",
    "STRIP_WIDTH",
    "BoardText",
    "dead_unit_board",
    "strip_pixels",
]


@dataclass(frozen=True)
class BoardText:
    tag: str
    step: int
    text: str


def _markdown(lines: Sequence[str]) -> str:
    # One bullet per line: TensorBoard renders text as Markdown, which joins plain lines.
    return "\n".join(f"- {line}" for line in lines)


def _event_texts(strip: LayerStrip) -> list[BoardText]:
    tag = tags.layer_tag(strip.layer, tags.UNIT_EVENTS)
    by_step: dict[int, list[str]] = {}
    for event in sorted(strip.events, key=lambda e: (e.step, e.unit)):
        by_step.setdefault(event.step, []).append(event_line(strip, event))
    return [BoardText(tag, step, _markdown(lines)) for step, lines in by_step.items()]


def strip_pixels(strip: LayerStrip) -> np.ndarray:
    """The strip as one RGB picture (1, height, width, 3): a row per unit (unit 0 on top), a
    column per telemetry step, dead cells red."""
    column_pixels = max(1, STRIP_WIDTH // len(strip.steps))
    cells = np.where(strip.dead[:, :, None], DEAD_RGB, ALIVE_RGB).astype(np.uint8)
    pixels = np.repeat(np.repeat(cells, ROW_PIXELS, axis=0), column_pixels, axis=1)
    return pixels[None]


def dead_unit_board(records: Sequence[TelemetryRecord]) -> tuple[list[BoardText], list[Pictures]]:
    """The texts and strip pictures of the run's hidden layers; none without telemetry steps."""
    if not any(r.batch is not None for r in records):
        return [], []
    found: DeadUnits = dead_units(records)
    texts: list[BoardText] = []
    pictures: list[Pictures] = []
    for strip in found.strips:
        last = strip.steps[-1]
        texts.extend(_event_texts(strip))
        lines = [v.line.strip() for v in found.layer_verdicts(strip.layer)]
        texts.append(
            BoardText(tags.layer_tag(strip.layer, tags.UNIT_VERDICTS), last, _markdown(lines))
        )
        pictures.append(
            Pictures(tags.layer_tag(strip.layer, tags.DEAD_STRIP), last, strip_pixels(strip))
        )
    return texts, pictures
