"""Dead units over time: per hidden unit, the telemetry steps at which it died and revived,
and a verdict with its reason, computed once from a run's telemetry records for every reader
(`lnn inspect`, the watch page and report, TensorBoard).

- A unit is *dead at a step* when it was saturated on every sample of that step's batch
  (``ForwardStats.active`` is False; functions.telemetry.saturation says what saturated means
  per activation). It *died* at the first telemetry step of a run of dead steps and *revived*
  at the first step after one. Steps are the telemetry steps only: with a cadence of one step
  in N, a unit "died at step s" was alive at the telemetry step before s.
- The *verdict* is over one epoch's window (its telemetry steps merged, as `lnn inspect` and
  the network diagram show it): dead means saturated on every sample seen in that epoch, the
  same rule as ``LayerTelemetry.dead_units``. The reason gives where the unit's
  pre-activation Z sat over the window and its bias b (beta in a batch-normalized layer, where
  Z is the normalized Z_tilde): a relu unit with Z ≤ 0 on every
  sample of the epoch (max Z ≤ 0) learns nothing, because no gradient passes through it.

The output layer gets no verdict, as it gets no ``dead`` flag (functions.telemetry.flags): an
output unit saturated on every sample is a confident classifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from functions.nn.activations import LeakyReLU
from functions.telemetry.layer import BIAS, LayerTelemetry, merge_batches
from functions.telemetry.norm import NORM_FIGURES
from functions.telemetry.records import TelemetryRecord
from functions.telemetry.saturation import SIGMOID_HIGH, SIGMOID_LOW, TANH_LIMIT

DIED = "died"
REVIVED = "revived"
MARK = "!"  # beside every unit whose verdict is dead, wherever a verdict is shown
# What a unit saturated on every sample is called, and what that means for its Z or A: one
# entry per activation that can saturate (saturation.SATURATING; tests check they match).
DEAD_WORDS: dict[str, str] = {
    "relu": "dead",
    "leaky_relu": "dead",
    "sigmoid": "saturated",
    "tanh": "saturated",
}
_WHY: dict[str, str] = {
    "relu": "Z ≤ 0 on every sample",
    "leaky_relu": f"Z ≤ 0 on every sample (the leaky side, slope {LeakyReLU.slope:g})",
    "sigmoid": f"A < {SIGMOID_LOW} or A > {SIGMOID_HIGH} on every sample",
    "tanh": f"|A| > {TANH_LIMIT} on every sample",
}


@dataclass(frozen=True)
class UnitEvent:
    """Unit ``unit`` (0-based in its layer) died or revived at telemetry step ``step``
    (1-based) of epoch ``epoch`` (0-based, as the records keep it)."""

    unit: int
    kind: str
    step: int
    epoch: int


@dataclass(frozen=True, eq=False)
class LayerStrip:
    """One hidden layer over the telemetry steps: ``dead[u, i]`` is unit u at ``steps[i]``;
    ``z_min``, ``z_mean``, ``z_max`` (of Z over the step's batch) and ``bias`` (b before the
    step's update; beta in a batch-normalized layer, named by ``bias_name``) are (units,
    steps) too, and so is ``norm`` (NORM_FIGURES: gamma, batch mean and variance of Z) in a
    batch-normalized layer (None in a dense one)."""

    layer: int
    activation: str
    steps: tuple[int, ...]
    epochs: tuple[int, ...]
    dead: np.ndarray
    z_min: np.ndarray
    z_mean: np.ndarray
    z_max: np.ndarray
    bias: np.ndarray
    events: tuple[UnitEvent, ...]
    bias_name: str = BIAS
    norm: dict[str, np.ndarray] | None = None

    @property
    def units(self) -> int:
        return self.dead.shape[0]

    def unit_events(self, unit: int) -> tuple[UnitEvent, ...]:
        return tuple(e for e in self.events if e.unit == unit)


@dataclass(frozen=True)
class UnitVerdict:
    layer: int
    unit: int
    dead: bool
    reason: str
    events: tuple[UnitEvent, ...]

    @property
    def mark(self) -> str:
        return MARK if self.dead else ""

    @property
    def line(self) -> str:
        """``! layer 3 unit 1: dead since step 3 (epoch 1): Z ≤ 0 on every sample (...)``"""
        return f"{self.mark or ' '} layer {self.layer} unit {self.unit}: {self.reason}"


@dataclass(frozen=True)
class DeadUnits:
    """The strips of the hidden layers up to the end of epoch ``epoch`` (0-based) and the
    verdicts of their units over that epoch, by layer then unit."""

    epoch: int
    strips: tuple[LayerStrip, ...]
    verdicts: tuple[UnitVerdict, ...]

    def layer_verdicts(self, layer: int) -> tuple[UnitVerdict, ...]:
        return tuple(v for v in self.verdicts if v.layer == layer)


def _events(dead: np.ndarray, steps: Sequence[int], epochs: Sequence[int]) -> list[UnitEvent]:
    # A unit dead at the first recorded step died there: nothing before says otherwise.
    before = np.concatenate([np.zeros((dead.shape[0], 1), dtype=bool), dead[:, :-1]], axis=1)
    changed = np.argwhere(dead != before)  # row-major: by unit, then step
    return [
        UnitEvent(int(u), DIED if dead[u, i] else REVIVED, steps[i], epochs[i]) for u, i in changed
    ]


def layer_strip(records: Sequence[TelemetryRecord]) -> LayerStrip:
    """The strip of one layer from its step records (whole layers, in step order)."""
    if not records or any(not r.telemetry.whole for r in records):
        raise ValueError("a strip needs the layer's whole-layer records of at least one step")
    ts = [r.telemetry for r in records]
    steps, epochs = tuple(r.step for r in records), tuple(r.epoch for r in records)
    dead = np.stack([~t.forward.active for t in ts], axis=1)
    return LayerStrip(
        layer=ts[0].layer,
        activation=ts[0].activation,
        steps=steps,
        epochs=epochs,
        dead=dead,
        z_min=np.stack([t.forward.z_min for t in ts], axis=1),
        z_mean=np.stack([t.forward.z_mean for t in ts], axis=1),
        z_max=np.stack([t.forward.z_max for t in ts], axis=1),
        bias=np.stack([t.backward.mean("bias") for t in ts], axis=1),
        events=tuple(_events(dead, steps, epochs)),
        bias_name=ts[0].bias_name,
        norm=_norm_series(ts),
    )


def _norm_series(ts: Sequence[LayerTelemetry]) -> dict[str, np.ndarray] | None:
    norms = [t.norm for t in ts if t.norm is not None]
    if len(norms) != len(ts):  # a dense layer (every record of a layer has them or none)
        return None
    return {name: np.stack([n.mean(name) for n in norms], axis=1) for name in NORM_FIGURES}


def _number(value: float) -> str:
    return f"{value:.3g}"


def _z(bias_name: str) -> str:
    """What the activation was applied to: Z, or batch norm's Z̃ (where beta is the bias)."""
    return "Z" if bias_name == BIAS else "Z̃"


