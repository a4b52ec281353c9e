"""Benchmark cases: the cat network timed side by side in one process, by name.

Results are ratios measured in the same run, so a busy machine slows both sides alike;
nothing here asserts an absolute time.
"""

from collections.abc import Callable
from dataclasses import dataclass

from lnn.bench.batch_norm import batch_norm
from lnn.bench.engines import embedded_vs_reference, reference_vs_numpy
from lnn.bench.exceptions import CaseUnavailableError
from lnn.bench.floor_case import embedded_floor
from lnn.bench.mnist_shaped import mnist_shaped
from lnn.bench.sweep_cost import sweep_cost
from lnn.bench.sweep_page_cost import sweep_page_cost
from lnn.bench.telemetry_cost import telemetry_cost
from lnn.bench.types import CaseResult
from lnn.bench.watch_cost import watch_cost
from lnn.bench.workload import CatData, MissingCat

Metrics = dict[str, object]
Bench = CatData | MissingCat  # what `lnn bench` found of the cat data


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    epochs: int
    repeats: int
    run: Callable[[Bench, int, int], Metrics]
    needs_cat: bool = True  # False: it runs without the cat data and says it skipped it


def _on_cat(run: Callable[[CatData, int, int], Metrics]) -> Callable[[Bench, int, int], Metrics]:
    """A case measured on the cat network alone: unavailable without its data."""

    def on_cat(cat: Bench, epochs: int, repeats: int) -> Metrics:
        if isinstance(cat, MissingCat):
            raise CaseUnavailableError(cat.reason)
        return run(cat, epochs, repeats)

    return on_cat


CASES: dict[str, Case] = {
    case.name: case
    for case in (
        Case(
            "reference-vs-numpy",
            "reference engine vs the plain numpy course loop",
            2500,
            3,
            _on_cat(reference_vs_numpy),
        ),
        Case(
            "embedded-vs-reference",
            "embedded message-passing engine vs the reference engine",
            5,
            1,
            _on_cat(embedded_vs_reference),
        ),
        Case(
            "embedded-floor",
            "reference, embedded, the emulator's floor, numpy and the project's overhead",
            20,
            1,
            _on_cat(embedded_floor),
        ),
        Case(
            "telemetry-cost",
            "telemetry on vs off: reference time, embedded calls per step and time",
            1000,
            1,
            _on_cat(telemetry_cost),
        ),
        Case(
            "watch-cost",
            "the live page on vs off: time, the views' AWS calls per step, document bytes",
            300,
            3,
            watch_cost,
            needs_cat=False,
        ),
        Case(
            "sweep-cost",
            "16 trials as one after another, and as sweeps at concurrency 1, 4 and 8 on the "
            "reference engine, embedded and lnn up --workers 4 (an hour: opt-in)",
            300,
            1,
            sweep_cost,
            needs_cat=False,
        ),
        Case(
            "sweep-page-cost",
            "the live sweep page on vs off: an embedded sweep of 16 trials at concurrency 4, "
            "interleaved (opt-in)",
            100,
            3,
            sweep_page_cost,
            needs_cat=False,
        ),
        Case(
            "batch-norm",
            "5 hidden ReLU layers on digits with and without batch norm: epochs to a cost and "
            "dev accuracy at 3 rates, then ms per step on the reference and embedded engines "
            "(opt-in)",
            300,
            3,
            batch_norm,
            needs_cat=False,
        ),
        Case(
            "mnist-shaped",
            "an epoch of 128:relu,64:relu,10:softmax on 60,000 x 784 float32 samples, the "
            "reference and embedded engines each in a child process, and lnn estimate of it "
            "(opt-in)",
            1,
            1,
            mnist_shaped,
            needs_cat=False,
        ),
    )
}


def one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def run_case(case: Case, cat: Bench, epochs: int | None, repeats: int | None) -> CaseResult:
    epochs, repeats = epochs or case.epochs, repeats or case.repeats
    settings = {"description": case.description, "epochs": epochs, "repeats": repeats}
    try:
        metrics = case.run(cat, epochs, repeats)
    except CaseUnavailableError as exc:
        return CaseResult(case.name, "unavailable", settings, str(exc))
    # A broken engine must not throw away the other cases' measurements.
    except Exception as exc:
        return CaseResult(case.name, "failed", settings, one_line(exc))
    return CaseResult(case.name, "ok", {**settings, **metrics})
