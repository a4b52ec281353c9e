"""StackClient and the stack commands against a stack deployed into moto (no handlers run)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest
from moto import mock_aws
from observers import drain, events_queue

from functions.training.layout import DataLayout
from infra.stack import StackNotDeployedError, build_stack, deploy_stack, resolve_names
from lnn.cli.main import main
from lnn.client import RunStalledError, StackClient, StackClientError, StackDepthError
from lnn.prepare import PreparedData
from messages import (
    BatchedData,
    HistoryEntry,
    RunCancelled,
    TrainConfig,
    TrainRequest,
    decode_npy,
    parse_event,
    parse_trainer_message,
)
from messages.model_archive import encode_model
from messages.status import RunRecord, RunStatus

DEPTH = 2


def _bundle() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for key in ("trainer", "neuron", "loss"):
            info = zipfile.ZipInfo(f"functions/handlers/{key}.py", date_time=(2024, 1, 1, 0, 0, 0))
            zf.writestr(info, "def handler(event, context):\n    return None\n")
    return buf.getvalue()


@pytest.fixture(scope="module")
def session() -> Iterator[boto3.Session]:
    """One moto account for the module: deploying costs seconds, so tests share the stack."""
    with pytest.MonkeyPatch.context() as patch:
        for var, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            patch.setenv(var, value)
        for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            patch.delenv(var, raising=False)
        with mock_aws():
            yield boto3.Session(region_name="us-east-1")


@pytest.fixture(scope="module")
def deployed(session: boto3.Session) -> StackClient:
    spec = build_stack(resolve_names(session, max_depth=DEPTH))
    deploy_stack(spec, session=session, bundle=_bundle())
    return StackClient.connect(session=session)


@pytest.fixture
def client(deployed: StackClient) -> StackClient:
    """The shared stack, its trainer queue drained (SQS allows one PurgeQueue a minute)."""
    drain(deployed.clients.sqs, deployed.outputs.queue_urls["trainer"])
    return deployed


def _receive_all(sqs: Any, queue_url: str) -> list[str]:
    response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
    return [message["Body"] for message in response.get("Messages", [])]


def _running(client: StackClient, run_id: str) -> None:
    created, _ = client.ledger.start(run_id, dataset="flower", epochs=10)
    assert created


def _config(layers: list[dict[str, Any]]) -> TrainConfig:
    return TrainConfig(dataset="synthetic", layers=layers, epochs=3)


def test_start_uploads_the_runs_batches_and_queues_a_valid_request(client: StackClient) -> None:
    rng = np.random.default_rng(0)
    m = 300
    data = PreparedData(
        x=rng.normal(size=(2, m)).astype(np.float32),
        y=(rng.random((1, m)) > 0.5).astype(np.float64),
        x_test=rng.normal(size=(2, 10)).astype(np.float32),
        y_test=np.ones((1, 10)),
    )
    layers = [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
    config = _config(layers).model_copy(update={"batch_size": 128})
    sent = client.start(config, data, run_id="run-1")

    (body,) = _receive_all(client.clients.sqs, client.outputs.queue_urls["trainer"])
    request = parse_trainer_message(body)
    assert isinstance(request, TrainRequest)
    assert request == sent
    assert request.run_id == "run-1" and request.epochs == 3
    batched = request.data
    assert isinstance(batched, BatchedData)
    assert (batched.prefix, batched.x_dtype, batched.sizes) == (
        "runs/run-1/upload/",
        "float32",
        (300, 0, 10),
    )
    listed = client.clients.s3.list_objects_v2(Bucket=client.outputs.bucket, Prefix="runs/run-1/")
    keys = sorted(item["Key"] for item in listed["Contents"])
    assert keys == sorted(
        f"runs/run-1/upload/{split}/b{i}/{name}.npy"
        for split, count in (("train", 3), ("test", 1))
        for i in range(count)
        for name in ("x", "y")
    )

    def stored(key: str) -> np.ndarray:
        body = client.clients.s3.get_object(Bucket=client.outputs.bucket, Key=key)["Body"]
        return decode_npy(body.read())

    layout = DataLayout((300, 0, 10), 128, config.seed, 3)
    for i, columns in enumerate(layout.train_batches):  # the caller's own float32 samples
        np.testing.assert_array_equal(
            stored(f"runs/run-1/upload/train/b{i}/x.npy"), data.x[:, columns]
        )
    np.testing.assert_array_equal(stored("runs/run-1/upload/test/b0/x.npy"), data.x_test)


def test_a_network_deeper_than_the_stack_is_refused_before_upload(client: StackClient) -> None:
    data = PreparedData(x=np.zeros((2, 4)), y=np.zeros((1, 4)), x_test=None, y_test=None)
    layers = [{"units": 2, "activation": "relu"}] * DEPTH + [{"units": 1, "activation": "sigmoid"}]
    # One line naming the command that makes the stack deep enough (lnn submit says it too).
    fix = f"at most {DEPTH}; redeploy it deeper: lnn deploy --stack lnn --max-depth {DEPTH + 1}$"
    with pytest.raises(StackDepthError, match=fix):
        client.start(_config(layers), data, run_id="deep")
    assert _receive_all(client.clients.sqs, client.outputs.queue_urls["trainer"]) == []
    listing = client.clients.s3.list_objects_v2(Bucket=client.outputs.bucket, Prefix="runs/deep")
    assert "Contents" not in listing


def test_cancel_claims_a_running_run_once_and_emits_one_event(client: StackClient) -> None:
    observer = events_queue(client)
    _running(client, "run-2")

    assert client.cancel("run-2", reason="enough") is True
    assert client.cancel("run-2") is False
    assert client.cancel("no-such-run") is False

    record = client.record("run-2")
    assert record is not None
    assert (record.status, record.reason) == (RunStatus.CANCELLED, "enough")
    assert client.record("no-such-run") is None
    (body,) = _receive_all(client.clients.sqs, observer)
    event = parse_event(body)
    assert isinstance(event, RunCancelled)
    assert (event.run_id, event.reason) == ("run-2", "enough")


def test_runs_lists_records_newest_first(client: StackClient) -> None:
    _running(client, "older")
    _running(client, "newer")
    client.ledger.put_history("newer", HistoryEntry(epoch=1, cost=0.5))
    listed = [run.run_id for run in client.runs()]
    assert {"newer", "older"} <= set(listed)
    assert listed.index("newer") < listed.index("older")


def test_wait_reports_each_epoch_once_in_order_until_terminal(client: StackClient) -> None:
    ledger = client.ledger
    _running(client, "run-3")
    ledger.put_history("run-3", HistoryEntry(epoch=2, cost=0.4, train_accuracy=0.75))
    ledger.put_history("run-3", HistoryEntry(epoch=1, cost=0.6))
    seen: list[HistoryEntry] = []

    def on_epoch(entry: HistoryEntry) -> None:
        seen.append(entry)
        if entry.epoch == 2:  # the run moves on while the client polls
            ledger.put_history("run-3", HistoryEntry(epoch=3, cost=0.3))
            ledger.claim_step("run-3", 1, 0.3, epochs_done=3, message_id="m1")
            ledger.succeed("run-3", model_key="m", final_cost=0.3, accuracies={})

    record = client.wait("run-3", timeout=10, poll=0, on_epoch=on_epoch)
    assert record.status is RunStatus.SUCCEEDED
    assert [(e.epoch, e.cost) for e in seen] == [(1, 0.6), (2, 0.4), (3, 0.3)]
    assert seen[1].train_accuracy == 0.75


def test_wait_times_out_with_one_line(client: StackClient) -> None:
    _running(client, "run-4")
    with pytest.raises(TimeoutError, match=r"^run run-4 still RUNNING after 0s$"):
        client.wait("run-4", timeout=0, poll=0)


def test_download_model_fetches_the_records_model(client: StackClient, tmp_path: Path) -> None:
    _running(client, "run-5")
    with pytest.raises(StackClientError, match="no model yet"):
        client.download_model("run-5", tmp_path)
    config = {"layers": [{"units": 3, "activation": "relu"}]}
    client.store.put_bytes(
        "runs/run-5/model.npz",
        encode_model([{"W": np.ones((3, 2)), "b": np.zeros((3, 1))}], config),
    )
    client.ledger.succeed("run-5", model_key="runs/run-5/model.npz", final_cost=0.1, accuracies={})

    path = client.download_model("run-5", tmp_path)
    assert path == tmp_path / "model.npz"
    with np.load(path) as model:
        assert model["W1"].shape == (3, 2) and model["b1"].shape == (3, 1)


def test_connect_names_the_missing_stack(session: boto3.Session) -> None:
    with pytest.raises(StackNotDeployedError, match="stack ghost is not deployed at AWS"):
        StackClient.connect(stack="ghost", session=session)


def _one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("lnn: error: ")
    return err


@pytest.mark.parametrize("argv", [["status", "run-x"], ["runs"], ["cancel", "run-x"]])
def test_commands_against_an_unknown_stack_exit_2(
    session: boto3.Session, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert "stack ghost is not deployed" in _one_line_error(capsys, [*argv, "--stack", "ghost"])


@pytest.mark.parametrize("command", ["status", "cancel"])
def test_commands_about_an_unknown_run_exit_2(
    client: StackClient, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    assert "no run run-x in stack lnn" in _one_line_error(capsys, [command, "run-x"])


def test_status_runs_and_cancel_commands(
    client: StackClient, capsys: pytest.CaptureFixture[str]
) -> None:
    _running(client, "run-6")
    assert main(["status", "run-6", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert RunRecord.model_validate(shown) == client.record("run-6")
    assert shown["status"] == "RUNNING" and shown["eval_epoch"] == -1
    assert main(["cancel", "run-6"]) == 0
    assert main(["cancel", "run-6"]) == 1
    assert "is CANCELLED, not RUNNING" in capsys.readouterr().out
    assert main(["runs", "--json"]) == 0
    listed = {run["run_id"]: run for run in json.loads(capsys.readouterr().out)}
    assert listed["run-6"]["status"] == "CANCELLED"
    assert main(["runs"]) == 0
    assert "run-6" in capsys.readouterr().out


def test_submit_command_publishes_options_or_a_request_file(
    client: StackClient, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def printed() -> str:
        # The run id is the command's last line: moto, finding /.dockerenv, may print its
        # own warning first while it tries to run the queue's Lambda in Docker.
        return capsys.readouterr().out.strip().splitlines()[-1]

    argv = ["submit", "--dataset", "moons", "--samples", "40", "--layers", "3:tanh,1:sigmoid"]
    assert main([*argv, "--epochs", "7", "--run-id", "from-flags"]) == 0
    assert printed() == "from-flags"
    (body,) = _receive_all(client.clients.sqs, client.outputs.queue_urls["trainer"])
    request = parse_trainer_message(body)
    assert isinstance(request, TrainRequest)
    assert (request.dataset, request.epochs, request.n_samples) == ("moons", 7, 40)

    document = json.loads(body) | {"run_id": "from-file"}
    (tmp_path / "request.json").write_text(json.dumps(document))
    assert main(["submit", "--file", str(tmp_path / "request.json")]) == 0
    assert printed() == "from-file"
    (body,) = _receive_all(client.clients.sqs, client.outputs.queue_urls["trainer"])
    assert parse_trainer_message(body) == request.model_copy(update={"run_id": "from-file"})

    del document["run_id"]  # the CLI names the run it publishes, and prints the name
    (tmp_path / "request.json").write_text(json.dumps(document))
    assert main(["submit", "--file", str(tmp_path / "request.json")]) == 0
    drawn = printed()
    (body,) = _receive_all(client.clients.sqs, client.outputs.queue_urls["trainer"])
    assert len(drawn) == 32 and parse_trainer_message(body).run_id == drawn


def test_wait_and_follow_stop_on_a_stalled_run(
    client: StackClient, capsys: pytest.CaptureFixture[str]
) -> None:
    _running(client, "run-7")  # nothing serves it: it will never move
    with pytest.raises(RunStalledError, match="run run-7 made no progress for more than 0 s"):
        client.wait("run-7", timeout=10, poll=0, stall_after=0)
    assert main(["follow", "run-7", "--stall-after", "0", "--poll", "0"]) == 1
    assert "made no progress" in capsys.readouterr().err
    assert main(["runs", "--stall-after", "0"]) == 0
    assert "STALLED" in capsys.readouterr().out
