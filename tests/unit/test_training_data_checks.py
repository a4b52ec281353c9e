"""Bad training data is refused at every door with one line naming the problem: non-finite
numbers, and targets the output layer's loss is not defined for (docs/design.md, rule 7). The
CLI exits 2 before any run exists; the trainer fails the run and dead-letters the request."""

import json
from pathlib import Path

import numpy as np
import pytest
from memory_runs import RUN, config, toy_data

from functions.memory import InMemoryStack
from functions.protocol.keys import upload_key
from functions.training.checks import TrainingDataError, check_training_data
from lnn.cli.main import main
from messages.arrays import InlineArray, S3Array
from messages.status import RunStatus
from messages.train_request import TrainingData, TrainRequest

SOFTMAX = [{"units": 4, "activation": "relu"}, {"units": 3, "activation": "softmax"}]


def _refusal(x: np.ndarray | None, y: np.ndarray | None, activation: str, **kw: str) -> str:
    with pytest.raises(TrainingDataError) as caught:
        check_training_data(x, y, activation=activation, **kw)
    reason = str(caught.value)
    assert "\n" not in reason
    return reason


def test_non_finite_features_are_counted_and_the_first_is_located() -> None:
    x, y = toy_data()
    x[1, 3] = np.nan
    assert _refusal(x, y, "sigmoid") == (
        "x holds 1 non-finite value (NaN), the first at row 1 of sample 3"
    )
    x[0, 7], x[2, 0] = np.inf, -np.inf
    assert _refusal(x, y, "sigmoid", suffix="_train") == (
        "x_train holds 3 non-finite values (-inf, NaN, inf), the first at row 2 of sample 0"
    )


def test_sigmoid_targets_must_be_0_or_1() -> None:
    x, y = toy_data()
    bad = np.where(y > 0, 4.0, -3.0)
    assert _refusal(x, bad, "sigmoid") == (
        "y holds 2 distinct values outside {0, 1}, the targets of a sigmoid output "
        "(cross-entropy): -3, 4"
    )
    many = np.arange(y.size, dtype=np.float64).reshape(y.shape) + 0.5
    assert _refusal(None, many, "sigmoid", suffix="_test").endswith(
        "0.5, 1.5, 2.5, 3.5, 4.5 and 19 more"
    )
    check_training_data(x, y, activation="sigmoid")
    check_training_data(x, y.astype(bool), activation="sigmoid")


def test_softmax_targets_must_be_one_class_per_sample() -> None:
    x, labels = toy_data(m=6)[0], np.array([0, 2, 1, 1, 0, 2])
    y = np.eye(3)[:, labels]
    check_training_data(x, y, activation="softmax")
    y[:, 2] = [0, 1, 1]  # two classes
    y[:, 4] = [0, 0, 0]  # none
    assert _refusal(x, y, "softmax") == (
        "y holds 2 samples that are not one of the 3 classes of a 3:softmax output "
        "(cross-entropy takes one-hot columns: a single 1, the rest 0): samples 2, 4"
    )


@pytest.mark.parametrize("activation", ["linear", "relu", "tanh"])
def test_mean_squared_error_outputs_take_any_finite_target(activation: str) -> None:
    x, _ = toy_data()
    check_training_data(x, np.linspace(-1e6, 1e6, x.shape[1])[None], activation=activation)
    assert _refusal(x, np.full((1, x.shape[1]), np.inf), activation).startswith(
        "y holds 24 non-finite values (inf)"
    )


def _refused_by_trainer(stack: InMemoryStack, request: TrainRequest) -> str:
    stack.bus.send_to_trainer(request)
    stack.run()
    record = stack.record(RUN)
    assert record is not None and record.status is RunStatus.FAILED, record
    assert record.step == 0 and record.model_key is None
    (dead,) = stack.dead_lettered
    assert json.loads(dead.body)["run_id"] == RUN
    assert record.reason is not None and "\n" not in record.reason
    return record.reason


def _request(x_train: InlineArray | S3Array, y: np.ndarray, **overrides: object) -> TrainRequest:
    data = TrainingData(x_train=x_train, y_train=InlineArray.from_numpy(y))
    return TrainRequest(**config(**overrides).model_dump(), run_id=RUN, data=data)


def test_the_trainer_refuses_nan_features_inline_at_once() -> None:
    x, y = toy_data()
    x[1, 3] = np.nan
    request = _request(InlineArray.from_numpy(x), y)
    assert _refused_by_trainer(InMemoryStack(), request) == (
        "x_train holds 1 non-finite value (NaN), the first at row 1 of sample 3"
    )


def test_the_trainer_refuses_targets_a_sigmoid_output_cannot_learn() -> None:
    x, y = toy_data()
    request = _request(InlineArray.from_numpy(x), np.where(y > 0, 4.0, -3.0))
    assert _refused_by_trainer(InMemoryStack(), request) == (
        "y_train holds 2 distinct values outside {0, 1}, the targets of a sigmoid output "
        "(cross-entropy): -3, 4"
    )


def test_the_trainer_checks_arrays_it_reads_from_s3() -> None:
    stack = InMemoryStack()
    x, _ = toy_data(m=6)
    y = np.eye(3)[:, [0, 1, 2, 0, 1, 2]] * 2.0  # 2 is no class
    key = upload_key(RUN, "x_train")
    stack.store.put_array(key, x)
    ref = S3Array(bucket=stack.blobs.bucket, key=key, dtype="float64", shape=x.shape)
    request = _request(ref, y, layers=SOFTMAX, holdout=0.0)
    assert _refused_by_trainer(stack, request).startswith(
        "y_train holds 6 samples that are not one of the 3 classes of a 3:softmax output"
    )


def test_lnn_submit_refuses_a_request_file_with_bad_inline_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    x, y = toy_data()
    x[0, 5] = np.inf
    request = _request(InlineArray.from_numpy(x), y)
    path = tmp_path / "request.json"
    path.write_text(request.model_dump_json())
    # No stack is named or reachable: the file is refused before any connection.
    assert main(["submit", "--file", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "lnn: error: --file: x_train holds 1 non-finite value (inf), the first at row 0 of "
        "sample 5\n"
    )


def test_lnn_train_refuses_a_nan_noise_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["train", "--engine", "reference", "--dataset", "moons", "--noise", "nan"])
    assert code == 2
    assert capsys.readouterr().err == (
        "lnn: error: moons: noise must be a finite number >= 0, got nan\n"
    )
