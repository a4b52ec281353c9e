"""``lnn sweep``: the options of `lnn train` and a search space; trials drawn from it and
trained concurrently on the chosen engine, ranked, optionally halved; each trial's run
directory, the best trial's model and the sweep's report under runs/sweeps/SWEEP_ID.
``lnn sweep status|follow SWEEP`` read a sweep's record (lnn.cli.sweep_status)."""

import argparse
import shutil
import sys
import time
from pathlib import Path
from uuid import uuid4

from lnn.cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError
from lnn.cli.interrupt import first_ctrl_c_stops
from lnn.cli.options import parse_chaos
from lnn.cli.sweep_options import add_search_arguments, trials_asked
from lnn.cli.sweep_status import ACTIONS, cmd_action, print_sweep, sweep_line, trial_line
from lnn.cli.training_options import add_arguments as add_training_arguments
from lnn.cli.training_options import load_training
from lnn.engines.base import TrainingResult
from lnn.outputs import write_run
from lnn.runs import MODEL_FILE, make_output_dir
from lnn.sweep.engines import open_engine
from lnn.sweep.plan import SweepPlan, plan_sweep, resume_sweep
from lnn.sweep.scheduler import Scheduler
from lnn.sweep.store import DirectorySweepStore, SweepStore
from lnn.sweep.types import Halving, SweepRecord, TrialRecord, default_sweep_dir, trial_dir
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
    out = p._option_string_actions["--out"]
    out.help = "the sweep's directory (default: runs/sweeps/SWEEP_ID)"


def _plan(args: argparse.Namespace, base: TrainConfig, sweep_id: str) -> SweepRecord:
    if args.search is None:
        raise UsageError("lnn sweep needs --search (or: lnn sweep status|follow SWEEP)")
    halving = None if args.rungs is None else Halving(rungs=args.rungs, keep=args.keep)
    plan = SweepPlan(
        sweep_id=sweep_id,
        engine=args.engine,
        base=base,
        search=args.search,
        method=args.method,
        trials=trials_asked(args),
        grid_points=args.grid_points,
        concurrency=args.concurrency,
        metric=args.metric,
        halving=halving,
    )
    return plan_sweep(plan, seed=base.seed)


def cmd_sweep(args: argparse.Namespace) -> int:
    if args.action is not None:
        return cmd_action(args)
    if args.sweep is not None:
        raise UsageError(f"unexpected {args.sweep!r}: lnn sweep status|follow SWEEP")
    if args.engine != "embedded" and args.chaos:
        raise UsageError("--chaos needs --engine embedded")
    started = time.perf_counter()
    dataset, base, data = load_training(args)
    sweep_id = args.sweep_id or uuid4().hex[:12]
    planned = _plan(args, base, sweep_id)
    out = make_output_dir(args.out or default_sweep_dir(sweep_id), "--out")
    directory = DirectorySweepStore(out)
    classes = list(dataset.classes)
    quiet = args.json

    def on_trial_end(trial: TrialRecord, result: TrainingResult | None) -> None:
        if result is not None:
            write_run(
                trial_dir(out, trial.index),
                result,
                trial.config,
                data,
                classes,
                engine=args.engine,
                elapsed_s=trial.elapsed_s,
            )
        if not quiet:
            print(trial_line(trial), file=sys.stderr, flush=True)

    configs = [t.config for t in planned.trials]
    with open_engine(
        args.engine,
        data,
        configs,
        concurrency=planned.concurrency,
        stack=args.stack,
        chaos=parse_chaos(args.chaos),
        stall_after=args.stall_after,
    ) as engine:
        stores: list[SweepStore] = (
            [directory] if engine.store is None else [directory, engine.store]
        )
        found = _find(stores, sweep_id)
        record = planned if found is None else resume_sweep(found, planned)
        if found is not None and not quiet:
            final = sum(t.status.is_final for t in record.trials)
            print(
                f"lnn: resuming sweep {sweep_id}: {final} of {len(record.trials)} "
                "trials are done and are not run again",
                file=sys.stderr,
            )
        with first_ctrl_c_stops() as stop:
            scheduler = Scheduler(
                record,
                engine.backend,
                stores,
                on_trial_end=on_trial_end,
                stop=stop,
                stall_after=args.stall_after,
            )
            record = scheduler.run()
    _keep_best(out, record)
    elapsed = time.perf_counter() - started
    if args.json:
        print(sweep_line(record, out, elapsed), flush=True)
    else:
        print_sweep(record, out)
    if stop.requested:
        return EXIT_INTERRUPTED
    return EXIT_OK if record.best is not None else EXIT_FAILED


def _find(stores: list[SweepStore], sweep_id: str) -> SweepRecord | None:
    """The sweep's record, the stack's first: its runs live there."""
    for store in reversed(stores):
        found = store.load(sweep_id)
        if found is not None:
            return found
    return None


def _keep_best(out: Path, record: SweepRecord) -> None:
    """The best trial's model is the sweep's model."""
    if record.best is None:
        return
    model = trial_dir(out, record.best) / MODEL_FILE
    if model.exists():
        shutil.copyfile(model, out / MODEL_FILE)
