"""The sweep's loop on the in-memory stack: trials run concurrently, each equal to its own
reference run; the halving stops the same trials whatever the delivery order; a resumed
sweep runs only the trials that were not final."""

import numpy as np
import pytest

from functions.memory import InMemoryStack
from functions.memory.blobs import InMemoryBlobStore
from lnn.engines.base import TrainingResult
from lnn.prepare import PreparedData
from lnn.sweep.memory import MemoryBackend
from lnn.sweep.scheduler import Scheduler
from lnn.sweep.store import BlobSweepStore
from lnn.sweep.types import Halving, SweepRecord, TrialRecord, TrialStatus
from messages.train_request import TrainConfig
from tests.unit.memory_runs import config, max_difference, reference_result, toy_data
from tests.unit.scheduler_sweeps import sweep_record

LRS = (0.3, 0.001, 0.05, 0.1)


def _configs(epochs: int = 2) -> list:
    return [config(lr=lr, epochs=epochs, dropout=1.0, shards=1) for lr in LRS]


def _run(
    record: SweepRecord, stack: InMemoryStack, stores: list | None = None
) -> tuple[SweepRecord, dict[int, TrainingResult | None]]:
    x, y = toy_data()
    ended: dict[int, TrainingResult | None] = {}

    def keep(trial: TrialRecord, result: TrainingResult | None) -> None:
        assert trial.index not in ended, "a trial is made final once"
        ended[trial.index] = result

    backend = MemoryBackend(stack, PreparedData(x, y, None, None))
    scheduler = Scheduler(record, backend, stores or [], on_trial_end=keep, poll_s=0)
    return scheduler.run(), ended


def test_each_trial_equals_its_own_reference_run() -> None:
    x, y = toy_data()
    record, ended = _run(sweep_record(_configs(), concurrency=3), InMemoryStack(reorder=True))
    assert [t.status for t in record.trials] == [TrialStatus.SUCCEEDED] * len(LRS)
    for trial in record.trials:
        result = ended[trial.index]
        assert result is not None
        expected = reference_result(trial.config, x, y)
        assert max_difference(result.params, expected.params) < 1e-9
        assert trial.final_cost == pytest.approx(expected.final_cost, abs=1e-9)
    costs = [t.final_cost for t in record.trials]
    assert record.best == int(np.argmin(costs))


def test_halving_stops_the_same_trials_whatever_the_order() -> None:
    halving = Halving(rungs=[2], keep=0.5)
    outcomes = []
    for seed, concurrency in ((0, 4), (1, 2), (2, 1)):
        record = sweep_record(_configs(epochs=5), concurrency=concurrency, halving=halving)
        done, _ = _run(record, InMemoryStack(reorder=True, seed=seed))
        outcomes.append([(t.status, t.stopped_at, t.rung_scores.get(2)) for t in done.trials])
    assert outcomes[0] == outcomes[1] == outcomes[2]
    statuses = [status for status, _, _ in outcomes[0]]
    assert statuses[0] == TrialStatus.SUCCEEDED  # the first is judged against itself
    assert TrialStatus.STOPPED in statuses
    stopped = next(t for t in done.trials if t.status == TrialStatus.STOPPED)
    assert stopped.stopped_at == 2
    assert "stopped at epoch 2 by successive halving" in (stopped.reason or "")
    assert stopped.epochs_done >= 2  # it keeps the history it trained


