"""A malformed message is never retried into a loop: it lands in the layer queue's DLQ after
maxReceiveCount deliveries (guide rule 6). Only the stack's functions publish network tasks,
so a malformed one does not fail the run it names."""

import json

from lnn.engines.stack import embedded_stack
from messages.status import RunStatus

RUN_ID = "bad-message-run"


def test_malformed_layer_message_ends_in_dlq_and_spares_its_run() -> None:
    with embedded_stack() as (client, runner):
        outputs = client.outputs
        client.ledger.start(RUN_ID, dataset="flower", epochs=1)
        body = {
            "kind": "forward",
            "run_id": RUN_ID,
            "epoch": 0,
            "batch": 0,
            "step": 0,
            "phase": "train",
            "layer": 1,
            "shard": "first",
        }
        client.clients.sns.publish(
            TopicArn=outputs.network_topic_arn,
            Message=json.dumps(body),
            MessageAttributes={"layer": {"DataType": "String", "StringValue": "1"}},
        )
        sqs = client.clients.sqs
        dlq = outputs.queue_urls["layer-1-dlq"]

        def dead_lettered() -> bool:
            attrs = sqs.get_queue_attributes(
                QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"]
            )
            return int(attrs["Attributes"]["ApproximateNumberOfMessages"]) == 1

        assert runner.run_until(dead_lettered, timeout=60)
        neuron = runner.stats.function(outputs.function_arns["neuron"].split(":")[-1])
        assert neuron.failed == 5  # every delivery up to maxReceiveCount failed
        assert client.record(RUN_ID).status is RunStatus.RUNNING
        landed = sqs.receive_message(QueueUrl=dlq)["Messages"][0]
        assert json.loads(landed["Body"]) == body
