"""DynamoRunLedger: the run ledger on a DynamoDB table.

Key schema: the run item is ``pk = "run#<run_id>", sk = "run"``; its history entries are
``pk = "run#<run_id>", sk = "epoch#<000001>"``. Each transition is one UpdateItem whose
ConditionExpression is built from the protocol's ``Expect``.
"""

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from functions.aws.clients import client
from functions.ports import Change, Expect, RunLedger

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_RUN_SORT_KEY = "run"
_KEY_FIELDS = ("pk", "sk")
# Written by earlier versions: run items that hold one still list and load after an upgrade.
_RETIRED_FIELDS = ("costs",)


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot store non-finite number {value}")
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_dynamo(v) for v in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(v) for v in value]
    return value


def _serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(_to_dynamo(v)) for k, v in item.items() if v is not None}


def deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    """A stored item without its key attributes, nor the fields no record holds any more."""
    return {
        k: _from_dynamo(_deserializer.deserialize(v))
        for k, v in item.items()
        if k not in _KEY_FIELDS and k not in _RETIRED_FIELDS
    }


def partition_key(run_id: str) -> str:
    return f"run#{run_id}"


def _history_sort_key(epoch: int) -> str:
    return f"epoch#{epoch:06d}"


def run_key(run_id: str) -> dict[str, Any]:
    return {"pk": {"S": partition_key(run_id)}, "sk": {"S": _RUN_SORT_KEY}}


def _condition(expect: Expect | None) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The ConditionExpression for ``expect``; the run item must exist in any case."""
    clauses, names, values = ["attribute_exists(pk)"], {}, {}
    if expect is not None and expect.status is not None:
        names["#c_status"] = "status"
        values[":c_status"] = expect.status.value
        clauses.append("#c_status = :c_status")
    comparisons = (("=", expect.equal), ("<", expect.below)) if expect is not None else ()
    for operator, fields in comparisons:
        for field, value in fields.items():
            names[f"#c_{field}"] = field
            values[f":c_{field}"] = value
            clauses.append(f"#c_{field} {operator} :c_{field}")
    return " AND ".join(clauses), names, values


def _conditional(call: Any, **kwargs: Any) -> tuple[bool, dict[str, Any]]:
    """(applied, the item after the write) or (False, the item as found; {} if absent)."""
    try:
        response = call(**kwargs, ReturnValuesOnConditionCheckFailure="ALL_OLD")
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return False, deserialize(exc.response.get("Item", {}))
    return True, deserialize(response.get("Attributes", {}))


class DynamoRunLedger(RunLedger):
    def __init__(self, table: str, *, dynamodb: Any = None) -> None:
        self.table = table
        self._dynamodb = dynamodb  # an explicit client (CLI side); None = the process's own

    def _client(self) -> Any:
        return self._dynamodb or client("dynamodb")

    def _insert(self, item: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        keyed = {"pk": partition_key(item["run_id"]), "sk": _RUN_SORT_KEY, **item}
        applied, found = _conditional(
            self._client().put_item,
            TableName=self.table,
            Item=_serialize(keyed),
            ConditionExpression="attribute_not_exists(pk)",
        )
        return applied, item if applied else found

    def _update(self, run_id: str, change: Change) -> tuple[bool, dict[str, Any]]:
        condition, names, values = _condition(change.expect)
        clauses = []
        for i, (field, value) in enumerate(change.sets.items()):
            names[f"#s{i}"] = field
            values[f":s{i}"] = value
            clauses.append(f"#s{i} = :s{i}")
        expression = "SET " + ", ".join(clauses)
        for i, field in enumerate(change.removes):
            names[f"#r{i}"] = field
        if change.removes:
            expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(change.removes)))
        return _conditional(
            self._client().update_item,
            TableName=self.table,
            Key=run_key(run_id),
            UpdateExpression=expression,
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=_serialize(values),
            ReturnValues="ALL_NEW",
        )

    def _get(self, run_id: str) -> dict[str, Any] | None:
        response = self._client().get_item(
            TableName=self.table, Key=run_key(run_id), ConsistentRead=True
        )
        return deserialize(response["Item"]) if "Item" in response else None

    def _put_history(self, run_id: str, entry: dict[str, Any]) -> None:
        keys = {"pk": partition_key(run_id), "sk": _history_sort_key(entry["epoch"])}
        self._client().put_item(TableName=self.table, Item=_serialize({**keys, **entry}))

    def _history(self, run_id: str, after: int) -> list[dict[str, Any]]:
        return self._query(
            KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :last",
            ExpressionAttributeValues={
                ":pk": {"S": partition_key(run_id)},
                ":first": {"S": _history_sort_key(after + 1)},
                ":last": {"S": _history_sort_key(999_999)},
            },
            ConsistentRead=True,
        )

    def _all(self) -> list[dict[str, Any]]:
        return self._query(
            scan=True,
            FilterExpression="sk = :run",
            ExpressionAttributeValues={":run": {"S": _RUN_SORT_KEY}},
        )

    def _query(self, *, scan: bool = False, **kwargs: Any) -> list[dict[str, Any]]:
        """Every page of a Query (or a Scan)."""
        call = self._client().scan if scan else self._client().query
        items: list[dict[str, Any]] = []
        while True:
            response = call(TableName=self.table, **kwargs)
            items.extend(deserialize(i) for i in response["Items"])
            if "LastEvaluatedKey" not in response:
                return items
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
