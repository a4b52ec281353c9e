"""What every engine returns, so the CLI writes the same outputs whichever engine ran."""

from dataclasses import dataclass, field

from functions.nn.types import Array
from functions.telemetry import TelemetryRecord
from functions.telemetry.spans import Span
from messages.status import HistoryEntry


@dataclass(frozen=True)
class TrainingResult:
    run_id: str
    status: str
    params: list[tuple[Array, Array]]
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
    # W1 at the run's picture steps, step 0 its init (lnn.first_layer).
    first_layer: dict[int, Array] = field(default_factory=dict)
