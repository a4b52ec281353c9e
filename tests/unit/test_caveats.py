"""Options a run takes but that may not mean what a learner thinks: each is named in one
warning line before the run, and the run still goes ahead."""

from pathlib import Path
from typing import Any

import pytest

from lnn.caveats import caveats
from lnn.cli.main import main
from lnn.layer_text import parse_layers
from messages.train_request import TrainConfig


def _config(layers: str, **options: Any) -> TrainConfig:
    return TrainConfig(dataset="toy", layers=parse_layers(layers), **options)


def test_a_sensible_request_has_no_caveat() -> None:
    config = _config("4:relu,1:sigmoid", batch_size=32, shards=2, epochs=10)
    assert caveats(config, n_samples=300, n_classes=2) == []
    assert caveats(_config("8:tanh,1:linear"), n_samples=100, n_classes=0) == []
    normalized = _config("4:relu:bn,1:sigmoid", batch_size=2)  # a last batch of 1 is fine
    assert caveats(normalized, n_samples=301, n_classes=2) == []


@pytest.mark.parametrize(
    ("layers", "options", "n_classes", "expected"),
    [
        ("4:relu,1:relu", {}, 2, "the output layer 1:relu trains with mean squared error"),
        ("4:relu,3:softmax", {}, 2, "3 softmax units for 2 classes: unit 2 is never a target"),
        ("4:relu,1:sigmoid", {"shards": 50}, 2, "--shards 50: no layer has that many units"),
        ("4:relu,1:sigmoid", {"batch_size": 100000}, 2, "every step is a full batch"),
        ("4:relu,1:sigmoid", {"epochs": 0}, 2, "--epochs 0 trains nothing"),
        ("4:relu,3:tanh:bn,1:sigmoid", {"batch_size": 1}, 2, "batch norm (layer 2): a batch of"),
    ],
)
def test_each_silently_accepted_case_is_named(
    layers: str, options: dict[str, Any], n_classes: int, expected: str
) -> None:
    (found,) = caveats(_config(layers, **options), n_samples=300, n_classes=n_classes)
    assert expected in found


def test_lnn_train_warns_on_stderr_and_still_trains(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["train", "--engine", "reference", "--dataset", "moons", "--layers", "4:relu,1:relu"]
    code = main([*argv, "--epochs", "2", "--shards", "8", "--out", str(tmp_path), "--json"])
    err = capsys.readouterr().err.splitlines()
    warnings = [line for line in err if line.startswith("lnn: warning: ")]
    assert code == 0 and len(warnings) == 2
    assert "mean squared error" in warnings[0] and "--shards 8" in warnings[1]
