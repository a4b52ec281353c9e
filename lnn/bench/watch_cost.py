"""What watching costs: the same embedded run with the live page's view and feed on (a
RunView fed by StackFeed, its document fetched every 2 s from a thread of its own, as the
page's server answers it) and off, interleaved, on flower and on the cat network; the AWS
calls the views add, on steps with telemetry and on the others; the bytes of the documents
the page is sent; and the reference engine the same way.

Both sides run at the cadence the course's 2,500-epoch cat run gets by default (one step in
five), so that most steps have no telemetry and the views' reads show where they fall."""

from dataclasses import dataclass, field
from typing import Any

from functions.nn.data import n_batches
from functions.training.schedule import telemetry_cadence
from functions.training.split import DataSplit
from infra.local.api_calls import add_tracer, remove_tracer
from lnn.bench.exceptions import CaseUnavailableError, EngineRunFailedError
from lnn.bench.telemetry_cost import CAT_RUN_EPOCHS
from lnn.bench.timing import Timed, time_interleaved
from lnn.bench.types import AGREEMENT_TOLERANCE
from lnn.bench.watch_page import PAGE, CountedFeed, FeedCalls, PageLoad, PagePoller, ViewCalls
from lnn.bench.workload import CatData, MissingCat, max_abs_diff
from lnn.datasets import load_dataset
from lnn.engines.base import TrainingResult
from lnn.engines.reference import train_reference
from lnn.prepare import PreparedData, prepare, split
from lnn.watch.feeds import ReferenceFeed, finish, planned_view
from lnn.watch.stack_feed import StackFeed
from lnn.watch.view import RunView
from messages.status import HistoryEntry, RunStatus
from messages.train_request import TrainConfig

# The README's first run: flower, 4:tanh,1:sigmoid, lr 1.2 (the case's epochs are its).
FLOWER_LAYERS: list[dict[str, object]] = [
    {"units": 4, "activation": "tanh"},
    {"units": 1, "activation": "sigmoid"},
]
_FLOWER_LR = 1.2
CAT_EPOCHS = 40  # at most: an embedded cat step takes about 50 flower steps' time


@dataclass(frozen=True)
class Workload:
    name: str
    config: TrainConfig
    data: PreparedData
    split: DataSplit
    classes: tuple[str, ...]

    def view(self, engine: str) -> RunView:
        """The view `lnn train --watch` makes of this run before it starts."""
        x, y = self.data.x, self.data.y
        return planned_view(engine, self.config, x, y, self.split, self.classes)


@dataclass
class Watched:
    """One run, and what its views cost when they were on."""

    result: TrainingResult
    feed: FeedCalls = field(default_factory=FeedCalls)
    page: PageLoad = field(default_factory=PageLoad)
    page_calls: int = 0


def _at_one_in_five(config: TrainConfig, columns: DataSplit) -> TrainConfig:
    """``config`` at the cadence the course's cat run gets by default (one step in five)."""
    steps_per_epoch = n_batches(columns.x_train.shape[1], config.batch_size)
    interval = telemetry_cadence("auto", CAT_RUN_EPOCHS, steps_per_epoch).interval
    return config.model_copy(update={"telemetry_every": interval})


def _flower(epochs: int, shards: int) -> Workload:
    dataset = load_dataset("flower")
    data = prepare(dataset, FLOWER_LAYERS)
    config = TrainConfig(
        dataset="flower", layers=FLOWER_LAYERS, epochs=epochs, lr=_FLOWER_LR, shards=shards
    )
    columns = split(data, holdout=config.holdout, seed=config.seed)
    return Workload("flower", _at_one_in_five(config, columns), data, columns, dataset.classes)


def _cat(cat: CatData, epochs: int) -> Workload:
    config = cat.config(min(epochs, CAT_EPOCHS))
    columns = split(cat.data, holdout=config.holdout, seed=config.seed)
    return Workload("cat", _at_one_in_five(config, columns), cat.data, columns, cat.classes)


def _progress(entry: HistoryEntry) -> None:
    """The progress bar's place: the waiting loop reads the history for it, on both sides."""


def _checked(result: TrainingResult) -> TrainingResult:
    if result.status != RunStatus.SUCCEEDED:
        raise EngineRunFailedError(f"{result.status}: {result.reason}")
    return result


