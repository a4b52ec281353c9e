"""The message timeline: the shard tasks of the last few steps, one lane per shard (function),
each task a bar from its start to its end, coloured by what came of it. Each bar carries its
task's details for the page's panel: where it ran, what came of it and what it computed in the
course's notation (lnn/watch/notation.py); the legend says all this in words."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from functions.protocol import RunPlan
from functions.telemetry.spans import OUTCOME_MEANINGS, Span
from lnn.watch.notation import is_loss_stage, samples, step_of, task_lines, units_text
from lnn.watch.numbers import figure
from messages.train_request import TrainConfig

TIMELINE_STEPS = 3  # the most recent (phase, epoch, batch) groups shown
# Outcomes that are not the plain path of a message: marked on the page.
MARKED = frozenset({"duplicate", "healed", "failed", "dead_lettered"})
_FUNCTIONS = ("trainer", "neuron", "loss")  # lanes top to bottom: the order of a step
DIRECTIONS = {"fwd": "forward", "bwd": "backward", "loss": "loss"}
NOTATION = (
    "Click a bar for its task and what it computed, in the deeplearning.ai course's notation; "
    'docs/reading.md ("What each task computes") writes the same formulas beside the code.'
)
OUTLINE = (
    "A red outline marks a delivery off the plain path: a duplicate, a heal, a failure, "
    "a dead letter, or any redelivery (delivery 2 or more)."
)


__all__ = [
    "MARKED",
    "TIMELINE_STEPS",
    "legend",
    "run_plan",
    "step_label",
    "task_details",
    "timeline_section",
]


def run_plan(
    run_id: str | None,
    config: TrainConfig | None,
    n_features: int | None,
    eval_sizes: tuple[int, int, int] | None,
) -> RunPlan | None:
    """The run's plan as its tasks saw it, from what a view knows; None until it knows all."""
    if config is None or n_features is None or eval_sizes is None:
        return None
    return RunPlan(run_id or "", config, n_features, eval_sizes)


def step_label(phase: str, epoch: int, batch: int) -> str:
    """A pass as the page names it: epochs from 1 ("eval e150 b0"), as everywhere a user reads."""
    return f"{phase} e{epoch + 1} b{batch}"


def _lane_example(plan: RunPlan | None) -> str:
    """One lane named and explained, a sharded layer's last shard where the run has one."""
    if plan is None:
        return "neuron L2 s1 is layer 2's shard 1, its own block of the layer's units"
    sharded = [layer for layer in range(1, plan.depth + 1) if len(plan.ranges(layer)) > 1]
    layer = sharded[0] if sharded else 1
    shard = len(plan.ranges(layer)) - 1
    return f"neuron L{layer} s{shard} is layer {layer}'s shard {shard}: " + units_text(
        plan, layer, shard
    )


def _loss_legend(plan: RunPlan | None) -> str:
    """Where the cost is computed: the loss lane, or inside the output shard."""
    big_l = "L" if plan is None else str(plan.depth)
    where = f"J marks the loss stage, where A[{big_l}], the cost J and dZ[{big_l}] are computed"
    if plan is None or not plan.loss_in_output_shard:
        return where + " (the loss lane), after the output layer's shards."
    return where + (
        f": one shard owns layer {big_l}, so the loss runs inside it (neuron L{big_l} s0: its "
        "backward task in training, its forward task in an evaluation)."
    )


def legend(plan: RunPlan | None) -> dict[str, Any]:
    """The timeline's legend in words: lanes, outcomes, the outline, the loss stage's marker."""
    lanes = (
        f"Each lane is one function: a neuron shard ({_lane_example(plan)}) or the loss stage "
        "(loss). A bar is one delivery of a task, from its start to its claim at the barrier."
    )
    return {
        "lanes": lanes,
        "outcomes": [{"outcome": o, "meaning": m} for o, m in OUTCOME_MEANINGS.items()],
        "outline": OUTLINE,
        "loss": _loss_legend(plan),
        "notation": NOTATION,
    }


