"""No client waits for ever (docs/design.md, rule 9): a run that never gets a record, an API that is
frozen and an API that is gone all end the wait after about the stall limit, with one line
on stderr and exit 1; a run the wait gave up on reports the epochs it had done."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from served import REPO, child_env, lnn_up, tiny_bundle

from infra.stack import build_stack, deploy_stack, resolve_names
from lnn.cli.main import main
from lnn.client import RunStalledError, StackClient
from lnn.engines.results import stalled
from messages.status import STALL_AFTER_S, HistoryEntry, RunRecord, RunStatus

# Generous upper bounds that only prove "does not hang": the waits under test are seconds
# (the stall limits below) plus the user-side clients' bound on one call (3 attempts of 10 s).
ENDS_WITHIN_S = 150
RUN_STARTS_WITHIN_S = 120
XOR = ["--dataset", "xor", "--layers", "2:tanh,1:sigmoid"]


@pytest.fixture(scope="module")
def unserved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackClient]:
    """A stack deployed into moto that nobody serves: its requests stay in the trainer queue."""
    with pytest.MonkeyPatch.context() as patch:
        for var, value in child_env().items():
            if var.startswith("AWS_"):
                patch.setenv(var, value)
        for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            patch.delenv(var, raising=False)
        with mock_aws():
            session = boto3.Session(region_name="us-east-1")
            spec = build_stack(resolve_names(session, max_depth=2))
            bundle = tiny_bundle(tmp_path_factory.mktemp("bundle") / "bundle.zip")
            deploy_stack(spec, session=session, bundle=bundle.read_bytes())
            yield StackClient.connect(session=session)


def _stderr_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


def test_a_request_nobody_serves_ends_within_the_stall_limit(
    unserved: StackClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    argv = ["train", "--engine", "endpoint", *XOR, "--epochs", "3", "--stall-after", "3"]
    assert main([*argv, "--json", "--out", str(tmp_path / "run")]) == 1
    assert time.monotonic() - started < ENDS_WITHIN_S
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["status"] == "STALLED" and line["epochs"] == 0
    assert line["reason"].startswith(f"run {line['run_id']} never started: no record after 3 s")
    assert "is the stack served" in line["reason"]

    # `lnn submit --wait` follows the same way: the reason on one stderr line, then --json.
    assert main(["submit", *XOR, "--wait", "--stall-after", "2", "--json", "--poll", "0.2"]) == 1
    captured = capsys.readouterr()
    (err,) = _stderr_lines(captured.err)
    assert "never started: no record after 2 s" in err
    assert json.loads(captured.out.strip().splitlines()[-1])["status"] == "STALLED"


def test_the_default_stall_limit_outlasts_the_deployed_visibility_timeout(
    unserved: StackClient,
) -> None:
    """A worker that dies holding a message gives it back after the visibility timeout: until
    then the run only looks stuck, so the default limit must not call it stalled earlier."""
    sqs = unserved.clients.sqs
    for key, url in unserved.outputs.queue_urls.items():
        if key.endswith("-dlq"):
            continue  # a dead letter is read by its consumer, not waited for by a run
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
        assert int(attributes["Attributes"]["VisibilityTimeout"]) < STALL_AFTER_S, key


def test_a_stalled_run_reports_the_epochs_its_record_says_were_done(
    unserved: StackClient, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id, long_ago = "stalled-at-150", datetime.now(UTC) - timedelta(hours=1)
    record = RunRecord(
        run_id=run_id,
        status=RunStatus.RUNNING,
        dataset="cat",
        epochs=2500,
        epoch=150,
        step=150,
        created_at=long_ago,
        updated_at=long_ago,
        progress_at=long_ago,
    )
    assert unserved.ledger._insert(record.stored())[0]
    for epoch in range(1, 151):
        unserved.ledger.put_history(run_id, HistoryEntry(epoch=epoch, cost=1.0 / epoch))

    assert main(["follow", run_id, "--stall-after", "60", "--json", "--poll", "0"]) == 1
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (line["status"], line["epochs"]) == ("STALLED", 150)
    assert "made no progress for more than 60 s" in line["reason"]

    # What `lnn train --engine endpoint` reports when its wait stops on that record.
    gave_up = RunStalledError(record.stalled_reason(60), record)
    result = stalled(unserved, run_id, gave_up, {})
    assert [entry.epoch for entry in result.history] == list(range(1, 151))


# --- an `lnn up` that stops answering ------------------------------------------------------


def _lnn(*argv: str, endpoint: str, cwd: Path) -> subprocess.Popen[str]:
    env = {**child_env(), "AWS_ENDPOINT_URL": endpoint}
    return subprocess.Popen(
        [sys.executable, "-m", "lnn.cli.main", *argv],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _ended(process: subprocess.Popen[str], since: float) -> tuple[int, str, str, float]:
    """Exit code, stdout, stderr and how long after ``since`` it ended, within ENDS_WITHIN_S."""
    try:
        out, err = process.communicate(timeout=ENDS_WITHIN_S)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"still waiting after {ENDS_WITHIN_S} s:\n{err[-3000:]}") from None
    return process.returncode, out, err, time.monotonic() - since


def _running_run(client: StackClient, train: subprocess.Popen[str]) -> RunRecord:
    """The run `train` submitted, once the stack has it moving (a record, an epoch done)."""
    deadline = time.monotonic() + RUN_STARTS_WITHIN_S
    while time.monotonic() < deadline:
        assert train.poll() is None, train.communicate()[1]
        runs = client.runs()
        if runs and runs[0].epoch >= 1:
            return runs[0]
        time.sleep(0.5)
    raise AssertionError(f"no run made an epoch within {RUN_STARTS_WITHIN_S} s")


def _train_forever(endpoint: str, tmp_path: Path) -> subprocess.Popen[str]:
    argv = ["train", "--engine", "endpoint", *XOR, "--epochs", "100000", "--stall-after", "5"]
    return _lnn(*argv, "--json", "--out", str(tmp_path / "out"), endpoint=endpoint, cwd=tmp_path)


def _one_line_exit_1(ended: tuple[int, str, str, float], *words: str) -> None:
    code, _, err, _ = ended
    assert "Traceback" not in err, err
    lines = _stderr_lines(err)
    assert len(lines) == 1, err
    assert code == 1, err
    assert lines[0].startswith("lnn: "), err
    for word in words:
        assert word in lines[0], err


def test_a_frozen_api_ends_train_and_status_with_one_line(tmp_path: Path) -> None:
    with lnn_up(tmp_path) as served:
        client = served.deploy(tmp_path)
        train = _train_forever(served.endpoint_url, tmp_path)
        try:
            run = _running_run(client, train)
            served.process.send_signal(signal.SIGSTOP)  # the API accepts, but never answers
            stopped = time.monotonic()
            status = _lnn("status", run.run_id, endpoint=served.endpoint_url, cwd=tmp_path)
            trained, shown = _ended(train, stopped), _ended(status, stopped)
        finally:
            served.process.send_signal(signal.SIGCONT)
            if train.poll() is None:
                train.kill()
                train.communicate()
        _one_line_exit_1(trained, "has not answered", "Read timeout", f"lnn status {run.run_id}")
        _one_line_exit_1(shown, "did not answer", "Read timeout")
        for name, ended in (("train", trained), ("status", shown)):
            print(f"frozen API: {name} ended after {ended[3]:.1f} s: {ended[2].strip()}")


def test_a_terminated_api_ends_train_with_one_line(tmp_path: Path) -> None:
    with lnn_up(tmp_path) as served:
        client = served.deploy(tmp_path)
        train = _train_forever(served.endpoint_url, tmp_path)
        try:
            _running_run(client, train)
            served.process.terminate()
            stopped = time.monotonic()
            served.process.wait(timeout=ENDS_WITHIN_S)
            trained = _ended(train, stopped)
        finally:
            if train.poll() is None:
                train.kill()
                train.communicate()
    _one_line_exit_1(trained, "has not answered", "Could not connect to the endpoint URL")
    print(f"terminated API: train ended after {trained[3]:.1f} s: {trained[2].strip()}")


def test_json_keeps_its_last_line_when_the_api_is_gone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An API that stopped answering still leaves one JSON object as the last stdout line."""
    from botocore.exceptions import EndpointConnectionError

    from lnn.cli import status as status_cli

    def gone(args: object) -> int:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")

    monkeypatch.setattr(status_cli, "cmd_status", gone)
    assert main(["status", "some-run", "--json"]) == 1
    captured = capsys.readouterr()
    last = json.loads(captured.out.strip().splitlines()[-1])
    assert (last["status"], last["run_id"]) == ("UNREACHABLE", None)
    assert len(captured.err.strip().splitlines()) == 1
