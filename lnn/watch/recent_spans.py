"""The spans of a run's latest passes only: what the live timeline shows. Reading the whole
timeline (StackClient.spans) costs a BatchGetItem per 100 barriers of the run so far; the
last few passes cost one, however long the run has been going."""

from collections import deque

from functions.ports import Barriers
from functions.protocol import KEYS_PER_READ, RunPlan, Stage, run_passes, stage_spans
from functions.telemetry.spans import Span, ordered


def recent_passes(plan: RunPlan, step: int, count: int) -> list[list[Stage]]:
    """The last ``count`` passes (steps and evaluations) up to the one in flight after the
    trainer claimed step ``step`` (1-based; 0 before the first)."""
    window: deque[list[Stage]] = deque(maxlen=count)
    train_passes = 0
    for stages in run_passes(plan):
        train_passes += stages[0].phase == "train"
        if train_passes > step + 1:
            break
        window.append(stages)
    return list(window)


def read_recent_spans(barriers: Barriers, plan: RunPlan, step: int, count: int) -> list[Span]:
    stages = [s for passes in recent_passes(plan, step, count) for s in passes][-KEYS_PER_READ:]
    widest = max(len(plan.ranges(layer)) for layer in range(1, plan.depth + 1))
    found = barriers.timelines([s.key(plan.run_id) for s in stages], widest)
    spans: list[Span] = []
    for s in stages:
        if (timeline := found.get(s.key(plan.run_id))) is not None:
            spans += stage_spans(plan, s, timeline)
    return ordered(spans)
