"""`lnn schema [NAME]` prints the wire contract as JSON Schema draft 2020-12 documents."""

import json

import jsonschema
import pytest

from lnn.cli.main import main
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
