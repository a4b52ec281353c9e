"""What concurrency buys a sweep: the same trials of a moons network trained one after
another on the reference engine, then as sweeps at concurrency 1, 4 and 8 on the reference
engine (processes), the embedded stack and `lnn up --workers 4`, all in one bench run so
that the ratios share the machine's load. Each sweep's trials must end SUCCEEDED with the
reference runs' final costs (they are the same runs)."""

from __future__ import annotations

from infra.local import ApiCallCounter
from lnn.bench.exceptions import CaseUnavailableError
from lnn.bench.served_up import served_stack
from lnn.bench.sweep_workload import SEARCH, TRIALS, SweepWorkload
from lnn.sweep.engines import open_engine
from lnn.sweep.stack import StackBackend, waiting

__all__ = ["CONCURRENCY", "UP_WORKERS", "sweep_cost"]

CONCURRENCY = (1, 4, 8)
UP_WORKERS = 4
_SEQUENTIAL = "reference, one after another"


def sweep_cost(_: object, epochs: int, repeats: int, *, trials: int = TRIALS) -> dict[str, object]:
    if repeats != 1:  # each side is a whole sweep; a repeat would double an hour's case
        raise CaseUnavailableError(f"sweep-cost runs each side once, not {repeats} times")
    work = SweepWorkload(epochs, trials)
    wall: dict[str, float] = {_SEQUENTIAL: work.one_after_another()}
    calls: dict[str, int] = {}  # the embedded sweeps' AWS calls, the runner's included
    for engine in ("reference", "embedded"):
        for concurrency in CONCURRENCY:
            label = f"{engine} sweep, concurrency {concurrency}"
            opened = open_engine(engine, work.data, work.configs, concurrency=concurrency)
            with opened as it, ApiCallCounter() as counter:
                wall[label] = work.timed(work.plan(engine, concurrency), it.backend)
            if engine == "embedded":
                calls[label] = sum(counter.snapshot().values())
    with served_stack(UP_WORKERS, max_depth=work.depth) as client:
        for concurrency in CONCURRENCY:
            label = f"lnn up --workers {UP_WORKERS} sweep, concurrency {concurrency}"
            backend = StackBackend(client, work.data, waiting())
            wall[label] = work.timed(work.plan("endpoint", concurrency), backend)
    return {
        "trials": trials,
        "search": SEARCH,
        "wall_s": {name: round(s, 3) for name, s in wall.items()},
        "ratio_to_reference_one_after_another": {
            name: round(s / wall[_SEQUENTIAL], 2) for name, s in wall.items()
        },
        "speedup_over_concurrency_1": _speedups(wall),
        "embedded_aws_calls": calls,
    }


def _speedups(wall: dict[str, float]) -> dict[str, float]:
    """Each sweep's wall time at concurrency 1 over its own at C."""
    out = {}
    for name, seconds in wall.items():
        if "concurrency" in name and not name.endswith("concurrency 1"):
            out[name] = round(wall[name.rsplit(" ", 1)[0] + " 1"] / seconds, 2)
    return out
