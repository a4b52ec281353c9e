"""The batch-norm case's learning figures: the first epoch at a target cost, and the epochs
a cost curve is summarized at."""

from lnn.bench.batch_norm import epochs_to_cost
from lnn.bench.batch_norm_workload import cost_checkpoints
from lnn.engines.base import TrainingResult
from messages.status import HistoryEntry


def _run(costs: list[float]) -> TrainingResult:
    history = [HistoryEntry(epoch=e, cost=c) for e, c in enumerate(costs, start=1)]
    return TrainingResult("r", "SUCCEEDED", [], history, costs[-1], None, None, None)


def test_epochs_to_cost_is_the_first_epoch_at_or_below_the_target() -> None:
    run = _run([2.3, 0.4, 0.05, 0.2, 0.01])
    assert epochs_to_cost(run, 0.05) == 3  # reached, even if the cost rose again after
    assert epochs_to_cost(run, 0.01) == 5
    assert epochs_to_cost(run, 0.001) is None


def test_cost_checkpoints_cover_the_run_from_its_first_epoch_to_its_last() -> None:
    assert cost_checkpoints(300) == [1, 30, 75, 150, 300]
    assert cost_checkpoints(3) == [1, 3]
    assert cost_checkpoints(1) == [1]
