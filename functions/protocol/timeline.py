"""A run's message timeline, read back from its barrier items (functions/protocol/spans.py).

Every barrier key of a run is computable from its plan, so the reader asks for them in
order, a step at a time in batches of keys, and stops at the first step that left nothing:
where the run stopped (or where the items expired, a week after it ran).
"""

from collections.abc import Iterator
from dataclasses import dataclass

from functions.ports import Barriers, BarrierTimeline
from functions.protocol.keys import barrier_key
from functions.protocol.run_plan import RunPlan
from functions.protocol.spans import LOSS_LAYER, barrier_spans
from functions.telemetry.spans import Span, ordered
from functions.training.schedule import eval_epochs

KEYS_PER_READ = 100


@dataclass(frozen=True)
class Stage:
    phase: str
    direction: str
    epoch: int
    batch: int
    layer: int

    def key(self, run: str) -> str:
        return barrier_key(run, self.phase, self.epoch, self.batch, self.direction, self.layer)


def pass_stages(
    depth: int, folded: bool, phase: str, epoch: int = 0, batch: int = 0
) -> list[Stage]:
    """The barriers of one step (or one evaluation pass), in the order they are claimed:
    one per hop, since each hop's task claims one barrier.

    ``folded``: one shard owns the output layer, so its training task claims no forward or
    loss barrier: it runs the loss and its backward pass too, and claims the backward
    barrier (functions/protocol/output.py); its evaluation task claims the forward one.
    """
    last_forward = depth - 1 if folded and phase == "train" else depth
    stages = [Stage(phase, "fwd", epoch, batch, layer) for layer in range(1, last_forward + 1)]
    if not folded:
        stages.append(Stage(phase, "loss", epoch, batch, LOSS_LAYER))
    if phase == "train":
        stages += [Stage(phase, "bwd", epoch, batch, layer) for layer in range(depth, 0, -1)]
    return stages


def _pass(plan: RunPlan, phase: str, epoch: int, batch: int) -> list[Stage]:
    return pass_stages(plan.depth, plan.loss_in_output_shard, phase, epoch, batch)


def run_passes(plan: RunPlan) -> Iterator[list[Stage]]:
    """Every step and evaluation pass of the run, in the order the trainer starts them."""
    epochs = plan.config.epochs
    evaluated = eval_epochs(epochs, plan.config.eval_every)
    if epochs == 0:
        yield _pass(plan, "eval", 0, 0)
    for epoch in range(epochs):
        for batch in range(plan.batches_per_epoch):
            yield _pass(plan, "train", epoch, batch)
        if epoch in evaluated:
            yield _pass(plan, "eval", epoch, 0)


def read_spans(barriers: Barriers, plan: RunPlan) -> list[Span]:
    """Every span the run's barriers hold, ordered by start time."""
    run, widest = plan.run_id, max(len(plan.ranges(layer)) for layer in range(1, plan.depth + 1))
    spans: list[Span] = []
    chunk: list[list[Stage]] = []
    passes = run_passes(plan)
    while True:
        chunk.clear()
        for stages in passes:
            chunk.append(stages)
            if sum(len(s) for s in chunk) + len(stages) > KEYS_PER_READ:
                break
        if not chunk:
            break
        found = barriers.timelines([s.key(run) for stages in chunk for s in stages], widest)
        for stages in chunk:
            if not any(s.key(run) in found for s in stages):
                return ordered(spans)  # the run stopped before this step
            for s in stages:
                if (timeline := found.get(s.key(run))) is not None:
                    spans += stage_spans(plan, s, timeline)
    return ordered(spans)


def stage_spans(plan: RunPlan, stage: Stage, timeline: BarrierTimeline) -> list[Span]:
    """The spans of one stage's barrier item."""
    shards = 1 if stage.direction == "loss" else len(plan.ranges(stage.layer))
    return barrier_spans(
        timeline,
        shards,
        phase=stage.phase,
        direction=stage.direction,
        epoch=stage.epoch,
        batch=stage.batch,
        layer=stage.layer,
    )
