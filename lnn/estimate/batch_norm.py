"""What batch normalization adds to a step: the same network measured without it.

Batch norm adds no hop (each unit is normalized over the batch inside the shard that owns
it), but a normalized layer's parameter versions hold more arrays: gamma and beta in place
of b, their optimizer moments, and the running mean and variance. A version rides in its
backward barrier item while it fits its share of the item (functions/protocol/versions.py),
else it is an S3 object written and read back, so the extra arrays cost bytes, and calls
when they push a layer's versions out of the item. Its shards also compute more. The
estimate of a run with batch-normed layers therefore also measures the same run without
batch norm, step for step, and reports the difference.
"""

from __future__ import annotations

from dataclasses import dataclass

from functions.protocol.plan import RunPlan
from functions.protocol.versions import inline
from lnn.estimate.tally import Tally
from messages.train_request import TrainConfig


def without_batch_norm(config: TrainConfig) -> TrainConfig | None:
    """The same run with no layer batch-normalized; None when none is."""
    if not any(layer.batch_norm for layer in config.layers):
        return None
    document = config.model_dump()
    for layer in document["layers"]:
        layer["batch_norm"] = False
    return TrainConfig.model_validate(document)


def _version_places(config: TrainConfig, n_features: int) -> list[str]:
    """Where each layer's parameter versions after the first live: "inline" or "s3"."""
    plan = RunPlan("estimate", config, n_features, (0, 0, 0))
    return ["inline" if inline(plan, layer) else "s3" for layer in range(1, plan.depth + 1)]


@dataclass(frozen=True)
class BatchNormCost:
    """A measured step of the run (with batch norm) beside the same step without it."""

    step: Tally
    plain: Tally
    versions: list[str]  # where each layer's versions live with batch norm
    plain_versions: list[str]  # and without

    @classmethod
    def of(
        cls,
        config: TrainConfig,
        plain: TrainConfig,
        n_features: int,
        step: Tally,
        plain_step: Tally,
    ) -> BatchNormCost:
        return cls(
            step,
            plain_step,
            _version_places(config, n_features),
            _version_places(plain, n_features),
        )

    @property
    def added(self) -> Tally:
        return self.step - self.plain

    def _side_by_side(self, key: str) -> dict[str, float]:
        return {"with": self.step[key], "without": self.plain[key], "added": self.added[key]}

    def added_calls_by_operation(self) -> dict[str, float]:
        """Operations whose count a step changes (round-off of a difference left out)."""
        return {name: n for name, n in self.added.with_prefix("calls.").items() if abs(n) > 1e-9}

    def moved_layers(self) -> list[int]:
        """Layers (from 1) whose versions batch norm's arrays push out of the barrier item."""
        pairs = zip(self.versions, self.plain_versions, strict=True)
        return [n for n, (bn, plain) in enumerate(pairs, start=1) if bn != plain]

    def as_dict(self) -> dict[str, object]:
        return {
            "calls": self._side_by_side("calls"),
            "hops": self._side_by_side("hops"),
            "request_bytes": self._side_by_side("bytes.request"),
            "response_bytes": self._side_by_side("bytes.response"),
            "compute_s": self._side_by_side("compute"),
            "added_calls_by_operation": self.added_calls_by_operation(),
            "versions": {"with": self.versions, "without": self.plain_versions},
        }

    def line(self) -> str:
        """``batch norm adds: +N calls, +M bytes a step (...)``, and why when it adds calls."""
        added = self.added
        by_operation = ", ".join(
            f"{n:+.3g} {name}" for name, n in self.added_calls_by_operation().items()
        )
        request, response = added["bytes.request"], added["bytes.response"]
        text = (
            f"batch norm adds: {added['calls']:+.3g} calls, {request + response:+,.0f} bytes a "
            f"step (request {request:+,.0f}, response {response:+,.0f}"
            f"{'; ' + by_operation if by_operation else ''}), {added['hops']:+.3g} hops, "
            f"{added['compute'] * 1000:+.1f} ms of handler compute"
        )
        moved = self.moved_layers()
        if moved:
            names = ", ".join(str(n) for n in moved)
            text += f"; layer {names}'s versions no longer fit the barrier item: S3 objects"
        return text
