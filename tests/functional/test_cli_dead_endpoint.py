"""An endpoint where nothing listens is bad input: one line, exit 2, no 20 s of retries."""

import socket

import pytest

from lnn.cli.main import main


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "argv",
    [["status", "some-run"], ["deploy"], ["runs"]],
    ids=["status", "deploy", "runs"],
)
def test_dead_endpoint_is_a_one_line_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    assert main([*argv, "--endpoint-url", url]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"nothing answers at {url}" in err[0]


def test_endpoint_engine_checks_aws_endpoint_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port()}")
    argv = ["train", "--engine", "endpoint", "--dataset", "xor", "--layers", "1:sigmoid"]
    assert main(argv) == 2
    assert "nothing answers at" in capsys.readouterr().err


def test_an_endpoint_that_is_not_a_url_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "some-run", "--endpoint-url", "localhost-4566"]) == 2
    assert "is not a URL" in capsys.readouterr().err
