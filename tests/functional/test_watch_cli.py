"""`lnn watch RUN` and `lnn report RUN` against `lnn up`: the page follows a run on a
deployed stack to its end and stays; the report is the run's; bad input is one line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from served import FAKE_AWS, REPO, Served, child_env, lnn_up
from test_cli_dead_endpoint import closed_port

from lnn.cli.main import main
from lnn.client import StackClient
from lnn.datasets import load_dataset
from lnn.prepare import prepare
from messages.train_request import TrainConfig

TIMEOUT_S = 120
CONFIG = TrainConfig(
    dataset="moons",
    layers=[{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}],
    epochs=12,
    lr=0.5,
    shards=2,
    eval_every=4,
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    """`lnn up` with the stack deployed and one run trained on it: (served, run id)."""
    tmp = tmp_path_factory.mktemp("up")
    with lnn_up(tmp) as served:
        client = served.deploy(tmp)
        data = prepare(load_dataset("moons", samples=80), [x.model_dump() for x in CONFIG.layers])
        run_id = client.start(CONFIG, data, run_id="watched").run_id
        record = client.wait(run_id, timeout=TIMEOUT_S, poll=0.5)
        assert record.status.value == "SUCCEEDED", record.reason
        yield served, run_id


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in FAKE_AWS.items():
        monkeypatch.setenv(key, value)


def _document(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + "api/document", timeout=10) as response:
        return dict(json.loads(response.read()))


def _watch(run_id: str, served: Served, *options: str) -> subprocess.Popen[str]:
    """`lnn watch RUN` on the served stack, as a process whose stderr the test reads."""
    argv = ["watch", run_id, "--endpoint-url", served.endpoint_url, "--no-browser", *options]
    return subprocess.Popen(
        [sys.executable, "-m", "lnn.cli.main", *argv],
        cwd=REPO,
        env=child_env(),
        stderr=subprocess.PIPE,
        text=True,
    )


def test_watch_serves_the_run_and_stays_after_it(stack: tuple[Served, str]) -> None:
    served, run_id = stack
    process = _watch(run_id, served)
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        assert first.startswith("lnn: watching at http://127.0.0.1:"), first
        url = first.split(" at ", 1)[1].strip()
        ended = process.stderr.readline()  # the run is over: the page stays
        assert "the run ended; the page stays at" in ended, ended
        document = _document(url)
        status = document["status"]
        assert (status["status"], status["epoch"], status["run_id"]) == ("SUCCEEDED", 12, run_id)
        assert status["steps"] == 12 and status["telemetry_steps"] == 12
        assert [layer["units"] for layer in document["network"]["layers"]] == [3, 1]
        assert document["history"]["epochs"] == list(range(1, 13))
        assert document["boundary"]["step"] == 12  # the model it ended with
        assert "neuron L1 s1" in document["timeline"]["lanes"]
        assert document["timeline"]["counts"]["completed"] > 0
        with urllib.request.urlopen(url, timeout=10) as page:
            assert b"/plotly.min.js" in page.read()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_watch_stops_following_a_stalled_run_and_says_so(
    stack: tuple[Served, str], aws_env: None
) -> None:
    """A run nobody moves on (here: a record no request started) is not followed for ever:
    the page says STALLED, stderr says why in one line, and the exit code is 1."""
    served, _ = stack
    client = StackClient.connect(endpoint_url=served.endpoint_url)
    client.ledger.start("stale-run", dataset="moons", epochs=3)
    process = _watch("stale-run", served, "--stall-after", "1")
    try:
        assert process.stderr is not None
        url = process.stderr.readline().split(" at ", 1)[1].strip()
        stalled = process.stderr.readline()
        assert stalled.startswith("lnn: run stale-run made no progress for more than 1 s"), stalled
        assert _document(url)["status"]["status"] == "STALLED"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 1
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_report_writes_the_runs_page(
    stack: tuple[Served, str], tmp_path: Path, aws_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    served, run_id = stack
    out = tmp_path / "r.html"
    assert main(["report", run_id, "--endpoint-url", served.endpoint_url, "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    html = out.read_text()
    assert f'"run_id":"{run_id}"' in html and '"status":"SUCCEEDED"' in html
    assert '"lane":"neuron L1 s1"' in html and "<script src" not in html


@pytest.mark.parametrize("command", [["watch", "--no-browser"], ["report"]], ids=str)
def test_an_unknown_run_is_one_line(
    command: list[str], stack: tuple[Served, str], aws_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    served, _ = stack
    name, *options = command
    assert main([name, "nope", "--endpoint-url", served.endpoint_url, *options]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["lnn: error: no run nope in stack lnn"]


def test_a_stack_that_is_not_there_is_one_line(
    stack: tuple[Served, str], aws_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    served, run_id = stack
    argv = ["watch", run_id, "--endpoint-url", served.endpoint_url, "--stack", "other"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "stack other is not deployed" in err[0]
    url = f"http://127.0.0.1:{closed_port()}"
    assert main(["watch", run_id, "--endpoint-url", url]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"nothing answers at {url}" in err[0]


def _train_watched(
    tmp_path: Path, engine: str, env: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """`lnn train --watch` on ``engine``: its summary line and its page's document after the
    run, before Ctrl-C ends it with the run's exit code (0) and report.html written."""
    argv = ["train", "--engine", engine, "--dataset", "moons", "--layers", "3:relu,1:sigmoid"]
    options = ["--epochs", "5", "--out", str(tmp_path / "run"), "--watch", "--no-browser"]
    process = subprocess.Popen(
        [sys.executable, "-m", "lnn.cli.main", *argv, *options, "--samples", "60", "--json"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None and process.stdout is not None
        url = process.stderr.readline().split(" at ", 1)[1].strip()
        summary = json.loads(process.stdout.readline())  # the run's line comes before the wait
        assert "the page stays" in process.stderr.readline()
        document = _document(url)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert (tmp_path / "run" / "report.html").is_file()
        return summary, document
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_train_watch_serves_the_reference_run(tmp_path: Path) -> None:
    summary, document = _train_watched(tmp_path, "reference", child_env())
    status = document["status"]
    assert (status["run_id"], status["status"]) == (summary["run_id"], "SUCCEEDED")
    assert status["epoch"] == 5 and status["engine"] == "reference"


def test_train_watch_follows_an_endpoint_run(stack: tuple[Served, str], tmp_path: Path) -> None:
    served, _ = stack
    env = {**child_env(), "AWS_ENDPOINT_URL": served.endpoint_url}
    summary, document = _train_watched(tmp_path, "endpoint", env)
    status = document["status"]
    assert (status["run_id"], status["status"]) == (summary["run_id"], "SUCCEEDED")
    assert (status["epoch"], status["steps"], status["telemetry_steps"]) == (5, 5, 5)
    assert "neuron L1 s0" in document["timeline"]["lanes"]