def _why(activation: str, bias_name: str) -> str:
    return _WHY[activation].replace("Z ", f"{_z(bias_name)} ")


def _figures(activation: str, z_min: float, z_max: float, bias: float, bias_name: str) -> str:
    """Where a unit's Z (or Z̃) sat and its bias (or beta): what tells why it was saturated
    (or not)."""
    z, name = _z(bias_name), "bias" if bias_name == BIAS else bias_name
    if activation in ("relu", "leaky_relu"):
        return f"max {z} {_number(z_max)}, {name} {_number(bias)}"
    return f"{z} from {_number(z_min)} to {_number(z_max)}, {name} {_number(bias)}"


def _where(t: LayerTelemetry, unit: int) -> str:
    """Where the unit's Z sat over the window, and its mean bias."""
    i = unit - t.start
    f = t.forward
    bias = t.backward.mean("bias")[i]
    return _figures(t.activation, f.z_min[i], f.z_max[i], bias, t.bias_name)


def event_line(strip: LayerStrip, event: UnitEvent) -> str:
    """``unit 1 died: Z ≤ 0 on every sample (max Z -0.41, bias -0.52)``, with the figures of
    the event's step."""
    u, i = event.unit, strip.steps.index(event.step)
    z_min, z_max, bias = strip.z_min[u, i], strip.z_max[u, i], strip.bias[u, i]
    where = _figures(strip.activation, z_min, z_max, bias, strip.bias_name)
    if event.kind == REVIVED:
        return f"unit {u} revived ({where})"
    became = "died" if DEAD_WORDS[strip.activation] == "dead" else "saturated"
    return f"unit {u} {became}: {_why(strip.activation, strip.bias_name)} ({where})"


def _verdict(t: LayerTelemetry, strip: LayerStrip, unit: int, epoch: int) -> UnitVerdict:
    events = strip.unit_events(unit)
    where = _where(t, unit)
    dead = not t.forward.active[unit - t.start]  # as LayerTelemetry.dead_units
    last = events[-1] if events else None
    word = DEAD_WORDS.get(t.activation)
    if word is None:
        reason = f"never saturates ({t.activation}; {where})"
    elif dead:
        # Dead over the window means dead at each of its steps, so it died at one of them
        # or before: the last event is that death.
        since = f"since step {events[-1].step} (epoch {events[-1].epoch + 1})"
        reason = f"{word} {since}: {_why(t.activation, t.bias_name)} ({where})"
    elif last is None:
        reason = f"alive ({where})"
    elif last.kind == REVIVED:
        died = [e.step for e in events if e.kind == DIED][-1]
        reason = f"revived at step {last.step} (epoch {last.epoch + 1}) after being {word} "
        reason += f"since step {died} ({where})"
    else:  # dead on the last step's batch, yet not on every batch of the epoch
        reason = f"{word} at step {last.step}, but not on every batch of epoch {epoch + 1} "
        reason += f"({where})"
    return UnitVerdict(t.layer, unit, dead, reason, events)


def dead_units(records: Sequence[TelemetryRecord], epoch: int | None = None) -> DeadUnits:
    """Strips and verdicts of the hidden layers up to the end of ``epoch`` (0-based; the last
    recorded by default), from a run's records. Epoch records (``batch`` null) are left out:
    they pool steps that are there on their own."""
    steps = [r for r in records if r.batch is not None]
    if not steps:
        raise ValueError("the run has no telemetry steps")
    chosen = steps[-1].epoch if epoch is None else epoch
    steps = [r for r in steps if r.epoch <= chosen]
    if not steps or steps[-1].epoch != chosen:
        raise ValueError(f"no telemetry in epoch {chosen + 1}")
    by_layer: dict[int, list[TelemetryRecord]] = {}
    for record in steps:
        by_layer.setdefault(record.telemetry.layer, []).append(record)
    hidden = sorted(by_layer)[:-1]
    strips, verdicts = [], []
    for layer in hidden:
        strip = layer_strip(by_layer[layer])
        window = merge_batches([r.telemetry for r in by_layer[layer] if r.epoch == chosen])
        strips.append(strip)
        verdicts.extend(_verdict(window, strip, u, chosen) for u in range(strip.units))
    return DeadUnits(chosen, tuple(strips), tuple(verdicts))
