"""Hyperparameter sweeps: many runs of one network, drawn from a search space, trained
concurrently on an engine, judged at rungs, ranked and compared (`lnn sweep`).

A search (``search``) is drawn into trials (``draws``), planned into a record (``plan``,
``types``) kept in stores (``store``), and run by the scheduler (``scheduler``) on a
backend (``base``: ``memory``, ``stack``, ``reference``; opened by ``engines``), which
judges trials by successive halving (``halving``) and names the best (``ranking``)."""

from lnn.sweep.draws import draw_trials, trial_config
from lnn.sweep.exceptions import SearchSpecError, SweepError, SweepRecordError
from lnn.sweep.plan import SweepPlan, plan_sweep, resume_sweep
from lnn.sweep.scheduler import Scheduler
from lnn.sweep.search import SearchSpace, parse_search
from lnn.sweep.store import BlobSweepStore, DirectorySweepStore, SweepStore
from lnn.sweep.types import Halving, SweepRecord, TrialRecord, TrialStatus

__all__ = [
    "BlobSweepStore",
    "DirectorySweepStore",
    "Halving",
    "Scheduler",
    "SearchSpace",
    "SearchSpecError",
    "SweepError",
    "SweepPlan",
    "SweepRecord",
    "SweepRecordError",
    "SweepStore",
    "TrialRecord",
    "TrialStatus",
    "draw_trials",
    "parse_search",
    "plan_sweep",
    "resume_sweep",
    "trial_config",
]
