"""The bundled JSON Schema and the package's public surface."""

from __future__ import annotations

import json

import messages
from messages import json_schema


def test_schema_bundles_every_public_message() -> None:
    schema = json_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["title"]
    assert {"TrainRequest", "Task", "TrainerMessage", "Event", "RunRecord"} <= schema.keys()
    json.dumps(schema)  # must be plain JSON for `lnn schema`


def test_schema_carries_limits_and_discriminators() -> None:
    schema = json_schema()
    train = schema["TrainRequest"]
    assert train["properties"]["layers"]["maxItems"] == 32
    assert train["additionalProperties"] is False
    assert "kind" not in train["required"]  # bare TrainRequest JSON is valid
    kinds = set(schema["Task"]["discriminator"]["mapping"])
    assert kinds == {"forward", "loss", "backward", "step_done", "eval_done"}
    events = set(schema["Event"]["discriminator"]["mapping"])
    assert "run_succeeded" in events and "run_cancelled" in events


def test_public_names_are_importable() -> None:
    missing = [name for name in messages.__all__ if not hasattr(messages, name)]
    assert missing == []
