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
from lnn.runs import SPANS_FILE
from lnn.trace import TRACE_FILE, chrome_trace, read_spans_file


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run", metavar="RUN", help="a run id, or a directory/file with spans.jsonl")
    add_stack_options(p)
    p.add_argument(
        "-o", "--output", type=Path, default=Path(TRACE_FILE), help="the trace file to write"
    )
    p.add_argument("--json", action="store_true", help="print a one-line JSON summary")


def _local_file(run: str) -> Path | None:
    path = Path(run)
    if path.is_dir():
        path = path / SPANS_FILE
    return path if path.is_file() else None


def load_spans(args: argparse.Namespace) -> list[Span]:
    local = _local_file(args.run)
    if local is not None:
        try:
            return read_spans_file(local)
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"{local} is not a spans file: {exc}") from exc
    if Path(args.run).is_dir():
        raise UsageError(f"{args.run} holds no {SPANS_FILE} (was it written by lnn train --out?)")
    client = connect(args)
    with stack_errors():
        return client.spans(args.run)


def cmd_trace(args: argparse.Namespace) -> int:
    spans = load_spans(args)
    if not spans:
        raise UsageError(f"run {args.run} left no spans (did it start a step?)")
    document = chrome_trace(spans, run_id=None if _local_file(args.run) else args.run)
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
