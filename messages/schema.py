"""One JSON document bundling the schemas of the public messages (`lnn schema`)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from messages.events import Event
from messages.status import RunRecord
from messages.tasks import Task, TrainerMessage
from messages.train_request import TrainRequest

__all__ = ["json_schema"]

_BUNDLE: dict[str, Any] = {
    "TrainRequest": TrainRequest,
    "Task": Task,
    "TrainerMessage": TrainerMessage,
    "Event": Event,
    "RunRecord": RunRecord,
}


def json_schema() -> dict[str, Any]:
    """{"$schema", "title", and one validation-mode JSON Schema per public message}."""
    bundle: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Lambda Neural Network wire contract",
    }
    for name, tp in _BUNDLE.items():
        bundle[name] = TypeAdapter(tp).json_schema()
    return bundle
