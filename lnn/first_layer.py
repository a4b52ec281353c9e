"""The first layer's weights at the run's picture steps (functions.training.schedule
.picture_steps: the init, up to 24 telemetry steps and the last), whichever engine ran: the
reference engine snapshots them as it trains, a stack keeps those versions from pruning.

They are the pictures' only input, kept as float32: a picture has 8 bits a channel, and
float32 halves what the reference engine holds and what `lnn train --out` writes (the cat
network: 25 steps x 20 units x 12,288 weights, 25 MB). Step 0 is W(init), which the pictures
of W - W(init) subtract.
"""

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from functions.nn.types import Array
from functions.ports import Barriers, ObjectNotFoundError
from functions.protocol import ArrayStore, RunPlan, find_plan, read_layer

if TYPE_CHECKING:
    from lnn.client import StackClient

FirstLayer = dict[int, Array]  # step -> W1 (units, features), float32
_PREFIX = "step"  # an npz key per step: step0, step25, ...
# A step's W1 read when the page asks for it; None when the run did not keep that step.
FirstLayerReader = Callable[[int], Array | None]


# What a step's pictures show, by the key the page and the board name it with: the weights,
# and what training changed, W - W(init) (each unit scaled on its own either way).
WEIGHTS = "w"
CHANGE = "change"
PICTURE_KINDS: dict[str, str] = {WEIGHTS: "W", CHANGE: "W - W(init)"}


__all__ = [
    "CHANGE",
    "PICTURE_KINDS",
    "WEIGHTS",
    "FirstLayer",
    "FirstLayerReader",
    "load_first_layer",
    "pictured",
    "read_stack_first_layer",
    "save_first_layer",
    "snapshot",
    "stack_first_layer",
]


def pictured(first_layer: Mapping[int, Array], step: int) -> dict[str, Array]:
    """Kind -> the matrix drawn at ``step``: W, and W - W(init) when the init was kept."""
    w = first_layer[step]
    if 0 not in first_layer:
        return {WEIGHTS: w}
    return {WEIGHTS: w, CHANGE: w - first_layer[0]}


def snapshot(w: Array) -> Array:
    """The copy of W1 a picture step keeps."""
    return np.array(w, dtype=np.float32)


def save_first_layer(path: Path, first_layer: Mapping[int, Array]) -> Path | None:
    """Write the snapshots as one .npz (nothing, and None, when there are none)."""
    if not first_layer:
        return None
    with path.open("wb") as out:
        np.savez(out, **{f"{_PREFIX}{step}": w for step, w in sorted(first_layer.items())})
    return path


def load_first_layer(path: Path) -> FirstLayer:
    """What save_first_layer wrote, by step."""
    with np.load(path, allow_pickle=False) as data:
        return {
            int(name.removeprefix(_PREFIX)): snapshot(data[name])
            for name in data.files
            if name.startswith(_PREFIX)
        }


def read_stack_first_layer(
    store: ArrayStore, barriers: Barriers, plan: RunPlan, through: int
) -> FirstLayer:
    """The kept versions of layer 1 at the plan's picture steps up to step ``through``
    (one GetObject per shard and step); a step whose objects are gone is left out."""
    found: FirstLayer = {}
    for step in sorted(s for s in plan.picture_steps if s <= through):
        try:
            found[step] = snapshot(read_layer(store, barriers, plan, 1, step)["W"])
        except ObjectNotFoundError:
            continue
    return found


def stack_first_layer(client: "StackClient", run_id: str, through: int) -> FirstLayer:
    """Run ``run_id``'s kept first layer up to step ``through``; empty for a run that never
    planned a step."""
    plan = find_plan(client.store, run_id)
    if plan is None:
        return {}
    return read_stack_first_layer(client.store, client.barriers, plan, through)
