"""``lnn trace RUN -o trace.json``: a run's message timeline as a Chrome Trace Event file.

RUN is a run id on a deployed stack, or a directory (or file) holding the spans.jsonl that
`lnn train --out` wrote. Open the file in https://ui.perfetto.dev or chrome://tracing: one
track per function and shard, one slice per delivery of a task.
"""

import argparse
import json
from pathlib import Path

from functions.telemetry.spans import Span
from lnn.cli.connection import add_stack_options, connect, stack_errors
from lnn.cli.errors import UsageError
from lnn.runs import Run, StackRun, open_run
from lnn.trace import TRACE_FILE, chrome_trace


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run", metavar="RUN", help="a run id, or a directory/file with spans.jsonl")
    add_stack_options(p)
    p.add_argument(
        "-o", "--output", type=Path, default=Path(TRACE_FILE), help="the trace file to write"
    )
    p.add_argument("--json", action="store_true", help="print a one-line JSON summary")


def _load_spans(args: argparse.Namespace) -> tuple[Run, list[Span]]:
    with stack_errors():
        run = open_run(args.run, command="trace", connect=lambda: connect(args), accepts_file=True)
        return run, run.spans()


def cmd_trace(args: argparse.Namespace) -> int:
    run, spans = _load_spans(args)
    if not spans:
        raise UsageError(f"run {args.run} left no spans (did it start a step?)")
    # Spans on disk carry no run id of their own; a directory's name is not necessarily one.
    document = chrome_trace(spans, run_id=run.run_id if isinstance(run, StackRun) else None)
    try:
        args.output.write_text(json.dumps(document, separators=(",", ":")) + "\n")
    except OSError as exc:
        raise UsageError(f"-o: cannot write {args.output}: {exc.strerror or exc}") from exc
    lanes = sorted({s.lane for s in spans})
    outcomes = {o: sum(s.outcome == o for s in spans) for o in sorted({s.outcome for s in spans})}
    summary = {"output": str(args.output), "spans": len(spans), "lanes": len(lanes), **outcomes}
    if args.json:
        print(json.dumps(summary))
    else:
        counts = ", ".join(f"{n} {o}" for o, n in outcomes.items())
        print(f"wrote {len(spans)} spans ({counts}) on {len(lanes)} lanes to {args.output}")
        print("open it in https://ui.perfetto.dev or chrome://tracing")
    return 0
