"""The estimate's billing arithmetic against sums done by hand from AWS's billing rules."""

from typing import Any

import pytest

from infra.local.api_trace import ApiOperation
from infra.local.sized import Sized
from lnn.estimate.billing import chunks, s3_units, sns_payload, sqs_payload, units_of
from lnn.estimate.dynamodb import DynamoItems, item_size, number_size, read_units, write_units
from lnn.estimate.pricebook import load_price_book
from lnn.estimate.projection import bill
from lnn.estimate.tally import Tally

KB = 1024
BOOK = load_price_book()
UNITS = BOOK.units


def op(service: str, operation: str, params: dict[str, Any], response: Any = None, **kw: Any):
    fields = dict(function=None, thread=1, started=0.0, seconds=0.0, request_bytes=0)
    fields.update(response_bytes=0, error=None)
    fields.update(kw)
    return ApiOperation(service, operation, params, response or {}, **fields)


def test_a_100_kb_sqs_message_is_two_requests_and_an_empty_one_is_one() -> None:
    assert chunks(100 * KB, UNITS.sqs_chunk_bytes) == 2
    assert chunks(64 * KB, UNITS.sqs_chunk_bytes) == 1
    assert chunks(64 * KB + 1, UNITS.sqs_chunk_bytes) == 2
    assert chunks(0, UNITS.sqs_chunk_bytes) == 1


def test_sqs_payload_counts_bodies_and_attributes_of_every_message() -> None:
    attributes = {"layer": {"DataType": "String", "StringValue": "12"}}  # 5 + 6 + 2 bytes
    send = {"QueueUrl": "q", "MessageBody": "x" * 10, "MessageAttributes": attributes}
    assert sqs_payload("SendMessage", send, {}) == 10 + 13
    batch = {"Entries": [{"MessageBody": Sized(str, 40 * KB)}, {"MessageBody": "é"}]}
    assert sqs_payload("SendMessageBatch", batch, {}) == 40 * KB + 2
    received = {"Messages": [{"Body": Sized(str, 70 * KB)}, {"Body": "ab"}]}
    receive = op("sqs", "ReceiveMessage", {"QueueUrl": "q"}, received)
    assert units_of(receive, UNITS, DynamoItems(UNITS, {})) == {"sqs_request": 2.0}
    delete = op("sqs", "DeleteMessageBatch", {"QueueUrl": "q", "Entries": []})
    assert units_of(delete, UNITS, DynamoItems(UNITS, {})) == {"sqs_request": 1.0}


def test_a_publish_batch_is_billed_on_its_whole_payload() -> None:
    entries = [{"Id": str(i), "Message": Sized(str, 30 * KB)} for i in range(5)]  # 150 KB
    params = {"TopicArn": "t", "PublishBatchRequestEntries": entries}
    assert sns_payload("PublishBatch", params) == 150 * KB
    publish = op("sns", "PublishBatch", params)
    assert units_of(publish, UNITS, DynamoItems(UNITS, {})) == {"sns_request": 3.0}
    listing = op("sns", "ListSubscriptions", {})
    assert units_of(listing, UNITS, DynamoItems(UNITS, {})) is None


def test_a_1_5_kb_dynamodb_write_is_two_units_and_a_4_kb_read_one() -> None:
    assert write_units(1536, UNITS.dynamodb_write_unit_bytes) == 2
    assert write_units(1024, UNITS.dynamodb_write_unit_bytes) == 1
    assert write_units(0, UNITS.dynamodb_write_unit_bytes) == 1
    assert read_units(4 * KB, UNITS.dynamodb_read_unit_bytes, consistent=True) == 1
    assert read_units(4 * KB + 1, UNITS.dynamodb_read_unit_bytes, consistent=True) == 2
    assert read_units(4 * KB + 1, UNITS.dynamodb_read_unit_bytes, consistent=False) == 1


def test_item_size_follows_dynamodbs_rules() -> None:
    assert number_size("12345") == 4  # 5 significant digits: 3 bytes, plus 1
    assert number_size("-0.0012300") == 3  # 123: 2 bytes, plus 1
    item = {
        "pk": {"S": "run#abc"},  # 2 + 7
        "n": {"N": "42"},  # 1 + 2
        "ok": {"BOOL": True},  # 2 + 1
        "o1": {"B": Sized(bytes, 1000)},  # 2 + 1000
        "arrived": {"NS": ["1", "2"]},  # 7 + 2 + 2
        "m": {"M": {"a": {"S": "xy"}}},  # 1 + 3 + (1 + 2 + 1)
        "l": {"L": [{"N": "1"}, {"NULL": True}]},  # 1 + 3 + (2 + 1) + (1 + 1)
    }
    assert item_size(item) == 9 + 3 + 3 + 1002 + 11 + 8 + 9


