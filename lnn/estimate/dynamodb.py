"""DynamoDB's request units: item sizes by its rules, and a ledger of the sizes a run's calls
revealed, since a write is billed on the larger of the item before and after it."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from infra.local.api_trace import ApiOperation
from infra.local.sized import byte_size
from lnn.estimate.pricebook import BillingUnits, Units


def number_size(text: str) -> int:
    """DynamoDB: one byte per two significant digits, plus one."""
    digits = text.lstrip("+-").replace(".", "").split("e")[0].split("E")[0]
    significant = digits.strip("0") or "0"
    return math.ceil(len(significant) / 2) + 1


def _value_size(value: Mapping[str, Any]) -> int:
    """Bytes of one DynamoDB attribute value (low-level JSON form, e.g. ``{"S": "x"}``)."""
    kind, content = next(iter(value.items()))
    if kind in ("S", "B"):
        return byte_size(content)
    if kind == "N":
        return number_size(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "BS"):
        return sum(byte_size(x) for x in content)
    if kind == "NS":
        return sum(number_size(x) for x in content)
    if kind == "L":
        return 3 + sum(_value_size(x) + 1 for x in content)
    if kind == "M":
        return 3 + sum(byte_size(k) + _value_size(v) + 1 for k, v in content.items())
    raise ValueError(f"unknown DynamoDB attribute type {kind!r}")


def item_size(item: Mapping[str, Any] | None) -> int:
    """Bytes of an item as DynamoDB sizes it: each attribute's name plus its value."""
    return sum(byte_size(name) + _value_size(value) for name, value in (item or {}).items())


def write_units(size: int, unit_bytes: int) -> int:
    return max(1, math.ceil(size / unit_bytes))


def read_units(size: int, unit_bytes: int, *, consistent: bool) -> float:
    units = max(1, math.ceil(size / unit_bytes))
    return float(units) if consistent else units / 2


_CLAUSE = re.compile(r"\b(SET|ADD|REMOVE|DELETE)\b")
_PLACEHOLDER = re.compile(r":\w+")


def _actions(expression: str) -> Iterator[tuple[str, str]]:
    """(clause, action) for each comma-separated action of an update expression (commas
    inside a function's parentheses belong to it)."""
    parts = _CLAUSE.split(expression)
    for clause, body in zip(parts[1::2], parts[2::2], strict=True):
        depth, start = 0, 0
        for i, char in enumerate(body + ","):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if char == "," and depth == 0:
                if body[start:i].strip():
                    yield clause, body[start:i].strip()
                start = i + 1


def size_after_update(before: Mapping[str, Any], params: Mapping[str, Any]) -> int:
    """The item's size after an UpdateItem applied to ``before``: a value SET from one
    placeholder takes that value's size; any other SET or ADD, its current size plus every
    value it names (list_append, a set's new element: an upper bound for arithmetic)."""
    names = params.get("ExpressionAttributeNames", {})
    values = params.get("ExpressionAttributeValues", {})
    sizes = {name: _value_size(value) for name, value in before.items()}
    for clause, action in _actions(params.get("UpdateExpression", "")):
        target = re.split(r"\s|=", action, maxsplit=1)[0]
        target = names.get(target, target)
        operand = action[len(action.split()[0]) :] if clause != "SET" else action.split("=", 1)[1]
        placeholders = _PLACEHOLDER.findall(operand)
        if clause in ("REMOVE", "DELETE"):
            sizes.pop(target, None)
        elif clause == "SET" and operand.strip() in values:
            sizes[target] = _value_size(values[operand.strip()])
        else:
            added = sum(_value_size(values[p]) for p in placeholders if p in values)
            sizes[target] = sizes.get(target, 0) + added
    return sum(byte_size(name) + size for name, size in sizes.items())


