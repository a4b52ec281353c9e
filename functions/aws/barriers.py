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
from messages.limits import MAX_BARRIER_NOTES

_TTL_SECONDS = 7 * 24 * 3600
_BATCH_GET_LIMIT = 100  # keys per BatchGetItem


# ShardOutput field -> (attribute prefix, DynamoDB type): shard k's is attribute {prefix}{k}.
_OUTPUT_ATTRIBUTES = {
    "payload": ("o", "B"),
    "s3_key": ("r", "S"),
    "value": ("v", "N"),
    "telemetry": ("t", "S"),
    "span": ("p", "S"),
    "message_id": ("m", "S"),
    "params": ("w", "B"),
}


def _numbered(item: dict, prefix: str) -> dict[int, Any]:
    return {
        int(name[1:]): next(iter(value.values()))
        for name, value in item.items()
        if name.startswith(prefix) and name[1:].isdigit()
    }


def _arrival(item: dict, expected: int, claimed: bool) -> Arrival:
    arrived = {int(x) for x in item.get("arrived", {}).get("NS", [])}
    found = {field: _numbered(item, prefix) for field, (prefix, _) in _OUTPUT_ATTRIBUTES.items()}
    return Arrival(
        claimed=claimed,
        arrived=frozenset(arrived),
        complete=len(arrived) >= expected,
        payloads=found["payload"],
        s3_keys=found["s3_key"],
        values={k: float(v) for k, v in found["value"].items()},
        telemetry=found["telemetry"],
        message_ids=found["message_id"],
    )


def _timeline(item: dict) -> BarrierTimeline:
    ordinals = {k: int(v) for k, v in _numbered(item, "q").items()}
    notes = tuple(json.loads(v["S"]) for v in item.get("notes", {}).get("L", []))
    return BarrierTimeline(_numbered(item, _OUTPUT_ATTRIBUTES["span"][0]), ordinals, notes)


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
            ":ttl": {"N": str(int(time.time()) + _TTL_SECONDS)},
            ":zero": {"N": "0"},
            ":one": {"N": "1"},
        }
        own: dict[str, dict] = {}
        for field, (prefix, kind) in _OUTPUT_ATTRIBUTES.items():
            value = getattr(output, field)
            if value is not None:
                sets.append(f"{prefix}{shard} = :{field}")
                text = str(Decimal(repr(value))) if kind == "N" else value
                values[f":{field}"] = own[f"{prefix}{shard}"] = {kind: text}
        try:
            response = self._client().update_item(
                TableName=self.table,
                Key={"pk": {"S": key}},
                UpdateExpression=f"ADD arrived :shard, n :one SET {', '.join(sets)}",
                ConditionExpression="attribute_not_exists(arrived) OR NOT contains(arrived, :k)",
                ExpressionAttributeValues=values,
                # The item as it was: this shard's own output (up to hundreds of KB) need not
                # come back in the response, since the caller has it.
                ReturnValues="ALL_OLD",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return _arrival(exc.response.get("Item", {}), expected, claimed=False)
        before = response.get("Attributes", {})
        arrived = {*before.get("arrived", {}).get("NS", []), str(shard)}
        now = {**before, **own, "arrived": {"NS": sorted(arrived)}}
        return _arrival(now, expected, claimed=True)

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
        try:
            self._client().update_item(
                TableName=self.table,
                Key={"pk": {"S": key}},
                UpdateExpression=(
                    "SET notes = list_append(if_not_exists(notes, :empty), :one), "
                    "expires_at = if_not_exists(expires_at, :ttl)"
                ),
                ConditionExpression="attribute_not_exists(notes) OR size(notes) < :max",
                ExpressionAttributeValues={
                    ":empty": {"L": []},
                    ":one": {"L": [{"S": json.dumps(span, separators=(",", ":"))}]},
                    ":ttl": {"N": str(int(time.time()) + _TTL_SECONDS)},
                    ":max": {"N": str(MAX_BARRIER_NOTES)},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise  # a full list of notes keeps what it has: the item must stay writable

    def timelines(self, keys: Sequence[str], shards: int) -> dict[str, BarrierTimeline]:
        # Only the span attributes: the outputs beside them can weigh hundreds of KB.
        names = {"#notes": "notes", "#pk": "pk"}
        names.update({f"#p{k}": f"p{k}" for k in range(shards)})
        names.update({f"#q{k}": f"q{k}" for k in range(shards)})
        projection = ", ".join(names)
        found: dict[str, BarrierTimeline] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _BATCH_GET_LIMIT):
            pending: dict[str, Any] = {
                self.table: {
                    "Keys": [{"pk": {"S": k}} for k in unique[start : start + _BATCH_GET_LIMIT]],
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
