"""Publishing: tasks to the network topic (routed by the "layer" attribute), messages to the
trainer's topic, lifecycle events to the events topic."""

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from functions.aws.clients import client
from functions.aws.exceptions import PublishError

BATCH_ENTRIES = 10
BATCH_BYTES = 240 * 1024  # SNS caps a PublishBatch at 256 KiB in total


def _chunks(bodies: list[str]) -> list[list[tuple[int, str]]]:
    chunks: list[list[tuple[int, str]]] = [[]]
    size = 0
    for index, body in enumerate(bodies):
        if chunks[-1] and (len(chunks[-1]) == BATCH_ENTRIES or size + len(body) > BATCH_BYTES):
            chunks.append([])
            size = 0
        chunks[-1].append((index, body))
        size += len(body)
    return chunks


class Bus:
    def __init__(
        self,
        *,
        network_topic_arn: str,
        train_topic_arn: str,
        events_topic_arn: str,
        sns: Any = None,
    ) -> None:
        self.network_topic_arn = network_topic_arn
        self.train_topic_arn = train_topic_arn
        self.events_topic_arn = events_topic_arn
        self._sns = sns  # an explicit client (CLI side); None = the process's own

    def _client(self) -> Any:
        return self._sns or client("sns")

    def send_tasks(self, tasks: Sequence[BaseModel], route: str) -> None:
        """Publish one message per task; ``route`` is a layer number or "out"."""
        attributes = {"layer": {"DataType": "String", "StringValue": route}}
        bodies = [task.model_dump_json() for task in tasks]
        for chunk in _chunks(bodies):
            if len(chunk) == 1:
                self._client().publish(
                    TopicArn=self.network_topic_arn,
                    Message=chunk[0][1],
                    MessageAttributes=attributes,
                )
                continue
            entries = [
                {"Id": str(i), "Message": body, "MessageAttributes": attributes}
                for i, body in chunk
            ]
            response = self._client().publish_batch(
                TopicArn=self.network_topic_arn, PublishBatchRequestEntries=entries
            )
            failed = {f["Id"] for f in response.get("Failed", [])}
            if failed:
                retry = [e for e in entries if e["Id"] in failed]
                response = self._client().publish_batch(
                    TopicArn=self.network_topic_arn, PublishBatchRequestEntries=retry
                )
                if response.get("Failed"):
                    raise PublishError(f"SNS refused {len(response['Failed'])} task messages")

    def send_to_trainer(self, message: BaseModel) -> None:
        self._client().publish(TopicArn=self.train_topic_arn, Message=message.model_dump_json())

    def emit(self, event: BaseModel) -> None:
        document = json.loads(event.model_dump_json())
        self._client().publish(
            TopicArn=self.events_topic_arn,
            Message=json.dumps(document),
            MessageAttributes={"event": {"DataType": "String", "StringValue": document["event"]}},
        )
