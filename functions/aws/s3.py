"""S3BlobStore: the blob port on one S3 bucket."""

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from functions.aws.clients import client
from functions.ports import BlobStore, DeleteError, ObjectNotFoundError
from functions.ports.blobs import check_range

_DELETE_BATCH = 1000  # DeleteObjects takes at most this many keys


class S3BlobStore(BlobStore):
    def __init__(self, bucket: str, *, s3: Any = None) -> None:
        self.bucket = bucket
        self._s3 = s3  # an explicit client (CLI side); None = the process's own

    def _client(self) -> Any:
        return self._s3 or client("s3")

    def put_bytes(self, key: str, body: bytes) -> None:
        self._client().put_object(Bucket=self.bucket, Key=key, Body=body)

    def _get(self, key: str, **options: str) -> bytes:
        try:
            return self._client().get_object(Bucket=self.bucket, Key=key, **options)["Body"].read()
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code in ("NoSuchKey", "404"):
                raise ObjectNotFoundError(f"s3://{self.bucket}/{key} does not exist") from exc
            if code == "InvalidRange":  # the object ends before the range starts
                return b""
            raise

    def get_bytes(self, key: str) -> bytes:
        return self._get(key)

    def get_range(self, key: str, start: int, stop: int) -> bytes:
        check_range(start, stop)
        return self._get(key, Range=f"bytes={start}-{stop - 1}")  # HTTP ranges are inclusive

    def delete(self, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), _DELETE_BATCH):
            chunk = keys[start : start + _DELETE_BATCH]
            response = self._client().delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True},
            )
            # Quiet answers only what failed, key by key (AccessDenied, say), and not as an
            # error of the call: unread, a role without the right would prune nothing.
            if errors := response.get("Errors"):
                first = errors[0]
                raise DeleteError(
                    f"S3 refused to delete {len(errors)} of {len(chunk)} objects "
                    f"({first.get('Code')}: {first.get('Key')})"
                )
