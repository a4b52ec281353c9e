"""DynamoBarriers: the barrier port on a DynamoDB table, one conditional UpdateItem per arrival.

A shard adds itself to the item's ``arrived`` set only if it is not there yet; its (small)
output rides in the same item (``o{k}`` inline bytes, ``r{k}`` an S3 key, ``v{k}`` a number,
``t{k}`` a telemetry document, ``p{k}`` its span, ``m{k}`` the message id that claimed it,
``q{k}`` its place in the order of arrivals, counted by ``n``, ``w{k}`` a small parameter
version; ``notes`` the spans of rare events). The arrival that completes the set publishes
the next stage. A duplicate fails the condition and does nothing, unless it is a redelivery
of the claiming message (``Arrival.publishes``): then that message's publisher may have
died, and it heals it.
"""

import json
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from functions.aws.clients import client
from functions.ports import NO_OUTPUT, Arrival, Barriers, BarrierTimeline, ShardOutput

TTL_SECONDS = 7 * 24 * 3600
BATCH_GET_LIMIT = 100  # keys per BatchGetItem


def _arrival(item: dict, expected: int, claimed: bool) -> Arrival:
    arrived = {int(x) for x in item.get("arrived", {}).get("NS", [])}
    payloads, s3_keys, values, telemetry, message_ids = {}, {}, {}, {}, {}
    for name, value in item.items():
        if name.startswith("o") and name[1:].isdigit():
            payloads[int(name[1:])] = value["B"]
        elif name.startswith("r") and name[1:].isdigit():
            s3_keys[int(name[1:])] = value["S"]
        elif name.startswith("v") and name[1:].isdigit():
            values[int(name[1:])] = float(value["N"])
        elif name.startswith("t") and name[1:].isdigit():
            telemetry[int(name[1:])] = value["S"]
        elif name.startswith("m") and name[1:].isdigit():
            message_ids[int(name[1:])] = value["S"]
    return Arrival(
        claimed=claimed,
        arrived=frozenset(arrived),
        complete=len(arrived) >= expected,
        payloads=payloads,
        s3_keys=s3_keys,
        values=values,
        telemetry=telemetry,
        message_ids=message_ids,
    )


def _numbered(item: dict, prefix: str) -> dict[int, Any]:
    return {
        int(name[1:]): next(iter(value.values()))
        for name, value in item.items()
        if name.startswith(prefix) and name[1:].isdigit()
    }


def _timeline(item: dict) -> BarrierTimeline:
    ordinals = {k: int(v) for k, v in _numbered(item, "q").items()}
    notes = tuple(json.loads(v["S"]) for v in item.get("notes", {}).get("L", []))
    return BarrierTimeline(_numbered(item, "p"), ordinals, notes)


class DynamoBarriers(Barriers):
    def __init__(self, table: str, *, dynamodb: Any = None) -> None:
        self.table = table
        self._dynamodb = dynamodb

    def _client(self) -> Any:
        return self._dynamodb or client("dynamodb")

    def arrive(
        self, key: str, shard: int, expected: int, output: ShardOutput = NO_OUTPUT
    ) -> Arrival:
        # q{k} reads the count before this update: SET and ADD both see the old item.
        sets = ["expires_at = :ttl", f"q{shard} = if_not_exists(n, :zero) + :one"]
        values: dict[str, dict] = {
            ":shard": {"NS": [str(shard)]},
            ":k": {"N": str(shard)},
            ":ttl": {"N": str(int(time.time()) + TTL_SECONDS)},
            ":zero": {"N": "0"},
            ":one": {"N": "1"},
        }
        if output.payload is not None:
            sets.append(f"o{shard} = :payload")
            values[":payload"] = {"B": output.payload}
        if output.s3_key is not None:
            sets.append(f"r{shard} = :ref")
            values[":ref"] = {"S": output.s3_key}
        if output.value is not None:
            sets.append(f"v{shard} = :value")
            values[":value"] = {"N": str(Decimal(repr(output.value)))}
        if output.telemetry is not None:
            sets.append(f"t{shard} = :telemetry")
            values[":telemetry"] = {"S": output.telemetry}
        if output.span is not None:
            sets.append(f"p{shard} = :span")
            values[":span"] = {"S": output.span}
        if output.message_id is not None:
            sets.append(f"m{shard} = :message")
            values[":message"] = {"S": output.message_id}
        if output.params is not None:
            sets.append(f"w{shard} = :params")
            values[":params"] = {"B": output.params}
        try:
            response = self._client().update_item(
                TableName=self.table,
                Key={"pk": {"S": key}},
                UpdateExpression=f"ADD arrived :shard, n :one SET {', '.join(sets)}",
                ConditionExpression="attribute_not_exists(arrived) OR NOT contains(arrived, :k)",
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return _arrival(exc.response.get("Item", {}), expected, claimed=False)
        return _arrival(response["Attributes"], expected, claimed=True)

    def read(self, key: str, expected: int) -> Arrival:
        """The barrier as it stands (strongly consistent), without arriving."""
        response = self._client().get_item(
            TableName=self.table, Key={"pk": {"S": key}}, ConsistentRead=True
        )
        return _arrival(response.get("Item", {}), expected, claimed=False)

    def shard_params(self, key: str, shard: int) -> bytes | None:
        response = self._client().get_item(
            TableName=self.table,
            Key={"pk": {"S": key}},
            ConsistentRead=True,
            ProjectionExpression="#w",
            ExpressionAttributeNames={"#w": f"w{shard}"},
        )
        found = response.get("Item", {}).get(f"w{shard}")
        return None if found is None else bytes(found["B"])

    def note(self, key: str, span: dict[str, Any]) -> None:
        self._client().update_item(
            TableName=self.table,
            Key={"pk": {"S": key}},
            UpdateExpression=(
                "SET notes = list_append(if_not_exists(notes, :empty), :one), "
                "expires_at = if_not_exists(expires_at, :ttl)"
            ),
            ExpressionAttributeValues={
                ":empty": {"L": []},
                ":one": {"L": [{"S": json.dumps(span, separators=(",", ":"))}]},
                ":ttl": {"N": str(int(time.time()) + TTL_SECONDS)},
            },
        )

    def timelines(self, keys: Sequence[str], shards: int) -> dict[str, BarrierTimeline]:
        # Only the span attributes: the outputs beside them can weigh hundreds of KB.
        names = {"#notes": "notes", "#pk": "pk"}
        names.update({f"#p{k}": f"p{k}" for k in range(shards)})
        names.update({f"#q{k}": f"q{k}" for k in range(shards)})
        projection = ", ".join(names)
        found: dict[str, BarrierTimeline] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), BATCH_GET_LIMIT):
            pending: dict[str, Any] = {
                self.table: {
                    "Keys": [{"pk": {"S": k}} for k in unique[start : start + BATCH_GET_LIMIT]],
                    "ProjectionExpression": projection,
                    "ExpressionAttributeNames": names,
                }
            }
            while pending:
                response = self._client().batch_get_item(RequestItems=pending)
                for item in response.get("Responses", {}).get(self.table, []):
                    found[item["pk"]["S"]] = _timeline(item)
                pending = response.get("UnprocessedKeys") or {}
        return found