@pytest.mark.parametrize("deliveries", [5, 40, 100_000])
def test_halving_at_several_rungs_does_not_depend_on_how_fast_trials_end(
    deliveries: int,
) -> None:
    """However many messages pass between two looks (with 100,000 a trial ends within one)
    and however many trials run at once, the same trials are stopped at the same rungs."""
    x, y = toy_data()
    lrs = (0.3, 0.001, 0.05, 0.1, 0.002, 0.2, 0.02, 0.5)
    configs = [config(lr=lr, epochs=6, dropout=1.0, shards=1) for lr in lrs]
    halving = Halving(rungs=[2, 3, 4], keep=0.5)
    outcomes = set()
    for concurrency, seed in ((1, 0), (3, 1), (8, 2)):
        record = sweep_record(configs, concurrency=concurrency, halving=halving)
        stack = InMemoryStack(reorder=True, seed=seed)
        backend = MemoryBackend(stack, PreparedData(x, y, None, None), deliveries=deliveries)
        done = Scheduler(record, backend, [], poll_s=0).run()
        outcomes.add(
            tuple((t.status, t.stopped_at, tuple(t.rung_scores.items())) for t in done.trials)
        )
    assert len(outcomes) == 1
    (outcome,) = outcomes
    statuses = [status for status, _, _ in outcome]
    assert statuses.count(TrialStatus.STOPPED) >= 3, outcome
    assert {rung for _, rung, _ in outcome} - {None} != {2}  # later rungs stop trials too


def test_a_resumed_sweep_runs_only_what_was_not_final() -> None:
    blobs = InMemoryBlobStore()
    store = BlobSweepStore(blobs)
    first, ended = _run(sweep_record(_configs(), concurrency=1), InMemoryStack(), [store])
    assert len(ended) == len(LRS)
    # As if the sweep had died while its last two trials were not final.
    trials = list(first.trials)
    for index in (2, 3):
        trials[index] = trials[index].model_copy(update={"status": TrialStatus.RUNNING})
    loaded = store.load(first.sweep_id)
    assert loaded is not None
    again, ended = _run(loaded.model_copy(update={"trials": trials}), InMemoryStack())
    assert sorted(ended) == [2, 3]
    assert [t.final_cost for t in again.trials] == [t.final_cost for t in first.trials]


def test_a_failed_trial_does_not_fail_the_sweep() -> None:
    configs = _configs()
    # Three softmax units on 0/1 targets: the trainer refuses the data, the run FAILS.
    layers = [*configs[1].model_dump()["layers"][:-1], {"units": 3, "activation": "softmax"}]
    configs[1] = TrainConfig.model_validate({**configs[1].model_dump(), "layers": layers})
    record = sweep_record(configs)
    done, ended = _run(record, InMemoryStack())
    assert [t.status for t in done.trials] == [
        TrialStatus.SUCCEEDED,
        TrialStatus.FAILED,
        TrialStatus.SUCCEEDED,
        TrialStatus.SUCCEEDED,
    ]
    assert "output layer has 3 units but y_train has 1 rows" in (done.trials[1].reason or "")
    assert len(ended) == len(LRS) and ended[1] is None  # it never started: no outputs
    assert done.best is not None and done.best != 1


def test_resumed_on_its_stack_a_sweep_follows_runs_there_and_reruns_cancelled_ones() -> None:
    x, y = toy_data()
    stack = InMemoryStack()
    backend = MemoryBackend(stack, PreparedData(x, y, None, None))
    polls = iter(range(1_000_000))
    interrupted = Scheduler(
        sweep_record(_configs(), concurrency=2),
        backend,
        [],
        poll_s=0,
        interrupted=lambda: next(polls) > 3,
    ).run()
    statuses = [t.status for t in interrupted.trials]
    assert TrialStatus.CANCELLED in statuses, statuses
    submitted = stack.deliveries
    resumed = interrupted.model_copy(
        update={
            "trials": [
                t if t.status.is_final else t.model_copy(update={"status": TrialStatus.PENDING})
                for t in interrupted.trials
            ]
        }
    )
    done = Scheduler(resumed, backend, [], poll_s=0).run()
    assert [t.status for t in done.trials] == [TrialStatus.SUCCEEDED] * len(LRS)
    for before, after in zip(interrupted.trials, done.trials, strict=True):
        if before.status == TrialStatus.CANCELLED:
            assert after.attempt == 2 and after.run_id == f"{before.run_id}-a2"
        else:
            assert after.run_id == before.run_id and after.attempt == 1
        expected = reference_result(after.config, x, y)
        params = stack.model(after.run_id or "")[0]
        assert max_difference(params, expected.params) < 1e-9
    assert stack.deliveries > submitted
