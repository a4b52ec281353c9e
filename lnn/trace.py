"""A run's spans on the user's side: spans.jsonl, and the Chrome Trace Event file that
Perfetto (ui.perfetto.dev) and chrome://tracing open.

One process per function, one thread per lane (a neuron shard, the loss stage). A lane's
claimed and completed spans follow one another and never overlap; the rare ones (duplicates,
heals, failures, dead letters) can run beside the delivery they repeat, so they go on a
second thread of the same lane, since a trace viewer requires a thread's slices to nest.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from functions.telemetry.spans import Span, dumps_spans, ordered
from lnn.runs.types import SPANS_FILE

TRACE_FILE = "trace.json"
_MAIN_OUTCOMES = ("claimed", "completed")
_FUNCTION_ORDER = ("trainer", "neuron", "loss")
_MIN_DURATION_US = 1  # a zero-length slice is invisible in the viewers


def write_spans(out: Path, spans: Sequence[Span]) -> Path | None:
    """``out/spans.jsonl`` (docs/telemetry.md, "Spans"); None, and no file, without spans."""
    if not spans:
        return None
    path = out / SPANS_FILE
    path.write_text(dumps_spans(spans), encoding="utf-8")
    return path


def _lane_order(span: Span) -> tuple[int, int, int, bool]:
    direction_rank = 0 if span.function != "loss" else 1
    return (direction_rank, span.layer, span.shard, span.outcome not in _MAIN_OUTCOMES)


def _function_rank(function: str) -> tuple[int, str]:
    rank = _FUNCTION_ORDER.index(function) if function in _FUNCTION_ORDER else len(_FUNCTION_ORDER)
    return rank, function


def _meta(kind: str, pid: int, tid: int | None, **args: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"name": kind, "ph": "M", "pid": pid, "args": args}
    if tid is not None:
        event["tid"] = tid
    return event


def _name(span: Span) -> str:
    where = "loss" if span.function == "loss" else f"{span.direction} L{span.layer}"
    return f"{where} e{span.epoch + 1} b{span.batch}" + ("" if span.phase == "train" else " eval")


def chrome_trace(spans: Sequence[Span], *, run_id: str | None = None) -> dict[str, Any]:
    """The Trace Event document: complete ("X") events in microseconds from the first span,
    with metadata events that name and order the processes and threads."""
    spans = ordered(spans)
    origin = spans[0].start if spans else 0.0
    first: dict[tuple[str, bool], Span] = {}
    for span in spans:
        first.setdefault((span.lane, span.outcome not in _MAIN_OUTCOMES), span)
    functions = sorted({s.function for s in spans}, key=_function_rank)
    processes = {name: pid for pid, name in enumerate(functions, start=1)}
    events: list[dict[str, Any]] = []
    for name, pid in processes.items():
        events.append(_meta("process_name", pid, None, name=name))
        events.append(_meta("process_sort_index", pid, None, sort_index=pid))
    threads: dict[tuple[str, bool], int] = {}
    for tid, (lane, rare) in enumerate(sorted(first, key=lambda k: _lane_order(first[k])), 1):
        threads[(lane, rare)] = tid
        pid = processes[first[(lane, rare)].function]
        events.append(_meta("thread_name", pid, tid, name=f"{lane} (repeats)" if rare else lane))
        events.append(_meta("thread_sort_index", pid, tid, sort_index=tid))
    for span in spans:
        rare = span.outcome not in _MAIN_OUTCOMES
        args: dict[str, Any] = {
            "phase": span.phase,
            "direction": span.direction,
            # Epochs from 1 wherever a person reads them (the page, inspect, history.json, the
            # slice's name); spans.jsonl keeps the wire's count from 0, as tasks do.
            "epoch": span.epoch + 1,
            "batch": span.batch,
            "layer": span.layer,
            "shard": span.shard,
            "delivery": span.delivery,
            "outcome": span.outcome,
        }
        if span.detail:
            args["detail"] = span.detail
        events.append(
            {
                "name": _name(span),
                "cat": span.outcome,
                "ph": "X",
                "ts": round((span.start - origin) * 1e6, 1),
                "dur": max(_MIN_DURATION_US, round(span.duration * 1e6, 1)),
                "pid": processes[span.function],
                "tid": threads[(span.lane, rare)],
                "args": args,
            }
        )
    other: dict[str, Any] = {"spans": len(spans), "origin_unix_s": origin}
    if run_id is not None:
        other["run_id"] = run_id
    return {"traceEvents": events, "displayTimeUnit": "ms", "otherData": other}
