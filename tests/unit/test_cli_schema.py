"""`lnn schema [NAME]` prints the wire contract as JSON Schema draft 2020-12 documents."""

import json

import jsonschema
import pytest

from lnn.cli.main import main
from messages import LayerSpecModel, S3Array, TrainingData, TrainRequest
from messages.schema import MESSAGES, message_schema


def test_schema_maps_every_message_to_its_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    documents = json.loads(capsys.readouterr().out)
    assert list(documents) == list(MESSAGES)
    for name, document in documents.items():
        jsonschema.Draft202012Validator.check_schema(document)
        assert document["$id"].endswith(f":{name}")
    request = documents["TrainRequest"]
    assert {"run_id", "layers", "data", "epochs", "lr"} <= set(request["properties"])


def test_name_prints_that_document_alone(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "ForwardTask"]) == 0
    assert json.loads(capsys.readouterr().out) == message_schema("ForwardTask")


def test_unknown_name_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "Forward"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "invalid choice: 'Forward'" in captured.err


def test_indent_option_changes_only_the_layout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--indent", "0"]) == 0
    compact = capsys.readouterr().out
    assert main(["schema"]) == 0
    assert json.loads(compact) == json.loads(capsys.readouterr().out)


def test_the_request_document_describes_batch_norm(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "TrainRequest"]) == 0
    request = json.loads(capsys.readouterr().out)
    properties = request["properties"]
    assert (properties["bn_momentum"]["default"], properties["bn_epsilon"]["default"]) == (
        0.1,
        1e-5,
    )
    for name in ("bn_momentum", "bn_epsilon"):
        assert (properties[name]["exclusiveMinimum"], properties[name]["maximum"]) == (0.0, 1.0)
    batch_norm = request["$defs"]["LayerSpecModel"]["properties"]["batch_norm"]
    assert (batch_norm["type"], batch_norm["default"]) == ("boolean", False)
    assert "batch_norm only in hidden layers" in request["description"]
    layers = [LayerSpecModel(units=8, activation="relu", batch_norm=True)]
    layers.append(LayerSpecModel(units=1, activation="sigmoid"))
    arrays = {
        name: S3Array(bucket="lnn-data", key=f"{name}.npy", dtype="float64", shape=(rows, 4))
        for name, rows in (("x_train", 2), ("y_train", 1))
    }
    body = TrainRequest(run_id="r-1", dataset="d", layers=layers, data=TrainingData(**arrays))
    validator = jsonschema.Draft202012Validator(request)
    assert validator.is_valid(body.model_dump(mode="json"))
    assert not validator.is_valid(body.model_dump(mode="json") | {"bn_momentum": 0})
