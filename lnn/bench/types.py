"""What a benchmark case returns, and the tolerance its models are held to."""

from dataclasses import dataclass, field
from typing import Literal

# Both sides do the same float operations, so their models match bit for bit. Training
# amplifies a last-bit difference chaotically (one rounding of the sigmoid: 1e-16 apart after
# 300 epochs, 3e-2 after 1000), so anything above round-off means the arithmetic differs.
AGREEMENT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class CaseResult:
    case: str
    status: Literal["ok", "unavailable", "failed"]
    metrics: dict[str, object] = field(default_factory=dict)
    reason: str | None = None
