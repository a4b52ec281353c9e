"""One training of the MNIST-shaped case on one engine, in a child process (lnn.bench.child),
and what it is made of: the embedded run's start (the client's upload, then the trainer's
start up to the first step's first span) and its time per step, read from the run's own
timeline (the ``timeline`` of ``lnn train --json``) and its spans (spans.jsonl)."""

from dataclasses import dataclass
from pathlib import Path

from functions.nn.data import n_batches
from lnn.bench.child import ChildRun, run_lnn
from lnn.bench.exceptions import EngineRunFailedError
from lnn.bench.workload import max_abs_diff
from lnn.model_file import load_model
from lnn.runs import LocalRun
from messages.status import RunStatus

LAYERS = "128:relu,64:relu,10:softmax"
BATCH_SIZE = 128
# The command; telemetry and evaluation at lnn train's defaults.
TRAIN_OPTIONS = ("--layers", LAYERS, "--batch-size", str(BATCH_SIZE), "--optimizer", "adam")
TRAIN_OPTIONS += ("--lr", "0.001")
ENGINES = ("reference", "embedded")


def train_args(dataset: Path, epochs: int) -> list[str]:
    """The options of ``lnn train`` (and of ``lnn estimate``) for this case."""
    return ["--dataset", str(dataset), *TRAIN_OPTIONS, "--epochs", str(epochs)]


def steps_of(samples: int, epochs: int) -> int:
    return epochs * n_batches(samples, BATCH_SIZE)


@dataclass(frozen=True)
class Start:
    """The embedded run's parts, seconds."""

    upload_s: float  # the client: data to S3, the TrainRequest sent
    trainer_s: float  # from the TrainRequest sent to the first step's first span
    rest_s: float  # from there to the run's end: the steps, the evaluation, the finish

    @property
    def start_s(self) -> float:
        return self.upload_s + self.trainer_s

    @property
    def run_s(self) -> float:
        return self.start_s + self.rest_s


def start_of(out: Path, output: dict[str, object]) -> Start:
    timeline = output.get("timeline")
    if not isinstance(timeline, dict):
        raise EngineRunFailedError("the embedded run's --json line has no timeline")
    spans = LocalRun(out, "lnn bench").spans()
    firsts = [s.start for s in spans if (s.phase, s.direction, s.layer) == ("train", "fwd", 1)]
    if not firsts:
        raise EngineRunFailedError(f"{out}: no span of the first step's layer 1")
    first = min(firsts)
    submitting, submitted = float(timeline["submitting"]), float(timeline["submitted"])
    return Start(submitted - submitting, first - submitted, float(timeline["ended"]) - first)


@dataclass(frozen=True)
class EngineRun:
    engine: str
    out: Path
    child: ChildRun
    start: Start | None  # the embedded engine's only

    @property
    def final_cost(self) -> float:
        return float(self.child.output["final_cost"])  # type: ignore[arg-type]

    @property
    def timeouts_exceeded(self) -> int:
        found = self.child.output.get("timeouts_exceeded") or {}
        return sum(int(n) for n in dict(found).values())  # type: ignore[call-overload]


def train(engine: str, dataset: Path, epochs: int, out: Path) -> EngineRun:
    args = ["train", *train_args(dataset, epochs), "--engine", engine, "--out", str(out)]
    child = run_lnn(args, out.parent, out.name)
    status = child.output.get("status")
    if status != RunStatus.SUCCEEDED:
        raise EngineRunFailedError(f"{engine} run {status}: {child.output.get('reason')}")
    start = start_of(out, child.output) if engine == "embedded" else None
    return EngineRun(engine, out, child, start)


def models_max_abs_diff(a: EngineRun, b: EngineRun) -> float:
    """The largest difference between the two runs' model.npz arrays."""
    first, second = (load_model(Path(str(r.child.output["model_path"]))) for r in (a, b))
    return max_abs_diff(first.params, second.params)
