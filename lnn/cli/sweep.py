"""``lnn sweep``: the options of `lnn train` and a search space; trials drawn from it and
trained concurrently on the chosen engine, ranked, optionally halved; each trial's run
directory, the best trial's model and the sweep's report under runs/sweeps/SWEEP_ID.
``lnn sweep status|follow SWEEP`` read a sweep's record (lnn.cli.sweep_status)."""

import argparse
import sys
import time
from contextlib import nullcontext
from uuid import uuid4

from lnn.cli.connection import require_listening, stack_errors
from lnn.cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError
from lnn.cli.interrupt import first_ctrl_c_stops
from lnn.cli.options import parse_chaos
from lnn.cli.progress import SweepProgress
from lnn.cli.sweep_options import add_search_arguments, check_search_arguments, planned_sweep
from lnn.cli.sweep_outputs import SweepOutputs
from lnn.cli.sweep_status import ACTIONS, cmd_action, print_sweep, sweep_line
from lnn.cli.training_options import add_arguments as add_training_arguments
from lnn.cli.training_options import load_training
from lnn.runs import make_output_dir
from lnn.sweep.engines import open_engine
from lnn.sweep.plan import resume_sweep
from lnn.sweep.quota import capped_concurrency
from lnn.sweep.scheduler import Scheduler
from lnn.sweep.store import DirectorySweepStore, SweepStore
from lnn.sweep.types import Halving, SweepRecord, default_sweep_dir
from lnn.tensorboard import write_sweep_board
from lnn.watch.page import PAGE_POLL_S
from lnn.watch.session import keep_serving
from lnn.watch.sweep import SweepView, serve_sweep
from messages.train_request import TrainConfig


