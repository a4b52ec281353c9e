"""`lnn schema` prints the wire contract as JSON Schema."""

import json

import pytest

from lnn.cli.main import main


def test_schema_is_json_describing_the_train_request(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    request = schema["TrainRequest"]
    assert {"run_id", "layers", "data", "epochs", "lr"} <= set(request["properties"])
    assert "TrainRequest" in json.dumps(schema)


def test_indent_option_changes_only_the_layout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--indent", "0"]) == 0
    compact = capsys.readouterr().out
    assert main(["schema"]) == 0
    assert json.loads(compact) == json.loads(capsys.readouterr().out)
