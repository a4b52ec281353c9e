"""Run records and per-epoch history in DynamoDB, and the trainer's claimed transitions.

A transition (a step finished, an evaluation finished) is claimed with one conditional
UpdateItem on the run item: it succeeds once per transition however often the message comes,
and fails for every run that is no longer RUNNING, which is how a cancel stops a run.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from functions.aws.clients import client

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot store non-finite number {value}")
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_dynamo(v) for v in value]
    return value


def from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_dynamo(v) for v in value]
    return value


def serialize(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(to_dynamo(v)) for k, v in item.items() if v is not None}


def deserialize(item: dict[str, Any]) -> dict[str, Any]:
    return {k: from_dynamo(_deserializer.deserialize(v)) for k, v in item.items()}


def now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class TransitionClaim:
    claimed: bool
    item: dict[str, Any]


def run_key(run_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"run#{run_id}"}, "sk": {"S": "run"}}


class RunTable:
    def __init__(self, table: str, *, dynamodb: Any = None) -> None:
        self.table = table
        self._dynamodb = dynamodb  # an explicit client (CLI side); None = the process's own

    def _client(self) -> Any:
        return self._dynamodb or client("dynamodb")

    def create(self, run_id: str, fields: dict[str, Any]) -> TransitionClaim:
        """Claim the start of a run; a duplicate TrainRequest gets the existing record back."""
        item = {"pk": f"run#{run_id}", "sk": "run", "run_id": run_id, **fields}
        try:
            self._client().put_item(
                TableName=self.table,
                Item=serialize(item),
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return TransitionClaim(False, deserialize(exc.response.get("Item", {})))
        return TransitionClaim(True, item)

    def get(self, run_id: str) -> dict[str, Any] | None:
        response = self._client().get_item(
            TableName=self.table, Key=run_key(run_id), ConsistentRead=True
        )
        return deserialize(response["Item"]) if "Item" in response else None

    def update(
        self,
        run_id: str,
        sets: dict[str, Any],
        *,
        condition: str | None = None,
        condition_values: dict[str, Any] | None = None,
        append: dict[str, Any] | None = None,
    ) -> TransitionClaim:
        """SET the given fields (and list-append others) if ``condition`` holds."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        clauses = []
        present = {k: v for k, v in sets.items() if v is not None}  # DynamoDB stores no nulls
        for i, (field, value) in enumerate({**present, "updated_at": now()}.items()):
            names[f"#s{i}"] = field
            values[f":s{i}"] = value
            clauses.append(f"#s{i} = :s{i}")
        for i, (field, value) in enumerate((append or {}).items()):
            names[f"#a{i}"] = field
            values[f":a{i}"] = [value]
            values[":empty"] = []
            clauses.append(f"#a{i} = list_append(if_not_exists(#a{i}, :empty), :a{i})")
        values.update(condition_values or {})
        if "#status" in (condition or ""):
            names["#status"] = "status"
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "Key": run_key(run_id),
            "UpdateExpression": "SET " + ", ".join(clauses),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": serialize(values),
            "ReturnValues": "ALL_NEW",
        }
        if condition:
            kwargs["ConditionExpression"] = condition
            kwargs["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        try:
            response = self._client().update_item(**kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return TransitionClaim(False, deserialize(exc.response.get("Item", {})))
        return TransitionClaim(True, deserialize(response["Attributes"]))

    def put_history(self, run_id: str, epoch: int, entry: dict[str, Any]) -> None:
        item = {"pk": f"run#{run_id}", "sk": f"epoch#{epoch:06d}", **entry}
        self._client().put_item(TableName=self.table, Item=serialize(item))

    def history(self, run_id: str, *, after: int = 0) -> list[dict[str, Any]]:
        """History entries of the epochs after ``after`` (1-based), in epoch order."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": {
                ":pk": {"S": f"run#{run_id}"},
                ":first": {"S": f"epoch#{after + 1:06d}"},
                ":last": {"S": "epoch#999999"},
            },
            "ConsistentRead": True,
        }
        while True:
            response = self._client().query(**kwargs)
            items.extend(deserialize(i) for i in response["Items"])
            if "LastEvaluatedKey" not in response:
                return items
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def list_runs(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "FilterExpression": "sk = :run",
            "ExpressionAttributeValues": {":run": {"S": "run"}},
        }
        while True:
            response = self._client().scan(**kwargs)
            items.extend(deserialize(i) for i in response["Items"])
            if "LastEvaluatedKey" not in response:
                return items
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