def _rungs(text: str) -> list[int]:
    try:
        rungs = sorted({int(part) for part in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected epochs like 50,100,200, got {text!r}") from None
    if rungs[0] < 1:
        raise argparse.ArgumentTypeError(f"rung epochs are 1 or more, got {text!r}")
    return rungs


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        nargs="?",
        choices=ACTIONS,
        help="status: print a sweep's record; follow: print its trials as they end",
    )
    p.add_argument("sweep", nargs="?", metavar="SWEEP", help="a sweep id, or its directory")
    add_training_arguments(p)
    add_search_arguments(p)
    p.add_argument("--sweep-id", default=None, help="name the sweep; an existing one resumes")
    p.add_argument(
        "--rungs",
        type=_rungs,
        default=None,
        metavar="EPOCHS",
        help="successive halving at these epochs, e.g. 50,100 (default: off)",
    )
    p.add_argument(
        "--keep", type=float, default=0.5, help="the fraction of trials a rung keeps (--rungs)"
    )
    # train's options, as a sweep takes them
    options = p._option_string_actions
    options["--out"].help = "the sweep's directory (default: runs/sweeps/SWEEP_ID)"
    options[
        "--tensorboard"
    ].help = "also write the sweep as one TensorBoard HParams experiment into DIR/SWEEP_ID"
    options[
        "--watch"
    ].help = "serve the live sweep page on 127.0.0.1, kept up after the sweep until Ctrl-C"


def _plan(args: argparse.Namespace, base: TrainConfig, sweep_id: str) -> SweepRecord:
    if args.search is None:
        raise UsageError("lnn sweep needs --search (or: lnn sweep status|follow SWEEP)")
    halving = None if args.rungs is None else Halving(rungs=args.rungs, keep=args.keep)
    return planned_sweep(args, base, sweep_id, engine=args.engine, halving=halving)


def cmd_sweep(args: argparse.Namespace) -> int:
    if args.action is not None:
        return cmd_action(args)
    if args.sweep is not None:
        raise UsageError(f"unexpected {args.sweep!r}: lnn sweep status|follow SWEEP")
    if args.engine != "embedded" and args.chaos:
        raise UsageError("--chaos needs --engine embedded")
    check_search_arguments(args)
    if args.engine == "endpoint":
        require_listening(None)  # $AWS_ENDPOINT_URL, when set
    started = time.perf_counter()
    dataset, base, data = load_training(args)
    sweep_id = args.sweep_id or uuid4().hex[:12]
    planned = _capped(args, _plan(args, base, sweep_id))
    out = make_output_dir(args.out or default_sweep_dir(sweep_id), "--out")
    if args.tensorboard is not None:
        make_output_dir(args.tensorboard, "--tensorboard")
    view = SweepView(out) if args.watch else None
    classes = list(dataset.classes)
    progress = SweepProgress(enabled=sys.stderr.isatty() and not args.json)
    outputs = SweepOutputs(
        out, data, classes, args.engine, view=view, quiet=args.json, progress=progress
    )
    server = None if view is None else serve_sweep(view, args, f"lnn sweep {sweep_id}")
    # As every stack command: a stack that is not there is one line (exit 2), an API that
    # stops answering one line (exit 1), not a traceback.
    with stack_errors() if args.engine == "endpoint" else nullcontext(), progress:
        record, interrupted = _run(args, planned, outputs)
    elapsed = time.perf_counter() - started
    if args.json:
        print(sweep_line(record, out, elapsed), flush=True)
    else:
        print_sweep(record, out)
    if server is not None:
        keep_serving(server, "the sweep ended")
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if record.best is not None else EXIT_FAILED


def _run(
    args: argparse.Namespace, planned: SweepRecord, outputs: SweepOutputs
) -> tuple[SweepRecord, bool]:
    """Run (or resume) the sweep on its engine; the record as it ended, and whether Ctrl-C
    stopped it."""
    with open_engine(
        args.engine,
        outputs.data,
        [t.config for t in planned.trials],
        concurrency=planned.concurrency,
        stack=args.stack,
        chaos=parse_chaos(args.chaos),
        stall_after=args.stall_after,
    ) as engine:
        stores: list[SweepStore] = [DirectorySweepStore(outputs.out)]
        if engine.store is not None:
            stores.append(engine.store)
        record = _resumed(stores, planned, quiet=args.json)
        with first_ctrl_c_stops() as stop:
            scheduler = Scheduler(
                record,
                engine.backend,
                stores,
                on_trial_end=outputs.trial_ended,
                on_change=outputs.changed,
                interrupted=stop,
                stall_after=args.stall_after,
                follow_every=None if outputs.view is None else PAGE_POLL_S,
            )
            record = scheduler.run()
            stop.writing = True  # Ctrl-C from here waits for the outputs to be whole
            histories = outputs.finish(record, scheduler.histories)
            if args.tensorboard is not None:
                write_sweep_board(args.tensorboard, record, histories)
    return record, stop.requested


def _capped(args: argparse.Namespace, planned: SweepRecord) -> SweepRecord:
    """The sweep's concurrency, lowered to what the account's Lambda quota serves (a
    stack's: the reference engine runs no Lambda)."""
    if args.engine == "reference":
        return planned
    configs = [t.config for t in planned.trials]
    concurrency, why = capped_concurrency(configs, planned.concurrency, args.lambda_quota)
    if why is not None:
        print(f"lnn: {why}", file=sys.stderr)
    return planned.model_copy(update={"concurrency": concurrency})


def _resumed(stores: list[SweepStore], planned: SweepRecord, *, quiet: bool) -> SweepRecord:
    """The sweep to run: the one asked for, or, when its id has a record already (the
    stack's first: its runs live there), that record, to resume."""
    found = next((r for s in reversed(stores) if (r := s.load(planned.sweep_id))), None)
    if found is None:
        return planned
    record = resume_sweep(found, planned)
    if not quiet:
        final = sum(t.status.is_final for t in record.trials)
        print(
            f"lnn: resuming sweep {planned.sweep_id}: {final} of {len(record.trials)} trials "
            "are done and are not run again",
            file=sys.stderr,
        )
    return record
