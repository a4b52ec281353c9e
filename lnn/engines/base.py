"""What every engine returns, so the CLI writes the same outputs whichever engine ran."""

from dataclasses import dataclass, field

from functions.nn.types import Array
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