class DynamoItems:
    """The item sizes a run's calls revealed, so that a write is billed on the larger of the
    item before and after it, as DynamoDB does. ``key_names``: each table's key attributes
    (a table not in it is keyed by the whole item)."""

    def __init__(self, units: BillingUnits, key_names: Mapping[str, Iterable[str]]) -> None:
        self.units = units
        self.key_names = {table: tuple(names) for table, names in key_names.items()}
        self._sizes: dict[tuple[str, str], int] = {}

    def _slot(self, table: str, key: Mapping[str, Any]) -> tuple[str, str]:
        names = self.key_names.get(table)
        identity = {k: v for k, v in key.items() if k in names} if names else dict(key)
        return table, json.dumps(identity, sort_keys=True, default=str)

    def _write(self, table: str, key: Mapping[str, Any], after: int) -> float:
        slot = self._slot(table, key)
        before = self._sizes.get(slot, 0)
        self._sizes[slot] = after
        return write_units(max(before, after), self.units.dynamodb_write_unit_bytes)

    def _update_after(self, op: ApiOperation) -> int:
        if op.error is not None:  # a failed condition: billed on the item as it stands
            return item_size(op.response.get("Item"))
        if op.params.get("ReturnValues") == "ALL_NEW":
            return item_size(op.response.get("Attributes"))
        if op.params.get("ReturnValues") == "ALL_OLD":  # the item before: a new one is its key
            before = op.response.get("Attributes") or op.params["Key"]
            self._sizes[self._slot(op.params["TableName"], op.params["Key"])] = item_size(before)
            return size_after_update(before, op.params)
        # Not returned: what was known of it plus the values written (an upper bound).
        known = self._sizes.get(self._slot(op.params["TableName"], op.params["Key"]), 0)
        values = op.params.get("ExpressionAttributeValues", {})
        return known + sum(_value_size(v) for v in values.values())

    def _reads(self, sizes: Iterable[int], consistent: bool, *, per_item: bool) -> float:
        unit = self.units.dynamodb_read_unit_bytes
        sizes = list(sizes)
        if per_item:
            return sum(read_units(s, unit, consistent=consistent) for s in sizes)
        return read_units(sum(sizes), unit, consistent=consistent)

    def _batch_writes(self, requests_by_table: Mapping[str, Any]) -> float:
        total = 0.0
        for table, requests in requests_by_table.items():
            for request in requests:
                if "PutRequest" in request:
                    item = request["PutRequest"]["Item"]
                    total += self._write(table, item, item_size(item))
                else:
                    total += self._write(table, request["DeleteRequest"]["Key"], 0)
        return total

    def _batch_reads(self, params: Mapping[str, Any], responses: Mapping[str, Any]) -> float:
        total = 0.0
        for table, items in responses.items():
            strong = bool(params.get("RequestItems", {}).get(table, {}).get("ConsistentRead"))
            total += self._reads((item_size(i) for i in items), strong, per_item=True)
        return total

    def writes(self, op: ApiOperation) -> float | None:
        p = op.params
        if op.operation == "PutItem":
            return self._write(p["TableName"], p["Item"], item_size(p["Item"]))
        if op.operation == "UpdateItem":
            return self._write(p["TableName"], p["Key"], self._update_after(op))
        if op.operation == "DeleteItem":
            return self._write(p["TableName"], p["Key"], 0)
        if op.operation == "BatchWriteItem":
            return self._batch_writes(p.get("RequestItems", {}))
        return None

    def reads(self, op: ApiOperation) -> float | None:
        p, r = op.params, op.response
        consistent = bool(p.get("ConsistentRead"))
        if op.operation == "GetItem":
            return self._reads([item_size(r.get("Item"))], consistent, per_item=True)
        if op.operation in ("Query", "Scan"):
            sizes = [item_size(i) for i in r.get("Items", [])]
            return self._reads(sizes, consistent, per_item=False)
        if op.operation == "BatchGetItem":
            return self._batch_reads(p, r.get("Responses", {}))
        return None

    def units_of(self, op: ApiOperation) -> Units | None:
        """Write or read units of a data call; None for any other (DescribeTable, ...)."""
        written = self.writes(op)
        if written is not None:
            return {"dynamodb_write_unit": written}
        read = self.reads(op)
        return None if read is None else {"dynamodb_read_unit": read}
