"""Make failed records visible again after a short, local retry delay."""

from __future__ import annotations

import heapq
import itertools
import logging
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

logger = logging.getLogger(__name__)


class RetryScheduler:
    """Shortens the visibility of failed records to `delay` seconds.

    delay=None leaves them to the queue's VisibilityTimeout, as Lambda does.
    """

    def __init__(self, sqs: Any, delay: float | None) -> None:
        self._sqs = sqs
        self.delay = delay
        self._due: list[tuple[float, int, str, list[str]]] = []
        self._seq = itertools.count()

    def schedule(
        self, queue_url: str, receipt_handles: list[str], *, delay: float | None = None
    ) -> None:
        """Make the records visible after ``delay`` seconds (default: the scheduler's)."""
        delay = self.delay if delay is None else delay
        if not receipt_handles or delay is None:
            return
        if delay <= 0:
            self._make_visible(queue_url, receipt_handles)
            return
        # VisibilityTimeout takes whole seconds; sub-second delays are released by us.
        entry = (time.monotonic() + delay, next(self._seq), queue_url, receipt_handles)
        heapq.heappush(self._due, entry)

    def release_due(self) -> None:
        now = time.monotonic()
        while self._due and self._due[0][0] <= now:
            _, _, queue_url, handles = heapq.heappop(self._due)
            self._make_visible(queue_url, handles)

    def cap_sleep(self, sleep: float) -> float:
        """`sleep`, shortened so that the next release is not late."""
        if not self._due:
            return sleep
        return max(0.0, min(sleep, self._due[0][0] - time.monotonic()))

    def _make_visible(self, queue_url: str, receipt_handles: list[str]) -> None:
        entries = [
            {"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0}
            for i, h in enumerate(receipt_handles)
        ]
        try:
            self._sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=entries)
        except (ClientError, BotoCoreError) as exc:
            # Gone already (redriven, or its queue deleted): nothing left to release.
            logger.debug("releasing messages on %s failed: %s", queue_url, exc)
