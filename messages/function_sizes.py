"""Each function's timeout and memory: a setting of the deploy, stored in the functions'
environment (LNN_FUNCTION_SIZES) and the stack outputs, where functions and clients read it.

The queue a function consumes hides a received message for visibility_timeout_s of the
function's timeout, and the clients' default stall limit outlasts the longest of those.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from messages.limits import LAMBDA_MEMORY_MB, LAMBDA_TIMEOUT_S

__all__ = [
    "DEFAULT_FUNCTION_SIZES",
    "FUNCTION_KEYS",
    "FunctionSize",
    "FunctionSizeError",
    "FunctionSizes",
    "visibility_timeout_s",
]

# The stack's functions, by the key that names their handler, role and settings.
FUNCTION_KEYS: tuple[str, ...] = ("trainer", "neuron", "loss", "deadletters")


class FunctionSizeError(ValueError):
    """A size Lambda would refuse, or an unreadable one; the message is one line."""


def visibility_timeout_s(function_timeout_s: int) -> int:
    """How long SQS hides a received message: 6 x the function timeout, AWS's advice for a
    Lambda event source (a batch that is retried inside one invocation stays hidden)."""
    return 6 * function_timeout_s


@dataclass(frozen=True)
class FunctionSize:
    """One function's Timeout (seconds) and MemorySize (MB), within Lambda's limits."""

    timeout_s: int
    memory_mb: int

    def __post_init__(self) -> None:
        for value in (self.timeout_s, self.memory_mb):
            if not isinstance(value, int) or isinstance(value, bool):
                raise FunctionSizeError(f"a function size is a whole number, not {value!r}")
        low, high = LAMBDA_TIMEOUT_S
        if not low <= self.timeout_s <= high:
            raise FunctionSizeError(f"timeout {self.timeout_s} s is outside Lambda's {low}..{high}")
        low, high = LAMBDA_MEMORY_MB
        if not low <= self.memory_mb <= high:
            raise FunctionSizeError(f"memory {self.memory_mb} MB is outside Lambda's {low}..{high}")


@dataclass(frozen=True)
class FunctionSizes:
    """A FunctionSize for each of FUNCTION_KEYS (hashable: it is part of a stack's settings)."""

    sizes: tuple[tuple[str, FunctionSize], ...]

    def __post_init__(self) -> None:
        keys = tuple(key for key, _ in self.sizes)
        if sorted(keys) != sorted(FUNCTION_KEYS):
            raise FunctionSizeError(f"sizes are for {', '.join(keys)}, not {FUNCTION_KEYS}")

    @classmethod
    def of(cls, sizes: Mapping[str, FunctionSize]) -> FunctionSizes:
        return cls(tuple((key, sizes[key]) for key in FUNCTION_KEYS if key in sizes))

    def __getitem__(self, key: str) -> FunctionSize:
        return dict(self.sizes)[key]

    def __iter__(self) -> Iterator[tuple[str, FunctionSize]]:
        return iter(self.sizes)

    @property
    def longest_timeout_s(self) -> int:
        return max(size.timeout_s for _, size in self.sizes)

    def replaced(
        self, *, timeouts: Mapping[str, int] | None = None, memory: Mapping[str, int] | None = None
    ) -> FunctionSizes:
        """These sizes with some functions' timeout or memory replaced (FunctionSizeError
        for an unknown function or a size out of Lambda's range)."""
        for key in (*(timeouts or {}), *(memory or {})):
            if key not in FUNCTION_KEYS:
                raise FunctionSizeError(f"no function {key!r}: one of {', '.join(FUNCTION_KEYS)}")
        return FunctionSizes.of(
            {
                key: FunctionSize(
                    (timeouts or {}).get(key, size.timeout_s),
                    (memory or {}).get(key, size.memory_mb),
                )
                for key, size in self.sizes
            }
        )

    def to_dict(self) -> dict[str, dict[str, int]]:
        """As JSON: {"trainer": {"timeout_s": 120, "memory_mb": 2048}, ...}."""
        return {k: {"timeout_s": s.timeout_s, "memory_mb": s.memory_mb} for k, s in self.sizes}

    @classmethod
    def from_dict(cls, data: object) -> FunctionSizes:
        """Inverse of to_dict; FunctionSizeError on a malformed document."""
        if not isinstance(data, dict):
            raise FunctionSizeError("function sizes must map each function to its sizes")
        try:
            return cls.of({k: FunctionSize(**v) for k, v in data.items()})
        except TypeError as exc:
            raise FunctionSizeError(f"function sizes {data!r} are malformed") from exc

    def encode(self) -> str:
        """One environment variable: "trainer=120s/2048MB,neuron=60s/1024MB,..."."""
        return ",".join(f"{k}={s.timeout_s}s/{s.memory_mb}MB" for k, s in self.sizes)

    @classmethod
    def decode(cls, text: str) -> FunctionSizes:
        """Inverse of encode; FunctionSizeError if the text is not what encode writes."""
        found: dict[str, FunctionSize] = {}
        for item in text.split(","):
            key, _, value = item.partition("=")
            timeout, _, memory = value.partition("/")
            if not (timeout.endswith("s") and memory.endswith("MB")):
                raise FunctionSizeError(f"unreadable function size {item!r}")
            try:
                found[key] = FunctionSize(int(timeout[:-1]), int(memory[:-2]))
            except ValueError as exc:
                raise FunctionSizeError(f"unreadable function size {item!r}") from exc
        return cls.of(found)


# What `lnn deploy` and the embedded engine deploy unless told otherwise. The trainer starts
# a run (it reads and splits the uploaded data): more time, and more memory, which also
# buys Lambda CPU. A neuron or the loss works on one batch of one shard. The dead-letter
# consumer reads one letter and writes one record.
DEFAULT_FUNCTION_SIZES = FunctionSizes.of(
    {
        "trainer": FunctionSize(timeout_s=120, memory_mb=2048),
        "neuron": FunctionSize(timeout_s=60, memory_mb=1024),
        "loss": FunctionSize(timeout_s=60, memory_mb=1024),
        "deadletters": FunctionSize(timeout_s=60, memory_mb=256),
    }
)
