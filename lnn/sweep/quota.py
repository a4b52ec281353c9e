"""How many trials may run at once under the account's Lambda concurrency quota.

A run's executions at once, at most (``peak_executions``), from the protocol
(functions/protocol): a step is a chain of stages, each published by the arrival that
completed the one before (forward layer 1 .. L, the loss, backward L .. 1; an evaluation is
the forward chain), and a stage of layer l is one task per shard, min(shards, units of l)
invocations (messages a poller batches into one invocation only lower that). A shard that
did not complete its stage returns right after its claim, before the stage's last arrival
publishes the next; the one that published returns after its publish, which may be after
the next stage's first invocations started. The loss stage is one invocation, the trainer
one (its start publishes layer 1), a step's claim rides in layer 1's last backward arrival.
So a run has at most its widest layer's shards + 1 executions at once. Not counted: the
dead-letter function (a failing run) and a redelivery racing its slow first delivery.

Trials run side by side hold their peaks at once in the worst case, so with a quota of Q
at most Q // peak trials (at least 1) run without throttling (``capped_concurrency``).
A throttled invocation's messages go back to their queue and come again later, each time
counting towards the queue's receive limit (infra/stack/spec.py MAX_RECEIVE_COUNT; past it
the dead-letter queue fails the run): a sweep over the quota is slower and may lose
trials. Capping its concurrency is the steady alternative.
"""

from __future__ import annotations

from collections.abc import Sequence

from messages.train_request import TrainConfig

__all__ = ["capped_concurrency", "peak_executions"]


def peak_executions(config: TrainConfig) -> int:
    """The most Lambda executions one run of ``config`` has at once: its widest layer's
    shards, plus the invocation that published their stage and may still be returning."""
    widest = max(config.shards_for(layer) for layer in range(1, config.depth + 1))
    return widest + 1


def capped_concurrency(
    configs: Sequence[TrainConfig], concurrency: int, quota: int | None
) -> tuple[int, str | None]:
    """The trials to run at once for the sweep of ``configs`` at ``concurrency`` under a
    Lambda concurrency ``quota`` (None: no cap), and, when the quota lowers it, why."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    if quota is None or not configs:
        return concurrency, None
    if quota < 1:
        raise ValueError(f"the Lambda quota must be at least 1, got {quota}")
    peak = max(peak_executions(c) for c in configs)
    running = min(concurrency, len(configs))  # no more trials run at once than there are
    if running * peak <= quota:
        return concurrency, None
    allowed = max(1, quota // peak)
    need = f"{running} trials at once need up to {running} x {peak} = {running * peak}"
    if peak > quota:
        return 1, (
            f"{need} concurrent Lambda executions; a quota of {quota} is below even one "
            f"trial's {peak}: 1 at a time, and its widest stages are throttled"
        )
    return allowed, (
        f"{need} concurrent Lambda executions; a quota of {quota} lets {allowed} run at once"
    )
