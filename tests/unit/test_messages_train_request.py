"""TrainRequest: the limits and cross-field rules a user's request must meet."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from messages import (
    InlineArray,
    LayerSpecModel,
    MessageError,
    TrainRequest,
    format_validation_error,
    parse_trainer_message,
)

M = 5  # samples


def _inline(a: np.ndarray) -> dict[str, Any]:
    return InlineArray.from_numpy(a).model_dump()


def _s3(shape: tuple[int, ...], dtype: str = "float64") -> dict[str, Any]:
    return {"storage": "s3", "bucket": "lnn-data", "key": "k.npy", "dtype": dtype, "shape": shape}


def _request(**overrides: Any) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    body: dict[str, Any] = {
        "run_id": "run-1",
        "dataset": "tiny",
        "data": {
            "x_train": _inline(rng.standard_normal((3, M))),
            "y_train": _inline((rng.random((1, M)) > 0.5).astype(np.float64)),
        },
        "layers": [{"units": 4, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}],
    }
    body.update(overrides)
    return body


def _rejected(body: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        TrainRequest.model_validate(body)
    return format_validation_error(info.value)


def test_defaults_and_derived_properties() -> None:
    req = TrainRequest.model_validate(_request(shards=3))
    assert req.kind == "train_request" and req.run_id == "run-1"
    assert (req.epochs, req.batch_size, req.lr, req.optimizer, req.dropout) == (
        1000,
        0,
        0.0075,
        "gd",
        1.0,
    )
    assert (req.n_features, req.n_samples, req.depth) == (3, M, 2)
    assert [req.shards_for(1), req.shards_for(2)] == [3, 1]
    with pytest.raises(IndexError):
        req.shards_for(3)


def test_round_trips_with_both_storages_and_a_test_split() -> None:
    data = {
        "x_train": _s3((3, M)),
        "y_train": _inline(np.eye(3)[:, [0, 1, 2, 0, 1]]),
        "x_test": _inline(np.zeros((3, 2), dtype=np.float32)),
        "y_test": _s3((3, 2), "uint8"),
    }
    layers = [{"units": 2, "activation": "tanh"}, {"units": 3, "activation": "softmax"}]
    req = TrainRequest.model_validate(
        _request(data=data, layers=layers, optimizer="adam", seed=2**32 - 1, holdout=0.9)
    )
    assert TrainRequest.model_validate_json(req.model_dump_json()) == req
    assert np.array_equal(req.data.y_train.to_numpy(), np.eye(3)[:, [0, 1, 2, 0, 1]])


def test_layer_spec_round_trips() -> None:
    spec = LayerSpecModel(units=7, activation="leaky_relu")
    assert LayerSpecModel.model_validate_json(spec.model_dump_json()) == spec


def _layers(*units_act: tuple[int, str]) -> list[dict[str, Any]]:
    return [{"units": u, "activation": a} for u, a in units_act]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"colour": "red"}, "colour: Extra inputs are not permitted (got 'red')"),
        ({"epochs": "many"}, "epochs: expected a number, got str 'many'"),
        ({"epochs": True}, "epochs: expected a number, got bool True"),
        ({"layers": "4:relu"}, "layers: Input should be a valid list"),
        (
            {"layers": _layers((-3, "relu"), (1, "sigmoid"))},
            "layers.0.units: Input should be greater than or equal to 1 (got -3)",
        ),
        (
            {"layers": _layers((4097, "relu"), (1, "sigmoid"))},
            "layers.0.units: Input should be less than or equal to 4096 (got 4097)",
        ),
        (
            {"layers": _layers(*[(2, "relu")] * 32, (1, "sigmoid"))},
            "layers: List should have at most 32 items",
        ),
        ({"layers": []}, "layers: List should have at least 1 item"),
        ({"layers": _layers((2, "swish"), (1, "sigmoid"))}, "layers.0.activation: Input should be"),
        ({"epochs": 100_001}, "epochs: Input should be less than or equal to 100000"),
        ({"epochs": -1}, "epochs: Input should be greater than or equal to 0 (got -1)"),
        ({"shards": 0}, "shards: Input should be greater than or equal to 1 (got 0)"),
        ({"shards": 257}, "shards: Input should be less than or equal to 256 (got 257)"),
        ({"batch_size": 10_000_001}, "batch_size: Input should be less than or equal to 10000000"),
        ({"seed": 2**32}, "seed: Input should be less than or equal to 4294967295"),
        ({"lr": 0}, "lr: Input should be greater than 0"),
        ({"lr": float("nan")}, "lr: Input should be a finite number (got nan)"),
        ({"l2": float("inf")}, "l2: Input should be a finite number (got inf)"),
        ({"beta1": 1.0}, "beta1: Input should be less than 1"),
        ({"dropout": 0.0}, "dropout: Input should be greater than 0"),
        ({"holdout": 0.95}, "holdout: Input should be less than or equal to 0.9"),
        ({"run_id": "has space"}, "run_id: String should match pattern"),
        ({"dataset": ""}, "dataset: String should have at least 1 character"),
        (
            {"layers": _layers((4, "relu"), (2, "sigmoid"))},
            "output layer has 2 units but y_train has 1 rows (n_outputs)",
        ),
        (
            {"layers": _layers((4, "softmax"), (1, "sigmoid"))},
            "layers.0: softmax is only allowed in the output layer",
        ),
        ({"layers": _layers((1, "softmax"))}, "a softmax output needs at least 2 units, got 1"),
    ],
)
def test_bad_requests_are_rejected_readably(overrides: dict[str, Any], expected: str) -> None:
    assert expected in _rejected(_request(**overrides))


def test_multi_label_sigmoid_output_is_allowed() -> None:
    data = {"x_train": _s3((3, M)), "y_train": _s3((4, M))}
    req = TrainRequest.model_validate(_request(data=data, layers=_layers((4, "sigmoid"))))
    assert req.layers[-1].units == 4


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"x_train": _s3((1000, 50_001)), "y_train": _s3((1, 50_001))},
            "x_train has 1000 features x 50001 samples = 50001000 values, "
            "over the limit of 50000000",
        ),
        (
            {"x_train": _s3((3, M)), "y_train": _s3((1, M + 1))},
            "x_train has 5 samples (columns) but y_train has 6",
        ),
        ({"x_train": _s3((3, 0)), "y_train": _s3((1, 0))}, "x_train has no samples"),
        (
            {"x_train": _s3((15,)), "y_train": _s3((1, M))},
            "x_train must be 2-D (rows, samples), got shape (15,)",
        ),
        (
            {"x_train": _s3((3, M), "uint8"), "y_train": _s3((1, M))},
            "x_train must be float64 or float32, got uint8",
        ),
        (
            {"x_train": _s3((3, M)), "y_train": _s3((1, M)), "x_test": _s3((3, 2))},
            "x_test and y_test must be given together or not at all",
        ),
        (
            {
                "x_train": _s3((3, M)),
                "y_train": _s3((1, M)),
                "x_test": _s3((4, 2)),
                "y_test": _s3((1, 2)),
            },
            "x_test has 4 features but x_train has 3",
        ),
        (
            {
                "x_train": _s3((3, M)),
                "y_train": _s3((1, M)),
                "x_test": _s3((3, 2)),
                "y_test": _s3((2, 2)),
            },
            "y_test has 2 outputs but y_train has 1",
        ),
    ],
)
def test_bad_data_shapes_are_rejected_readably(data: dict[str, Any], expected: str) -> None:
    # The whole-arrays form of the data (the other is the run's stored batches).
    assert f"data.arrays: {expected}" in _rejected(_request(data=data))


def test_a_request_must_name_its_run() -> None:
    body = _request()
    del body["run_id"]
    assert _rejected(body) == "run_id: Field required"


def test_bare_train_request_json_parses_as_a_train_request() -> None:
    body = _request(run_id="user-run_1")
    assert "kind" not in body
    parsed = parse_trainer_message(json.dumps(body))
    assert isinstance(parsed, TrainRequest) and parsed.run_id == "user-run_1"
    assert parse_trainer_message(parsed.model_dump_json()) == parsed


def test_invalid_trainer_message_names_the_field() -> None:
    body = _request(layers=_layers((0, "relu"), (1, "sigmoid")))
    with pytest.raises(MessageError) as info:
        parse_trainer_message(json.dumps(body).encode())
    assert str(info.value) == (
        "invalid trainer message: train_request.layers.0.units: "
        "Input should be greater than or equal to 1 (got 0)"
    )
    assert isinstance(info.value.__cause__, ValidationError)
