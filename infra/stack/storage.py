"""DynamoDB tables (on-demand, TTL) and the encrypted, private S3 bucket."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from infra.stack.aws import Clients, error_code
from infra.stack.exceptions import DeployError
from infra.stack.spec import BucketSpec, StackSpec, TableSpec

__all__ = [
    "bucket_exists",
    "delete_bucket",
    "delete_tables",
    "ensure_bucket",
    "ensure_tables",
    "find_tables",
]

_WAIT = {"Delay": 2, "MaxAttempts": 90}
_PUBLIC_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def _describe(ddb: Any, name: str) -> dict[str, Any] | None:
    try:
        return dict(ddb.describe_table(TableName=name)["Table"])
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise


def _key_schema(table: TableSpec) -> list[dict[str, str]]:
    keys = [{"AttributeName": table.partition_key, "KeyType": "HASH"}]
    if table.sort_key:
        keys.append({"AttributeName": table.sort_key, "KeyType": "RANGE"})
    return keys


def _ensure_table(ddb: Any, table: TableSpec) -> None:
    current = _describe(ddb, table.name)
    keys = _key_schema(table)
    if current is None:
        ddb.create_table(
            TableName=table.name,
            KeySchema=keys,
            AttributeDefinitions=[
                {"AttributeName": k["AttributeName"], "AttributeType": "S"} for k in keys
            ],
            BillingMode="PAY_PER_REQUEST",
        )
    elif current["KeySchema"] != keys:
        raise DeployError(f"table {table.name} exists with another key schema; delete it first")
    ddb.get_waiter("table_exists").wait(TableName=table.name, WaiterConfig=_WAIT)
    ttl = ddb.describe_time_to_live(TableName=table.name).get("TimeToLiveDescription", {})
    enabled = ttl.get("TimeToLiveStatus") in {"ENABLED", "ENABLING"}
    if not (enabled and ttl.get("AttributeName") == table.ttl_attribute):
        ddb.update_time_to_live(
            TableName=table.name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
        )


def ensure_tables(spec: StackSpec, clients: Clients) -> None:
    for table in spec.tables:
        _ensure_table(clients.dynamodb, table)


def find_tables(spec: StackSpec, clients: Clients) -> dict[str, bool]:
    return {t.name: _describe(clients.dynamodb, t.name) is not None for t in spec.tables}


def delete_tables(spec: StackSpec, clients: Clients) -> list[str]:
    removed = []
    for table in spec.tables:
        try:
            clients.dynamodb.delete_table(TableName=table.name)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                continue
            raise
        clients.dynamodb.get_waiter("table_not_exists").wait(
            TableName=table.name, WaiterConfig=_WAIT
        )
        removed.append(f"table:{table.name}")
    return removed


def bucket_exists(s3: Any, name: str) -> bool:
    try:
        s3.head_bucket(Bucket=name)
    except ClientError as exc:
        if error_code(exc) in {"404", "NoSuchBucket", "NotFound"}:
            return False
        if error_code(exc) in {"403", "AccessDenied"}:
            raise DeployError(f"bucket {name} belongs to another account or denies access") from exc
        raise
    return True


def ensure_bucket(bucket: BucketSpec, clients: Clients) -> None:
    s3 = clients.s3
    if not bucket_exists(s3, bucket.name):
        params: dict[str, Any] = {"Bucket": bucket.name}
        if clients.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": clients.region}
        s3.create_bucket(**params)
        s3.get_waiter("bucket_exists").wait(Bucket=bucket.name, WaiterConfig=_WAIT)
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": bucket.encryption}}
    s3.put_bucket_encryption(
        Bucket=bucket.name, ServerSideEncryptionConfiguration={"Rules": [rule]}
    )
    if bucket.block_public_access:
        s3.put_public_access_block(Bucket=bucket.name, PublicAccessBlockConfiguration=_PUBLIC_BLOCK)


def _empty(s3: Any, name: str) -> None:
    """Delete every object version and delete marker, then any plain object left."""
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        doomed = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if doomed:
            s3.delete_objects(Bucket=name, Delete={"Objects": doomed, "Quiet": True})
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        doomed = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if doomed:
            s3.delete_objects(Bucket=name, Delete={"Objects": doomed, "Quiet": True})


def delete_bucket(bucket: BucketSpec, clients: Clients) -> list[str]:
    if not bucket_exists(clients.s3, bucket.name):
        return []
    _empty(clients.s3, bucket.name)
    clients.s3.delete_bucket(Bucket=bucket.name)
    return [f"bucket:{bucket.name}"]
