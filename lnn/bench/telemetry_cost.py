"""What telemetry costs: the reference engine's time with it on every step and at the
default cadence, each against it off; the embedded engine's calls per step, and its time at
the cat run's default cadence."""

from functions.training.schedule import iter_steps, telemetry_cadence
from lnn.bench.exceptions import EngineRunFailedError
from lnn.bench.timing import time_interleaved
from lnn.bench.workload import CatData, same_bytes
from lnn.engines.base import TrainingResult
from lnn.engines.reference import train_reference
from messages.status import RunStatus
from messages.train_request import TrainConfig

_EMBEDDED_TELEMETRY_EPOCHS = 5
# The embedded time of telemetry: long enough for a per-step difference of a few per cent to
# show through the run's fixed start and finish, short enough for a few repeats.
_EMBEDDED_TIMED_EPOCHS = 40
CAT_RUN_EPOCHS = 2500  # the run the figure is about: its default cadence is timed


def telemetry_cost(cat: CatData, epochs: int, repeats: int) -> dict[str, object]:
    """The reference engine with telemetry on every step, and at the default cadence, each
    timed against telemetry off; the embedded engine's calls per step on and off."""
    config = cat.config(epochs)
    every, auto, off = (config.model_copy(update={"telemetry_every": v}) for v in (1, "auto", 0))
    on_run, off_run = time_interleaved(
        lambda: train_reference(every, cat.split), lambda: train_reference(off, cat.split), repeats
    )
    auto_run, off_again = time_interleaved(
        lambda: train_reference(auto, cat.split), lambda: train_reference(off, cat.split), repeats
    )
    metrics: dict[str, object] = {
        "reference_every_step_overhead": on_run.median / off_run.median - 1,
        "reference_default_cadence_overhead": auto_run.median / off_again.median - 1,
        "default_cadence_telemetry_steps": len({r.step for r in auto_run.result.telemetry}),
        "reference_off_s": off_run.median,
        "reference_every_step_s": on_run.median,
        "reference_default_cadence_s": auto_run.median,
    }
    agree = same_bytes(on_run.result.params, off_run.result.params)
    try:
        from lnn.engines.stack import train_on_stack
    except ImportError:  # the reference figures stand alone
        return {**metrics, "models_agree": agree}
    # The embedded engine answers each call in milliseconds: a few epochs count its calls.
    short = min(epochs, _EMBEDDED_TELEMETRY_EPOCHS)
    runs = {}
    for name, cfg in (("on", every), ("off", off)):
        cfg = cfg.model_copy(update={"epochs": short})
        runs[name] = train_on_stack(cfg, cat.data, engine="embedded")
        if runs[name].status != RunStatus.SUCCEEDED:
            raise EngineRunFailedError(f"embedded run {runs[name].status}: {runs[name].reason}")
    m = cat.data.x.shape[1]
    steps = sum(1 for _ in iter_steps(m, config.batch_size, seed=config.seed, epochs=short))
    calls = {
        name: int(dict(run.extra.get("critical_path", {})).get("calls", 0))
        for name, run in runs.items()
    }
    writes = {name: _writes(run) for name, run in runs.items()}
    timed = _embedded_cadence_cost(cat, off, min(epochs, _EMBEDDED_TIMED_EPOCHS), repeats)
    return {
        **metrics,
        **timed,
        "embedded_calls_per_step_on": calls["on"] / steps,
        "embedded_calls_per_step_off": calls["off"] / steps,
        "embedded_extra_writes_per_telemetry_step": (writes["on"] - writes["off"]) / steps,
        "embedded_steps": steps,
        "layers": len(config.layers),
        "models_agree": agree and same_bytes(runs["on"].params, runs["off"].params),
    }


def _embedded_cadence_cost(
    cat: CatData, off: TrainConfig, epochs: int, repeats: int
) -> dict[str, object]:
    """The embedded engine at the cadence ``auto`` gives the whole 2,500-epoch cat run (one
    step in five), timed against telemetry off over ``epochs`` epochs, interleaved."""
    from lnn.engines.stack import train_on_stack

    batches = sum(
        1 for _ in iter_steps(cat.data.x.shape[1], off.batch_size, seed=off.seed, epochs=1)
    )
    interval = telemetry_cadence("auto", CAT_RUN_EPOCHS, batches).interval
    short_off = off.model_copy(update={"epochs": epochs})
    short_on = short_off.model_copy(update={"telemetry_every": interval})
    on_run, off_run = time_interleaved(
        lambda: train_on_stack(short_on, cat.data, engine="embedded"),
        lambda: train_on_stack(short_off, cat.data, engine="embedded"),
        repeats,
    )
    for run in (on_run.result, off_run.result):
        if run.status != RunStatus.SUCCEEDED:
            raise EngineRunFailedError(f"embedded run {run.status}: {run.reason}")
    return {
        "embedded_default_cadence_interval": interval,
        "embedded_default_cadence_overhead": on_run.median / off_run.median - 1,
        "embedded_default_cadence_s": on_run.median,
        "embedded_off_s": off_run.median,
        "embedded_timed_epochs": epochs,
        "embedded_runs_s": {"on": on_run.seconds, "off": off_run.seconds},
    }


# What telemetry adds to a step: writes. The calls around them move with timing (how many
# receives come back empty, how deletes batch, how often a waiter looks) and with the picture
# steps, which follow the telemetry steps.
_WRITES = ("s3.PutObject", "dynamodb.PutItem", "dynamodb.UpdateItem", "dynamodb.BatchWriteItem")


def _writes(run: TrainingResult) -> int:
    return sum(dict(run.extra.get("api_calls", {})).get(api, 0) for api in _WRITES)
