"""The embedded engine against its emulator's floor: the run's own recorded calls replayed
on a fresh emulator (lnn/bench/floor.py), beside the reference engine's time (the numpy),
so what is left is the project's own overhead."""

import statistics
import time
from typing import TYPE_CHECKING

from lnn.bench.exceptions import CaseUnavailableError, EngineRunFailedError
from lnn.bench.types import AGREEMENT_TOLERANCE
from lnn.bench.workload import CatData, max_abs_diff
from lnn.engines.base import TrainingResult
from lnn.engines.reference import train_reference
from messages.status import RunStatus
from messages.train_request import TrainConfig

if TYPE_CHECKING:  # the engines load boto3 and moto: only when a case runs
    from infra.local.api_trace import ApiCallRecorder


def _traced_embedded(
    cat: CatData, config: TrainConfig
) -> tuple[TrainingResult, "ApiCallRecorder", float]:
    """The embedded run after a one-epoch warm-up on the same stack (imports, caches), its
    calls recorded and its handlers timed; with the seconds its handlers spent outside AWS
    calls."""
    from infra.local.api_trace import ApiCallRecorder
    from lnn.engines.stack import embedded_stack, run_embedded
    from lnn.estimate import RunTrace, timed_handlers

    recorder = ApiCallRecorder()
    with embedded_stack() as session:
        run_embedded(session, config.model_copy(update={"epochs": 1}), cat.data)
        handlers = {m.handler for m in session.runner.mappings}
        with timed_handlers(handlers) as invocations:
            result = run_embedded(session, config, cat.data, observe=recorder)
    if result.status != RunStatus.SUCCEEDED:
        raise EngineRunFailedError(f"embedded run {result.status}: {result.reason}")
    trace = RunTrace.of(recorder.operations, invocations)
    handler_s = sum(trace.compute_seconds(i) for i in range(len(trace.invocations)))
    return result, recorder, handler_s


def embedded_floor(cat: CatData, epochs: int, repeats: int) -> dict[str, object]:
    """Reference, embedded and the emulator's floor (the embedded run's own calls replayed on
    a fresh emulator), side by side; the rest of the embedded time is numpy (the reference
    engine's time) and the project's overhead."""
    try:
        import boto3

        from lnn.bench.floor import replay
        from lnn.engines.stack import embedded_stack
    except ImportError as exc:
        raise CaseUnavailableError(f"lnn.engines.stack: {exc}") from exc
    config = cat.config(epochs)
    train_reference(config.model_copy(update={"epochs": 1}), cat.split)  # BLAS threads, caches
    rounds = []
    for _ in range(repeats):
        started = time.perf_counter()
        reference = train_reference(config, cat.split)
        reference_s = time.perf_counter() - started
        embedded, recorder, handler_s = _traced_embedded(cat, config)
        with embedded_stack() as fresh:
            region = fresh.client.outputs.region
            floor = replay(recorder.operations, boto3.Session(region_name=region))
        # The recorder copies each call's params and response (payloads by size) while the
        # run goes on: its own time is not the embedded engine's.
        rounds.append((reference_s, recorder.seconds - recorder.own_seconds, floor, handler_s))
    reference_s = statistics.median(r[0] for r in rounds)
    embedded_s = statistics.median(r[1] for r in rounds)
    floor_s = statistics.median(r[2].seconds for r in rounds)
    handler_s = statistics.median(r[3] for r in rounds)
    overhead_s = embedded_s - floor_s - reference_s
    diff = max_abs_diff(embedded.params, reference.params)
    return {
        "ratio_of": "embedded/reference",
        "ratio": embedded_s / reference_s,
        "reference_s": reference_s,
        "embedded_s": embedded_s,
        "floor_s": floor_s,
        "compute_s": reference_s,
        "overhead_s": overhead_s,
        "overhead_per_floor": overhead_s / floor_s,
        "floor_per_reference": floor_s / reference_s,
        "handlers_outside_calls_s": handler_s,
        "outside_handlers_and_calls_s": embedded_s - floor_s - handler_s,
        "calls": rounds[-1][2].calls,
        "idle_receives": sum(
            op.operation == "ReceiveMessage" and not op.response.get("Messages")
            for op in recorder.operations
        ),
        "replay_mismatches": rounds[-1][2].mismatches,
        "max_abs_diff": diff,
        "models_agree": diff <= AGREEMENT_TOLERANCE,
    }
