"""`lnn trace`: the message timeline of a run, from `--out` and from a served stack, as a
Trace Event file; `lnn inspect` reads the same served stack."""

import json
from pathlib import Path

import pytest
from served import lnn_up

from lnn.cli.main import main
from lnn.datasets import load_dataset
from lnn.prepare import prepare
from messages.status import RunStatus
from messages.train_request import TrainConfig

LAYERS = "4:relu,1:sigmoid"


def _trace(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["trace", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_an_embedded_run_with_duplicates_leaves_a_trace_with_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "run"
    argv = ["train", "--engine", "embedded", "--dataset", "moons", "--layers", LAYERS]
    chaos = ["--chaos", "duplicate=0.4,seed=2", "--shards", "2"]
    assert main([*argv, *chaos, "--epochs", "3", "--json", "--out", str(out)]) == 0
    capsys.readouterr()
    assert (out / "spans.jsonl").exists()
    summary = _trace(capsys, str(out), "-o", str(tmp_path / "trace.json"))
    # 3 steps of forward 2 shard tasks, the output layer's one (forward, loss and backward),
    # backward 2; an evaluation after each epoch (the default for 3 epochs) of forward 2 + 1
    assert summary["claimed"] + summary["completed"] == 3 * 5 + 3 * 3
    assert summary["completed"] == 3 * 3 + 3 * 2  # one per barrier
    assert summary["duplicate"] > 0 and summary["lanes"] == 3
    trace = json.loads((tmp_path / "trace.json").read_text())
    slices = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert len(slices) == summary["spans"]
    # chaos duplicates a record as SQS does, same message id: that one publishes again
    kinds = {e["cat"] for e in slices}
    assert {"claimed", "completed", "duplicate"} <= kinds <= {*kinds, "healed"}


def test_trace_and_inspect_read_a_run_on_a_served_stack(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    layers = [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
    config = TrainConfig(dataset="moons", layers=layers, epochs=2, shards=2, lr=0.1)
    data = prepare(
        load_dataset("moons", seed=0, samples=60, noise=0.2), config.model_dump()["layers"]
    )
    with lnn_up(tmp_path) as served:
        client = served.deploy(tmp_path)
        run = client.start(config, data).run_id
        assert client.wait(run, timeout=300, poll=0.2).status is RunStatus.SUCCEEDED
        where = ["--endpoint-url", served.endpoint_url]
        summary = _trace(capsys, run, *where, "-o", str(tmp_path / "t.json"))
        assert summary["claimed"] + summary["completed"] == 2 * 5 + 2 * 3  # 2 evaluations
        assert main(["inspect", run, *where, "--json"]) == 0
        table = json.loads(capsys.readouterr().out)
        assert [row["units"] for row in table["layers"]] == [3, 1]
        assert main(["trace", "no-such-run", *where]) == 2
        assert "no-such-run" in capsys.readouterr().err


def test_bad_trace_input_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["trace", str(tmp_path)]) == 2  # a directory without spans.jsonl
    assert "spans.jsonl" in capsys.readouterr().err
    bad = tmp_path / "spans.jsonl"
    bad.write_text('{"function": "neuron"}\n')
    assert main(["trace", str(bad)]) == 2
    assert "not a spans file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "missing"),
    [
        (["inspect"], "telemetry.jsonl"),
        (["trace"], "spans.jsonl"),
        (["export", "--tensorboard", "{tmp}/tb"], "history.json, telemetry.jsonl or model.npz"),
    ],
    ids=lambda v: v[0] if isinstance(v, list) else None,
)
def test_an_empty_run_directory_is_the_same_one_line_for_every_reader(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str], missing: str
) -> None:
    """The directory is read as a run directory: no stack is asked (no AWS configuration is
    needed), and the line names the file the command reads and the command."""
    empty = tmp_path / "run"
    empty.mkdir()
    name, *options = command
    assert main([name, str(empty), *(o.format(tmp=tmp_path) for o in options)]) == 2
    err = capsys.readouterr().err
    (line,) = err.splitlines()
    assert line.startswith(
        f"lnn: error: {empty} holds no {missing}: nothing to {name} "
        f"(lnn train --out writes {'them' if ',' in missing else 'it'}"
    )
