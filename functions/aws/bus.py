"""SnsBus: the bus port on three SNS topics (network tasks routed by the "layer" message
attribute, the trainer's inbox, lifecycle events)."""

from typing import Any

from functions.aws.clients import client
from functions.ports import Bus, PublishError, Route
from messages.batching import batch_bodies
from messages.limits import PUBLISH_BATCH_BYTES


class SnsBus(Bus):
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

    def publish_tasks(self, bodies: list[str], route: Route) -> None:
        attributes = {"layer": {"DataType": "String", "StringValue": route}}
        for chunk in batch_bodies(bodies, max_bytes=PUBLISH_BATCH_BYTES):
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
            self._publish_batch(entries)

    def _publish_batch(self, entries: list[dict[str, Any]]) -> None:
        response = self._client().publish_batch(
            TopicArn=self.network_topic_arn, PublishBatchRequestEntries=entries
        )
        failed = {f["Id"] for f in response.get("Failed", [])}
        if failed:  # SNS fails entries one by one (throttling): one retry of just those
            retry = [e for e in entries if e["Id"] in failed]
            response = self._client().publish_batch(
                TopicArn=self.network_topic_arn, PublishBatchRequestEntries=retry
            )
            if response.get("Failed"):
                raise PublishError(f"SNS refused {len(response['Failed'])} task messages")

    def publish_to_trainer(self, body: str) -> None:
        self._client().publish(TopicArn=self.train_topic_arn, Message=body)

    def publish_event(self, name: str, body: str) -> None:
        self._client().publish(
            TopicArn=self.events_topic_arn,
            Message=body,
            MessageAttributes={"event": {"DataType": "String", "StringValue": name}},
        )
