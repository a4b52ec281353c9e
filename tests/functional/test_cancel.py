"""`lnn cancel` stops a run promptly; its in-flight tasks finish as no-ops."""

from collections.abc import Callable
from typing import Any

from lnn.datasets import load_dataset
from lnn.engines.stack import embedded_stack
from lnn.prepare import prepare
from messages.status import RunStatus
from messages.train_request import TrainConfig


def test_cancel_stops_a_running_run_within_one_step(
    stack_target: Callable[[], dict[str, Any]],
) -> None:
    dataset = load_dataset("flower")
    config = TrainConfig(
        dataset="flower",
        layers=[{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}],
        epochs=500,
        lr=1.2,
    )
    data = prepare(dataset, [layer.model_dump() for layer in config.layers])
    with embedded_stack(**stack_target()) as (client, runner):
        request = client.start(config, data)
        run_id = request.run_id
        assert runner.run_until(lambda: len(client.history(run_id)) >= 2, timeout=120)
        assert client.cancel(run_id) is True
        step_at_cancel = client.record(run_id).step
        runner.run_until(lambda: False, timeout=3)  # drain whatever was in flight
        record = client.record(run_id)
        assert record.status is RunStatus.CANCELLED
        assert record.step <= step_at_cancel + 1
        assert record.model_key is None
        assert client.cancel(run_id) is False  # not running any more
        assert runner.stats.failed == 0  # in-flight tasks were no-ops, not errors
