"""The JSON Schema documents: standard draft 2020-12, and as strict as the server where they can be.

Every rejection case is checked twice: pydantic (the server) and jsonschema (a producer
using only the published schema) must both refuse it, starting from a body both accept.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Self

import jsonschema
import numpy as np
import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError, model_validator

import messages
from messages import (
    BackwardTask,
    CancelRun,
    EpochCompleted,
    ForwardTask,
    FrozenModel,
    HistoryEntry,
    InlineArray,
    LayerSpecModel,
    LossTask,
    RequestRefused,
    RunAccepted,
    RunCancelled,
    RunFailed,
    RunRecord,
    RunStatus,
    RunSucceeded,
    S3Array,
    TrainingData,
    TrainRequest,
    json_schema,
)
from messages.limits import MAX_INLINE_ARRAY_BYTES, MAX_LAYERS, MAX_UNITS
from messages.schema import DIALECT, MESSAGES, _server_only, message_schema, schema_id

DOCUMENTS = json_schema()
TOKEN = "a-cancel-token-of-the-publisher"
AT = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
HEADER: dict[str, Any] = {"run_id": "run-1", "epoch": 2, "batch": 1, "step": 9, "phase": "train"}
INLINE = InlineArray.from_numpy(np.arange(6, dtype=np.float64).reshape(2, 3))
S3 = S3Array(bucket="lnn-runs", key="runs/run-1/l1/s0.npy", dtype="float64", shape=(2, 3))
LAYERS = [LayerSpecModel(units=4, activation="relu"), LayerSpecModel(units=1, activation="sigmoid")]
CONFUSION = [[2, 1], [0, 1]]
REQUEST = TrainRequest(
    run_id="run-1",
    dataset="tiny",
    layers=LAYERS,
    beta1=0.5,
    data=TrainingData(
        x_train=InlineArray.from_numpy(np.ones((3, 5))),
        y_train=InlineArray.from_numpy(np.ones((1, 5))),
        x_test=S3Array(bucket="lnn-data", key="x.npy", dtype="float32", shape=(3, 2)),
        y_test=S3Array(bucket="lnn-data", key="y.npy", dtype="float64", shape=(1, 2)),
    ),
)
RECORD = RunRecord(
    run_id="run-1",
    status=RunStatus.RUNNING,
    dataset="cat",
    epochs=10,
    epoch=3,
    created_at=AT,
    updated_at=AT,
    dev_accuracy=0.5,
)

# One real message of every kind, and the union documents that must accept it too.
SAMPLES: list[tuple[BaseModel, tuple[str, ...]]] = [
    (REQUEST, ("TrainerMessage",)),
    (ForwardTask(**HEADER, layer=1, shard=0), ("Task",)),
    (ForwardTask(**HEADER, layer=2, shard=3, inputs=INLINE, weight_sq_sum=1.5), ("Task",)),
    (LossTask(**HEADER, outputs=S3), ("Task",)),
    (
        BackwardTask(**HEADER, layer=2, shard=1, grad=INLINE, grad_kind="dz", batch_cost=0.7),
        ("Task",),
    ),
    (CancelRun(run_id="run-1", token=TOKEN), ("TrainerMessage",)),
    (RunAccepted(run_id="run-1", dataset="moons", layers=LAYERS, epochs=10, at=AT), ("Event",)),
    (EpochCompleted(run_id="run-1", epoch=3, cost=0.4, train_accuracy=0.9, at=AT), ("Event",)),
    (
        RunSucceeded(run_id="run-1", model_key="m.npz", final_cost=0.1, epochs=10, at=AT),
        ("Event",),
    ),
    (RunFailed(run_id="run-1", reason="boom", at=AT), ("Event",)),
    (RunCancelled(run_id="run-1", reason="asked", at=AT), ("Event",)),
    (RequestRefused(run_id="run-1", reason="in use", message_id="m-1", at=AT), ("Event",)),
    (RECORD, ()),
    (HistoryEntry(epoch=3, cost=0.4, test_accuracy=0.0), ()),
    (HistoryEntry(epoch=3, cost=0.4, train_accuracy=0.75, train_confusion=CONFUSION), ()),
]


def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(DOCUMENTS[name])


def _subschemas(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _subschemas(value)
    elif isinstance(node, list):
        for item in node:
            yield from _subschemas(item)


@pytest.mark.parametrize("name", list(MESSAGES))
def test_every_document_is_standard_json_schema(name: str) -> None:
    document = DOCUMENTS[name]
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["$schema"] == DIALECT
    assert document["$id"] == schema_id(name)
    assert document == message_schema(name)
    json.dumps(document)  # plain JSON for `lnn schema`


def test_document_ids_are_distinct() -> None:
    ids = [document["$id"] for document in DOCUMENTS.values()]
    assert len(set(ids)) == len(ids)


def test_constraints_use_json_schema_keywords_not_pydantic_names() -> None:
    # check_schema cannot catch these: 2020-12 ignores unknown keywords, so "ge": 0
    # would silently let a negative shape through.
    pydantic_names = {"ge", "gt", "le", "lt", "multiple_of", "min_length", "max_length"}
    leaks = [
        (name, sorted(pydantic_names & node.keys()))
        for name, document in DOCUMENTS.items()
        for node in _subschemas(document)
        if isinstance(node.get("type"), str) and pydantic_names & node.keys()
    ]
    assert leaks == []
    train = DOCUMENTS["TrainRequest"]["properties"]
    assert train["beta1"]["minimum"] == 0.0 and train["beta1"]["exclusiveMaximum"] == 1.0
    assert train["layers"]["maxItems"] == MAX_LAYERS


def test_every_message_kind_has_a_document() -> None:
    public = [getattr(messages, name) for name in messages.__all__]
    tagged = {
        tp.__name__
        for tp in public
        if isinstance(tp, type)
        and issubclass(tp, BaseModel)
        and {"kind", "event"} & tp.model_fields.keys()
    }
    assert (
        tagged | {"RunRecord", "HistoryEntry", "Task", "TrainerMessage", "Event"} <= MESSAGES.keys()
    )


@pytest.mark.parametrize("name", list(MESSAGES))
def test_every_object_is_closed_like_its_model(name: str) -> None:
    objects = [node for node in _subschemas(DOCUMENTS[name]) if node.get("type") == "object"]
    assert objects
    assert all(node.get("additionalProperties") is False for node in objects)
    for model in (MESSAGES[name], *_defined_models(DOCUMENTS[name])):
        if isinstance(model, type):
            assert model.model_config.get("extra") == "forbid", model


def _defined_models(document: dict[str, Any]) -> list[type[BaseModel]]:
    defined = [getattr(messages, def_name) for def_name in document.get("$defs", {})]
    return [tp for tp in defined if isinstance(tp, type) and issubclass(tp, BaseModel)]


@pytest.mark.parametrize(("message", "unions"), SAMPLES, ids=[type(m).__name__ for m, _ in SAMPLES])
def test_real_messages_validate(message: BaseModel, unions: tuple[str, ...]) -> None:
    body = message.model_dump(mode="json")
    for name in (type(message).__name__, *unions):
        _validator(name).validate(body)


def test_bare_train_request_json_is_a_trainer_message() -> None:
    body = REQUEST.model_dump(mode="json", exclude={"kind"})
    _validator("TrainerMessage").validate(body)
    assert isinstance(messages.parse_trainer_message(json.dumps(body)), TrainRequest)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation setting `path` ("data.x_train.shape"; numbers index lists) to `value`."""

    def apply(body: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = body
        for part in parents:
            node = node[part]
        node[last] = value

    return apply


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda body: body.pop(key)


def _body(sample: str) -> dict[str, Any]:
    bodies = {
        "TrainRequest": REQUEST,
        "ForwardTask": ForwardTask(**HEADER, layer=2, shard=0, inputs=S3),
        "LossTask": LossTask(**HEADER, outputs=S3),
        "CancelRun": CancelRun(run_id="run-1", token=TOKEN),
        "EpochCompleted": EpochCompleted(run_id="run-1", epoch=3, cost=0.4, at=AT),
        "RunRecord": RECORD,
        "HistoryEntry": HistoryEntry(epoch=3, cost=0.4, train_confusion=CONFUSION),
    }
    return copy.deepcopy(bodies[sample].model_dump(mode="json"))


TOO_LONG_BASE64 = "A" * (4 * -(-MAX_INLINE_ARRAY_BYTES // 3) + 4)

REJECTED: list[tuple[str, str, str, Callable[[dict[str, Any]], None]]] = [
    # (case id, document, sample body, mutation)
    ("negative shape", "LossTask", "LossTask", _set("outputs.shape", [-2, 400])),
    ("negative inline shape", "TrainRequest", "TrainRequest", _set("data.x_train.shape.0", -3)),
    ("too many dims", "LossTask", "LossTask", _set("outputs.shape", [1, 1, 1, 1, 2])),
    ("shape not integers", "LossTask", "LossTask", _set("outputs.shape", [2.5, 3])),
    ("dtype not allowed", "LossTask", "LossTask", _set("outputs.dtype", "complex128")),
    ("unknown field", "TrainRequest", "TrainRequest", _set("learning_rate", 0.1)),
    ("unknown nested field", "TrainRequest", "TrainRequest", _set("data.x_train.note", "x")),
    ("unknown layer field", "TrainRequest", "TrainRequest", _set("layers.0.bias", True)),
    ("unknown task field", "Task", "ForwardTask", _set("priority", 1)),
    ("unknown record field", "RunRecord", "RunRecord", _set("owner", "me")),
    ("wrong kind", "ForwardTask", "ForwardTask", _set("kind", "loss")),
    ("unknown kind", "Task", "ForwardTask", _set("kind", "sideways")),
    ("task without kind", "Task", "ForwardTask", _drop("kind")),
    ("wrong trainer kind", "TrainerMessage", "CancelRun", _set("kind", "stop")),
    # Without "kind" the trainer reads a TrainRequest, which this is not.
    ("cancel without kind", "TrainerMessage", "CancelRun", _drop("kind")),
    ("wrong event", "Event", "EpochCompleted", _set("event", "epoch_done")),
    ("event without tag", "Event", "EpochCompleted", _drop("event")),
    ("empty run id", "TrainRequest", "TrainRequest", _set("run_id", "")),
    ("run id with slash", "CancelRun", "CancelRun", _set("run_id", "../other")),
    ("cancel without token", "CancelRun", "CancelRun", _drop("token")),
    ("cancel token too short", "CancelRun", "CancelRun", _set("token", "short")),
    ("run id with space", "Task", "ForwardTask", _set("run_id", "run 1")),
    ("run id too long", "RunRecord", "RunRecord", _set("run_id", "r" * 65)),
    (
        "inline array over the limit",
        "TrainRequest",
        "TrainRequest",
        _set("data.x_train.data", TOO_LONG_BASE64),
    ),
    ("inline data not base64", "TrainRequest", "TrainRequest", _set("data.y_train.data", "!!!!")),
    ("bad S3 bucket", "LossTask", "LossTask", _set("outputs.bucket", "Not_A_Bucket")),
    ("negative epoch", "Task", "ForwardTask", _set("epoch", -1)),
    ("boolean epoch", "Task", "ForwardTask", _set("epoch", True)),
    ("string epoch", "HistoryEntry", "HistoryEntry", _set("epoch", "3")),
    ("negative count", "HistoryEntry", "HistoryEntry", _set("train_confusion.0.1", -1)),
    ("one class", "HistoryEntry", "HistoryEntry", _set("train_confusion", [[3]])),
    ("count not integer", "HistoryEntry", "HistoryEntry", _set("train_confusion.1.1", 0.5)),
    ("layer 0", "ForwardTask", "ForwardTask", _set("layer", 0)),
    ("accuracy over 1", "EpochCompleted", "EpochCompleted", _set("dev_accuracy", 1.5)),
    ("negative weight sum", "ForwardTask", "ForwardTask", _set("weight_sq_sum", -0.1)),
    ("beta1 of 1", "TrainRequest", "TrainRequest", _set("beta1", 1.0)),
    ("zero learning rate", "TrainRequest", "TrainRequest", _set("lr", 0.0)),
    ("zero units", "TrainRequest", "TrainRequest", _set("layers.0.units", 0)),
    ("too many units", "TrainRequest", "TrainRequest", _set("layers.0.units", MAX_UNITS + 1)),
    (
        "too many layers",
        "TrainRequest",
        "TrainRequest",
        _set("layers", [{"units": 1, "activation": "sigmoid"}] * (MAX_LAYERS + 1)),
    ),
    ("unknown activation", "TrainRequest", "TrainRequest", _set("layers.0.activation", "gelu")),
    ("batch norm not a boolean", "TrainRequest", "TrainRequest", _set("layers.0.batch_norm", 1)),
    ("bn momentum 0", "TrainRequest", "TrainRequest", _set("bn_momentum", 0.0)),
    ("bn momentum over 1", "TrainRequest", "TrainRequest", _set("bn_momentum", 1.5)),
    ("bn epsilon 0", "TrainRequest", "TrainRequest", _set("bn_epsilon", 0.0)),
    ("negative seed", "TrainRequest", "TrainRequest", _set("seed", -1)),
    ("unknown status", "RunRecord", "RunRecord", _set("status", "DONE")),
    ("missing required", "RunRecord", "RunRecord", _drop("created_at")),
]


@pytest.mark.parametrize(
    ("document", "sample", "mutate"), [case[1:] for case in REJECTED], ids=[c[0] for c in REJECTED]
)
def test_schema_rejects_what_the_server_rejects(
    document: str, sample: str, mutate: Callable[[dict[str, Any]], None]
) -> None:
    body = _body(sample)
    adapter = TypeAdapter(MESSAGES[document])
    adapter.validate_python(copy.deepcopy(body))
    assert _validator(document).is_valid(body)
    mutate(body)
    with pytest.raises(ValidationError):
        adapter.validate_python(copy.deepcopy(body))
    assert not _validator(document).is_valid(body)


# Rules only the server checks: they relate fields to each other or look inside the
# base64 payload, which JSON Schema cannot state (or this schema does not restate). Each
# document's description names them; these cases pin that gap so it stays documented.
SERVER_ONLY: list[tuple[str, str, Callable[[dict[str, Any]], None], str]] = [
    ("ForwardTask", "ForwardTask", _set("inputs", None), "inputs is null exactly when"),
    ("Task", "ForwardTask", _set("layer", 1), "inputs is null exactly when"),
    ("TrainRequest", "TrainRequest", _set("layers.1.units", 2), "units equal y_train's rows"),
    (
        "TrainRequest",
        "TrainRequest",
        _set("layers.0.activation", "softmax"),
        "softmax only in the output layer",
    ),
    (
        "TrainRequest",
        "TrainRequest",
        _set("layers.1.batch_norm", True),
        "batch_norm only in hidden layers",
    ),
    (
        "TrainRequest",
        "TrainRequest",
        _set("data.x_train.shape", [3, 6]),
        "declared dtype and shape",
    ),
    ("TrainRequest", "TrainRequest", _set("data.x_test.dtype", "int64"), "float64 or float32"),
    ("TrainerMessage", "TrainRequest", _set("data.y_test.shape", [1, 3]), "equal sample"),
    ("RunRecord", "RunRecord", _set("epoch", 11), "epoch is at most epochs"),
    ("HistoryEntry", "HistoryEntry", _set("train_confusion.1", [0, 1, 2]), "is square"),
    (
        "HistoryEntry",
        "HistoryEntry",
        _set("dev_confusion", [[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
        "one k for all its splits",
    ),
]


@pytest.mark.parametrize(("document", "sample", "mutate", "described"), SERVER_ONLY)
def test_server_only_rules_are_named_in_the_description(
    document: str, sample: str, mutate: Callable[[dict[str, Any]], None], described: str
) -> None:
    body = _body(sample)
    mutate(body)
    assert _validator(document).is_valid(body)
    with pytest.raises(ValidationError):
        TypeAdapter(MESSAGES[document]).validate_python(body)
    assert described in DOCUMENTS[document]["description"]


def test_a_validator_nobody_described_stops_the_schema() -> None:
    class Probe(FrozenModel):
        low: int
        high: int

        @model_validator(mode="after")
        def _ordered(self) -> Self:
            if self.low > self.high:
                raise ValueError("low above high")
            return self

    with pytest.raises(RuntimeError, match=r"Probe\._ordered is not described"):
        _server_only(Probe)


def test_public_names_are_importable() -> None:
    missing = [name for name in messages.__all__ if not hasattr(messages, name)]
    assert missing == []
