"""Ctrl-C during a run: the first asks the engine to stop at a step and keep what it
trained; the partial result is what the same run would have after that many steps."""

import os
import signal

import pytest

from lnn.bench.workload import same_bytes
from lnn.cli.interrupt import first_ctrl_c_stops
from lnn.datasets import load_dataset
from lnn.engines.base import interrupted_reason, interrupted_result
from lnn.engines.reference import train_reference
from lnn.prepare import prepare, split
from messages.status import HistoryEntry, RunStatus
from messages.train_request import TrainConfig

LAYERS = [{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]


def columns(config: TrainConfig):
    data = prepare(load_dataset("moons", samples=60), LAYERS)
    return split(data, holdout=config.holdout, seed=config.seed)


def stop_after(steps: int):
    """A stop check that says yes from the ``steps + 1``-th question on (one per step)."""
    asked = iter(range(10**9))
    return lambda: next(asked) >= steps


def test_the_first_ctrl_c_is_a_request_and_the_second_quits() -> None:
    with first_ctrl_c_stops() as stop:
        assert not stop()
        os.kill(os.getpid(), signal.SIGINT)
        assert stop()  # the handler ran: no KeyboardInterrupt, a request
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_while_the_outputs_are_written_waits_for_them_then_quits(
    capsys: pytest.CaptureFixture[str],
) -> None:
    written = []
    with pytest.raises(KeyboardInterrupt), first_ctrl_c_stops() as stop:
        stop.writing = True
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)  # not even a second one cuts the writing
        written.append("report.html")
        assert stop.quit
    assert written == ["report.html"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    err = capsys.readouterr().err
    assert err.count("quitting once it is written") == 1


def test_a_full_batch_run_stopped_after_k_steps_is_the_k_epoch_run() -> None:
    config = TrainConfig(dataset="moons", layers=LAYERS, epochs=50, lr=0.5, eval_every=2)
    result = train_reference(config, columns(config), stop=stop_after(7))
    assert result.status == RunStatus.CANCELLED.value and result.steps == 7
    assert result.reason == "interrupted by Ctrl-C in epoch 7, after step 7"
    assert [h.epoch for h in result.history] == list(range(1, 8))
    whole = train_reference(config.model_copy(update={"epochs": 7}), columns(config))
    assert same_bytes(result.params, whole.params)
    # The accuracies are the last evaluation's: epoch 6 (eval_every 2); 7 was not evaluated.
    assert result.train_accuracy == result.history[5].train_accuracy is not None
    assert result.history[6].train_accuracy is None
    assert result.final_cost == result.history[-1].cost
    assert {r.step for r in result.telemetry} == set(range(1, 8))


def test_a_run_stopped_mid_epoch_keeps_the_epochs_it_completed() -> None:
    config = TrainConfig(dataset="moons", layers=LAYERS, epochs=10, batch_size=16, lr=0.5)
    result = train_reference(config, columns(config), stop=stop_after(9))  # 4 steps an epoch
    assert result.steps == 9 and [h.epoch for h in result.history] == [1, 2]
    assert result.reason == "interrupted by Ctrl-C in epoch 3, after step 9"
    assert max(r.step for r in result.telemetry) == 9


def test_a_run_stopped_before_its_first_step() -> None:
    config = TrainConfig(dataset="moons", layers=LAYERS, epochs=3)
    result = train_reference(config, columns(config), stop=lambda: True)
    assert result.steps == 0 and result.history == [] and result.final_cost is None
    assert (
        result.reason == interrupted_reason(0, 1) == "interrupted by Ctrl-C before the first step"
    )
    assert len(result.params) == 2  # the initial parameters: a model still


def test_the_partial_result_takes_the_last_evaluation() -> None:
    history = [
        HistoryEntry(epoch=1, cost=0.7, train_accuracy=0.5, dev_accuracy=0.4),
        HistoryEntry(epoch=2, cost=0.6),
    ]
    result = interrupted_result("r", [], history, 2, interrupted_reason(2, 1))
    assert (result.train_accuracy, result.dev_accuracy, result.test_accuracy) == (0.5, 0.4, None)
    assert result.final_cost == 0.6 and result.status == "CANCELLED"
