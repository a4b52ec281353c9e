"""What every engine returns, so the CLI writes the same outputs whichever engine ran."""

from collections.abc import Callable
from dataclasses import dataclass, field

from functions.nn.types import Array, Params
from functions.telemetry import TelemetryRecord
from functions.telemetry.spans import Span
from messages.status import HistoryEntry, RunStatus

# Asked at each step boundary (or each poll of a run on a stack): True = stop there, keep
# what was trained and return it CANCELLED (lnn.cli.interrupt: Ctrl-C).
StopCheck = Callable[[], bool]


@dataclass(frozen=True)
class TrainingResult:
    run_id: str
    status: str
    params: Params
    history: list[HistoryEntry]
    final_cost: float | None
    train_accuracy: float | None
    dev_accuracy: float | None
    test_accuracy: float | None
    reason: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
    # One record per (telemetry step, layer), in step then layer order.
    telemetry: list[TelemetryRecord] = field(default_factory=list)
    # The message timeline, ordered by start time (none from the reference engine).
    spans: list[Span] = field(default_factory=list)
    # The steps taken by a run stopped early (its params are after the last of them); None
    # for a run that took every step it planned.
    steps: int | None = None
    # W1 at the run's picture steps, step 0 its init (lnn.first_layer).
    first_layer: dict[int, Array] = field(default_factory=dict)


def interrupted_reason(step: int, steps_per_epoch: int) -> str:
    """Why a run stopped early: Ctrl-C after ``step`` steps (epochs numbered from 1)."""
    if step == 0:
        return "interrupted by Ctrl-C before the first step"
    epoch = -(-step // steps_per_epoch)
    return f"interrupted by Ctrl-C in epoch {epoch}, after step {step}"


def interrupted_result(
    run_id: str,
    params: Params,
    history: list[HistoryEntry],
    steps: int,
    reason: str,
    *,
    telemetry: list[TelemetryRecord] | None = None,
    spans: list[Span] | None = None,
    extra: dict[str, object] | None = None,
    first_layer: dict[int, Array] | None = None,
) -> TrainingResult:
    """A run stopped early: CANCELLED, with its parameters after the last step it took, the
    history of the epochs it completed, and the accuracies of its last evaluation."""
    evaluated = next((h for h in reversed(history) if h.train_accuracy is not None), None)
    return TrainingResult(
        run_id=run_id,
        status=RunStatus.CANCELLED.value,
        params=params,
        history=history,
        final_cost=history[-1].cost if history else None,
        train_accuracy=None if evaluated is None else evaluated.train_accuracy,
        dev_accuracy=None if evaluated is None else evaluated.dev_accuracy,
        test_accuracy=None if evaluated is None else evaluated.test_accuracy,
        reason=reason,
        extra=extra or {},
        telemetry=telemetry or [],
        spans=spans or [],
        steps=steps,
        first_layer=first_layer or {},
    )
