"""`lnn deploy --timeout/--memory`: one value for every function or FUNCTION=VALUE for some;
a size Lambda would refuse is one line and exit 2, before anything is deployed."""

import pytest

from lnn.cli.main import main


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--timeout", "0"], "deploy: timeout 0 s is outside Lambda's 1..900"),
        (["--timeout", "trainer=901"], "deploy: timeout 901 s is outside Lambda's 1..900"),
        (["--memory", "64"], "deploy: memory 64 MB is outside Lambda's 128..10240"),
        (["--memory", "neuron=20000"], "deploy: memory 20000 MB is outside Lambda's 128..10240"),
        (
            ["--timeout", "worker=30"],
            "deploy: argument --timeout: no function 'worker': one of trainer, neuron, loss, "
            "deadletters",
        ),
        (
            ["--memory", "neuron=lots"],
            "deploy: argument --memory: 'neuron=lots' is not N or FUNCTION=N (MB)",
        ),
    ],
)
def test_a_size_lambda_would_refuse_is_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    assert main(["deploy", *args]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"lnn: error: {expected}"]
    assert captured.out == ""