def _embedded(work: Workload, *, watched: bool) -> Watched:
    from lnn.engines.stack import train_on_stack

    calls = ViewCalls()  # hooked on both sides alike: only the watched one marks its calls
    add_tracer(calls)
    try:
        if not watched:
            run = train_on_stack(work.config, work.data, on_epoch=_progress)
            return Watched(_checked(run))
        view = work.view("embedded")
        feed = CountedFeed(StackFeed(view), calls)
        with PagePoller(view, calls) as page:
            run = train_on_stack(work.config, work.data, observer=feed, on_epoch=_progress)
            finish(view, run)  # as `lnn train --watch` does with the run's result
    finally:
        remove_tracer(calls)
    return Watched(_checked(run), feed.counted, page.load, sum(calls.of(PAGE).values()))


def _reference(work: Workload, *, watched: bool) -> Watched:
    if not watched:
        return Watched(_checked(train_reference(work.config, work.split)))
    view = work.view("reference")
    feed = ReferenceFeed(view)
    calls = ViewCalls()
    with PagePoller(view, calls) as page:
        run = train_reference(
            work.config,
            work.split,
            on_epoch=feed.on_epoch,
            on_step=feed.on_step,
            first_layer=feed.first_layer,
        )
        finish(view, run)
    return Watched(_checked(run), page=page.load)


def _side_by_side(
    run: Any, work: Workload, repeats: int
) -> tuple[Timed[Watched], Timed[Watched], bool]:
    on, off = time_interleaved(
        lambda: run(work, watched=True), lambda: run(work, watched=False), repeats
    )
    agree = max_abs_diff(on.result.result.params, off.result.result.params) <= AGREEMENT_TOLERANCE
    return on, off, agree


def measure(work: Workload, repeats: int) -> dict[str, object]:
    """The workload's figures, each key prefixed with its name."""
    on, off, agree = _side_by_side(_embedded, work, repeats)
    ref_on, ref_off, ref_agree = _side_by_side(_reference, work, repeats)
    watched = on.result
    steps = work.config.epochs * n_batches(work.split.x_train.shape[1], work.config.batch_size)
    telemetry = len({r.step for r in watched.result.telemetry})
    feed, page = watched.feed, watched.page
    views = feed.start + feed.telemetry + feed.quiet + feed.end + watched.page_calls
    figures: dict[str, object] = {
        "epochs": work.config.epochs,
        "shards": work.config.shards,
        "steps": steps,
        "telemetry_steps": telemetry,
        "watched_s": on.median,
        "unwatched_s": off.median,
        "ratio": on.median / off.median,
        "runs_s": {"watched": on.seconds, "unwatched": off.seconds},
        "view_calls": views,
        "view_calls_per_telemetry_step": views / telemetry if telemetry else None,
        "view_calls_per_step_without_telemetry": feed.quiet / max(steps - telemetry, 1),
        "polls_without_telemetry": feed.quiet_polls,
        "polls_with_telemetry": feed.telemetry_polls,
        "view_calls_by_kind": {
            "start": feed.start,  # the plan's read, and the steps claimed by then
            "telemetry steps": feed.telemetry,
            "other steps": feed.quiet,
            "end": feed.end,
            "page": watched.page_calls,
        },
        "view_calls_by_operation": dict(sorted(feed.by_operation.items())),
        "document_polls": page.polls,
        "document_bytes": page.bytes_sent,
        "first_document_bytes": page.first_bytes,
        "largest_document_bytes": page.largest_bytes,
        "reference_watched_s": ref_on.median,
        "reference_unwatched_s": ref_off.median,
        "reference_ratio": ref_on.median / ref_off.median,
        "models_agree": agree and ref_agree,
    }
    return {f"{work.name}_{key}": value for key, value in figures.items()}


def watch_cost(cat: CatData | MissingCat, epochs: int, repeats: int) -> dict[str, object]:
    """Flower for ``epochs`` epochs, the cat network for at most CAT_EPOCHS; without the
    cat data, flower alone and the reason in one line."""
    try:
        import lnn.engines.stack  # noqa: F401
    except ImportError as exc:
        raise CaseUnavailableError(f"lnn.engines.stack: {exc}") from exc
    metrics = measure(_flower(epochs, cat.shards), repeats)
    if isinstance(cat, MissingCat):
        metrics["cat"] = f"skipped: {cat.reason}"
    else:
        metrics.update(measure(_cat(cat, epochs), repeats))
    # One verdict for the report: the views changed no model, on either network.
    agree = all(metrics.pop(f"{name}_models_agree", True) for name in ("flower", "cat"))
    return {**metrics, "models_agree": agree}
