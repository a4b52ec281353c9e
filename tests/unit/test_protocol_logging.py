"""A failure is logged once with its traceback, under the failing function's own name."""

import json

import pytest

from functions.memory import InMemoryStack
from functions.protocol.failures import guarded


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