def test_an_update_is_billed_on_the_larger_of_the_item_before_and_after() -> None:
    items = DynamoItems(UNITS, {"barriers": ("pk",)})
    key = {"pk": {"S": "b"}}
    big = {"pk": {"S": "b"}, "o1": {"B": Sized(bytes, 3000)}}  # 3 + 3002 bytes: 3 units
    # An arrival at a new item: ALL_OLD returns nothing, so the item was its key, and after
    # the write it holds the value set too.
    arrive = op(
        "dynamodb",
        "UpdateItem",
        {
            "TableName": "barriers",
            "Key": key,
            "UpdateExpression": "ADD arrived :k SET o1 = :o",
            "ExpressionAttributeValues": {":k": {"NS": ["1"]}, ":o": big["o1"]},
            "ReturnValues": "ALL_OLD",
        },
        {},
    )
    assert items.units_of(arrive) == {"dynamodb_write_unit": 3}
    # The next arrival at it returns it as it was: billed on the larger size, after.
    second = op(
        "dynamodb",
        "UpdateItem",
        {
            "TableName": "barriers",
            "Key": key,
            "UpdateExpression": "ADD arrived :k SET o2 = if_not_exists(o2, :o)",
            "ExpressionAttributeValues": {":k": {"NS": ["2"]}, ":o": big["o1"]},
            "ReturnValues": "ALL_OLD",
        },
        {"Attributes": {**big, "arrived": {"NS": ["1"]}}},
    )
    assert items.units_of(second) == {"dynamodb_write_unit": 6}  # 3 + 3,002 + 3,002 + 11
    # SET published = :yes returns nothing: the item is still (at least) as big as it was.
    mark = op(
        "dynamodb",
        "UpdateItem",
        {"TableName": "barriers", "Key": key, "ExpressionAttributeValues": {":yes": {"BOOL": 1}}},
    )
    assert items.units_of(mark) == {"dynamodb_write_unit": 6}
    # A failed condition is billed on the item as it stands (returned with ALL_OLD).
    duplicate = op(
        "dynamodb",
        "UpdateItem",
        {"TableName": "barriers", "Key": key},
        {"Item": {**big, "o2": big["o1"], "arrived": {"NS": ["1", "2"]}}},
        error="ConditionalCheckFailedException",
    )
    assert items.units_of(duplicate) == {"dynamodb_write_unit": 6}
    # Near a unit's edge the names count: key (3) + arrived (7 + 2) + o1 (2 + 1,015) > 1 KB.
    edge = op(
        "dynamodb",
        "UpdateItem",
        {
            "TableName": "barriers",
            "Key": {"pk": {"S": "c"}},
            "UpdateExpression": "ADD arrived :k SET o1 = :o",
            "ExpressionAttributeValues": {":k": {"NS": ["1"]}, ":o": {"B": Sized(bytes, 1015)}},
            "ReturnValues": "ALL_OLD",
        },
    )
    assert items.units_of(edge) == {"dynamodb_write_unit": 2}
    other = op("dynamodb", "PutItem", {"TableName": "runs", "Item": {"pk": {"S": "x" * 1500}}})
    assert items.units_of(other) == {"dynamodb_write_unit": 2}


def test_batch_get_rounds_each_item_and_query_rounds_the_sum() -> None:
    items = DynamoItems(UNITS, {})
    small, large = {"a": {"B": Sized(bytes, 1535)}}, {"a": {"B": Sized(bytes, 6655)}}  # 1.5, 6.5 KB
    batch = op(
        "dynamodb",
        "BatchGetItem",
        {"RequestItems": {"t": {"Keys": [], "ConsistentRead": True}}},
        {"Responses": {"t": [small, large]}},
    )
    assert items.units_of(batch) == {"dynamodb_read_unit": 1 + 2}  # 4 KB + 8 KB
    query = op("dynamodb", "Query", {"ConsistentRead": True}, {"Items": [small, large]})
    assert items.units_of(query) == {"dynamodb_read_unit": 2}  # 8 KB
    eventual = op("dynamodb", "GetItem", {"TableName": "t"}, {})
    assert items.units_of(eventual) == {"dynamodb_read_unit": 0.5}
    assert items.units_of(op("dynamodb", "DescribeTable", {})) is None


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        ("PutObject", {"s3_put": 1.0}),
        ("GetObject", {"s3_get": 1.0}),
        ("HeadObject", {"s3_get": 1.0}),
        ("ListObjectsV2", {"s3_put": 1.0}),
        ("DeleteObjects", {}),
    ],
)
def test_s3_request_classes(operation: str, expected: dict) -> None:
    assert s3_units(operation) == expected


def test_the_bill_is_units_times_the_listed_prices() -> None:
    tally = Tally(
        {
            "units.sqs_request": 1_000_000,
            "units.sns_request": 2_000_000,
            "units.lambda_request": 500_000,
            "units.dynamodb_write_unit": 1_000_000,
            "units.dynamodb_read_unit": 4_000_000,
            "units.s3_put": 1000,
            "units.s3_get": 10_000,
            **{f"units.lambda_gb_second.{band}": 60.0 for band in ("p50_low", "p50_high")},
            **{f"units.lambda_gb_second.{band}": 120.0 for band in ("p99_low", "p99_high")},
        }
    )
    dollars = bill(tally, BOOK)
    assert dollars["sqs_request"] == pytest.approx(0.40)
    assert dollars["sns_request"] == pytest.approx(1.00)
    assert dollars["lambda_request"] == pytest.approx(0.10)
    assert dollars["dynamodb_write_unit"] == pytest.approx(0.625)
    assert dollars["dynamodb_read_unit"] == pytest.approx(0.50)
    assert dollars["s3_put"] == pytest.approx(0.005)
    assert dollars["s3_get"] == pytest.approx(0.004)
    assert dollars["lambda_gb_second"]["p50_low"] == pytest.approx(60 * 0.0000166667)
    flat = 0.40 + 1.00 + 0.10 + 0.625 + 0.50 + 0.005 + 0.004
    assert dollars["total"]["p99_high"] == pytest.approx(flat + 120 * 0.0000166667)


def test_the_price_book_has_a_source_for_every_price_and_latency() -> None:
    assert BOOK.region == "us-east-1" and BOOK.recorded
    assert all(price.source.startswith("https://") for price in BOOK.prices.values())
    assert all(lat.source for lat in (*BOOK.hop.values(), *BOOK.call.values()))
    assert BOOK.hop["sns"].seconds["p50_low"] == pytest.approx(0.040)
    assert BOOK.call["sns"].seconds == BOOK.hop["sns"].seconds  # taken as the whole hop
    assert BOOK.call_seconds("sts", "p50_low") == 0.0