def _clock(unix_s: float) -> str:
    return datetime.fromtimestamp(unix_s, UTC).strftime("%H:%M:%S.%f")[:-3] + " UTC"


def _in_plan(plan: RunPlan, span: Span) -> bool:
    """Whether the plan has the span's task: a span read from elsewhere may name another's."""
    if span.function == "loss":
        return True
    return 1 <= span.layer <= plan.depth and 0 <= span.shard < len(plan.ranges(span.layer))


def task_details(span: Span, plan: RunPlan | None, t0: float) -> dict[str, Any]:
    """What the panel shows of one bar's task: epochs from 1, the rest as the task named it."""
    details: dict[str, Any] = {
        "run": None if plan is None else plan.run_id or None,
        "epoch": span.epoch + 1,
        "batch": span.batch,
        "phase": span.phase,
        "direction": DIRECTIONS.get(span.direction, span.direction),
        "layer": span.layer if span.function == "neuron" else None,
        "shard": span.shard if span.function == "neuron" else None,
        "delivery": span.delivery,
        "outcome": span.outcome,
        "error": span.detail,
        "start_s": figure(span.start - t0),
        "started": _clock(span.start),
        "duration_s": figure(span.duration),
    }
    if plan is None or not _in_plan(plan, span):
        return {**details, "loss": span.function == "loss", "math": []}
    units = None
    if span.function == "neuron":
        units = units_text(plan, span.layer, span.shard)
    return {
        **details,
        "epochs": plan.config.epochs,
        "step": step_of(plan, span) if span.phase == "train" else None,
        "units": units,
        "samples": samples(plan, span),
        "loss": is_loss_stage(plan, span),
        "math": task_lines(plan, span),
    }


def _lane_order(span: Span) -> tuple[int, int, int]:
    kind = _FUNCTIONS.index(span.function) if span.function in _FUNCTIONS else len(_FUNCTIONS)
    return (kind, span.layer, span.shard)


def timeline_section(spans: Sequence[Span], plan: RunPlan | None = None) -> dict[str, Any]:
    """The bars of the last TIMELINE_STEPS passes; ``plan`` (the run's) gives each bar's
    units, samples and math, and the legend its examples."""
    groups: dict[tuple[str, int, int], float] = {}
    for s in spans:
        key = (s.phase, s.epoch, s.batch)
        groups[key] = min(groups.get(key, s.start), s.start)
    recent = set(sorted(groups, key=groups.__getitem__)[-TIMELINE_STEPS:])
    shown = [s for s in spans if (s.phase, s.epoch, s.batch) in recent]
    if not shown:
        return {"lanes": [], "bars": [], "steps": [], "counts": {}, "legend": legend(plan)}
    t0 = min(s.start for s in shown)
    lanes = [s.lane for s in sorted(shown, key=_lane_order)]
    counts: dict[str, int] = {}
    for s in spans:
        counts[s.outcome] = counts.get(s.outcome, 0) + 1
    bars = [
        {
            "lane": s.lane,
            "start": figure(s.start - t0),
            "duration": figure(max(s.end - s.start, 0.0)),
            "outcome": s.outcome,
            "retry": s.delivery > 1,
            "marked": s.outcome in MARKED or s.delivery > 1,
            "label": (
                f"{step_label(s.phase, s.epoch, s.batch)} {s.direction} L{s.layer} s{s.shard}: "
                f"{s.outcome}, delivery {s.delivery}" + (f" ({s.detail})" if s.detail else "")
            ),
            "details": task_details(s, plan, t0),
        }
        for s in sorted(shown, key=lambda s: s.start)
    ]
    return {
        "lanes": list(dict.fromkeys(lanes)),
        "bars": bars,
        "steps": [step_label(*key) for key in sorted(recent, key=groups.__getitem__)],
        "counts": counts,  # over every span read, not only the shown ones
        "legend": legend(plan),
    }
