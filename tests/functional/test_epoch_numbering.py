"""One run, its epochs numbered from 1 on every surface a person reads them: history.json,
the page (report.html: the status, the curves, the timeline's labels and its panel), `lnn
trace`, `lnn inspect` and TensorBoard. The run (embedded, 3 epochs of 2 batches, evaluated
after each) has steps 1-6, so a surface that showed steps, or epochs from 0, would differ."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from board_events import read_log, scalars

from lnn.cli.main import main
from lnn.tensorboard import tags

EPOCHS = [1, 2, 3]
TRAIN = [
    "train",
    "--engine",
    "embedded",
    "--dataset",
    "moons",
    "--layers",
    "4:relu,1:sigmoid",
    "--shards",
    "2",
    "--epochs",
    "3",
    "--batch-size",
    "150",  # moons' 300 samples: 2 batches an epoch
    "--eval-every",
    "1",
    "--json",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("epochs")
    out = base / "run"
    assert main([*TRAIN, "--out", str(out), "--tensorboard", str(base / "board")]) == 0
    return out


def _last_json(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _page_document(run: Path) -> dict[str, Any]:
    html = (run / "report.html").read_text()
    start = html.index("window.LNN_DOCUMENT = ") + len("window.LNN_DOCUMENT = ")
    return json.loads(html[start : html.index(";</script>", start)])


def _label_epochs(labels: list[str]) -> list[int]:
    return [int(m) for label in labels for m in re.findall(r"\be(\d+)\b", label)]


def test_history_json_counts_epochs_from_1(run: Path) -> None:
    history = json.loads((run / "history.json").read_text())
    assert [entry["epoch"] for entry in history] == EPOCHS


def test_the_page_counts_epochs_from_1(run: Path) -> None:
    document = _page_document(run)
    assert (document["status"]["epoch"], document["status"]["epochs"]) == (3, 3)
    assert document["history"]["epochs"] == EPOCHS
    assert document["network"]["epoch"] == 3  # the last epoch recorded
    timeline = document["timeline"]
    assert timeline["steps"] == ["train e3 b0", "train e3 b1", "eval e3 b0"]
    for bar in timeline["bars"]:
        assert _label_epochs([bar["label"]]) == [bar["details"]["epoch"]]
        assert bar["details"]["epoch"] == 3 and bar["details"]["epochs"] == 3
    steps = {bar["details"]["step"] for bar in timeline["bars"]}
    assert steps == {5, 6, None}  # the last epoch's two steps; an evaluation has none


def test_lnn_trace_counts_epochs_from_1(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", str(run), "-o", str(tmp_path / "trace.json"), "--json"]) == 0
    capsys.readouterr()
    trace = json.loads((tmp_path / "trace.json").read_text())
    slices = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert sorted({e["args"]["epoch"] for e in slices}) == EPOCHS
    for e in slices:
        assert _label_epochs([e["name"]]) == [e["args"]["epoch"]]


def test_lnn_inspect_counts_epochs_from_1(run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(run), "--json"]) == 0
    assert _last_json(capsys)["epoch"] == 3
    for epoch in EPOCHS:
        assert main(["inspect", str(run), "--epoch", str(epoch), "--json"]) == 0
        shown = _last_json(capsys)
        # epoch e holds steps 2e - 1 and 2e
        assert (shown["epoch"], shown["steps"]) == (epoch, [2 * epoch - 1, 2 * epoch])
    assert main(["inspect", str(run), "--epoch", "1"]) == 0
    assert ": epoch 1, 2 telemetry step(s)" in capsys.readouterr().out
    assert main(["inspect", str(run), "--epoch", "4"]) == 2  # past the last: no epoch 4


def test_tensorboard_counts_epochs_from_1(run: Path) -> None:
    (board,) = (run.parent / "board").iterdir()
    log = read_log(board / tags.TRAIN)  # the cost and the learning rate are the train run's
    assert sorted(scalars(log, tags.COST)) == EPOCHS
    assert sorted(scalars(log, tags.LEARNING_RATE)) == EPOCHS
