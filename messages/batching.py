"""How message bodies are grouped into batch calls (SNS PublishBatch, SQS SendMessageBatch):
at most PUBLISH_BATCH_ENTRIES a call, and at most the service's byte budget of bodies
together (messages/limits.py: PUBLISH_BATCH_BYTES for SNS, SEND_BATCH_BYTES for SQS)."""

from messages.limits import PUBLISH_BATCH_ENTRIES


def batch_bodies(bodies: list[str], *, max_bytes: int) -> list[list[tuple[int, str]]]:
    """``bodies`` in order, cut into batches of (index, body) of at most ``max_bytes`` of
    bodies each; a body alone over the budget gets a batch of its own (the service then
    judges it)."""
    chunks: list[list[tuple[int, str]]] = [[]]
    size = 0
    for index, body in enumerate(bodies):
        full = len(chunks[-1]) == PUBLISH_BATCH_ENTRIES or size + len(body) > max_bytes
        if chunks[-1] and full:
            chunks.append([])
            size = 0
        chunks[-1].append((index, body))
        size += len(body)
    return chunks
