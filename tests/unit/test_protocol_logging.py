"""A failure is logged once with its traceback, under the failing function's own name."""

import json

import pytest
from pydantic import ValidationError

from functions.memory import InMemoryStack
from functions.protocol.failures import guarded, one_line
from messages.tasks import EvalMetrics


def _boom(body: str, svc: object) -> None:
    raise RuntimeError("disk on fire")


@pytest.mark.parametrize("service", ["neuron", "loss"])
def test_each_function_logs_as_itself_with_one_traceback(
    service: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", service)
    svc = InMemoryStack().container
    body = '{"run_id": "r-1"}'
    for delivery in (1, 2):
        with pytest.raises(RuntimeError):
            guarded(body, delivery, _boom, svc)
    first, second = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert first["service"] == second["service"] == service
    assert first["exception"].count("Traceback") == 1 and "stack_trace" not in first
    assert "exception" not in second and second["delivery"] == 2
    assert second["error"] == "RuntimeError: disk on fire"


def test_a_failure_is_recorded_as_one_line() -> None:
    """A run's reason is one line, whatever the error's own text (pydantic's spans several)."""
    try:
        EvalMetrics(train_cost=float("inf"), train_accuracy=2.0)
    except ValidationError as exc:
        text = one_line(exc)
    assert "\n" not in text and text.startswith("ValidationError: ")
    assert "train_cost: Input should be a finite number" in text
    assert one_line(RuntimeError("first\n  second")) == "RuntimeError: first second"
