"""The stack's key layout, in one place: S3 keys and barrier ids.

Keys are deterministic, so a retried task writes the same bytes to the same key. Everything
of a run lives under ``runs/{run}/``; what a client uploads for a request under
``runs/{run}/upload/``. Data a user uploads once and trains on in many runs lives under
``inputs/``, which the functions only read.
"""

_RUNS_PREFIX = "runs/"
INPUTS_PREFIX = "inputs/"


def run_prefix(run: str) -> str:
    return f"{_RUNS_PREFIX}{run}/"


def upload_prefix(run: str) -> str:
    return f"{run_prefix(run)}upload/"


def upload_key(run: str, name: str) -> str:
    return f"{upload_prefix(run)}{name}.npy"


def plan_key(run: str) -> str:
    return f"{run_prefix(run)}plan.json"


def data_prefix(run: str) -> str:
    """Where the trainer stores the batches of data a request sent whole (inline, or one
    object per array)."""
    return f"{run_prefix(run)}data/"


def batch_key(prefix: str, split: str, index: int, name: str) -> str:
    """Array ``name`` (x or y) of stored batch ``index`` of ``split`` (train, dev, test),
    under ``prefix``: the run's upload prefix, or its data prefix."""
    return f"{prefix}{split}/b{index}/{name}.npy"


def eval_sums_key(run: str, epoch: int, batch: int) -> str:
    """The evaluation's metrics summed over its passes up to ``batch``."""
    return f"{_stage_prefix(run, 'eval', epoch, batch)}/sums.json"


def params_key(run: str, layer: int, shard: int, version: int) -> str:
    return f"{run_prefix(run)}params/l{layer}/s{shard}/v{version}.npz"


def _stage_prefix(run: str, phase: str, epoch: int, batch: int) -> str:
    return f"{run_prefix(run)}{phase}/e{epoch}/b{batch}"


def acts_key(run: str, phase: str, epoch: int, batch: int, layer: int) -> str:
    return f"{_stage_prefix(run, phase, epoch, batch)}/acts/l{layer}.npy"


def output_key(
    run: str, phase: str, epoch: int, batch: int, direction: str, layer: int, shard: int
) -> str:
    return f"{_stage_prefix(run, phase, epoch, batch)}/{direction}/l{layer}/s{shard}.npy"


def grad_key(run: str, epoch: int, batch: int, layer: int) -> str:
    return f"{_stage_prefix(run, 'train', epoch, batch)}/grad/l{layer}.npy"


def telemetry_prefix(run: str) -> str:
    return f"{run_prefix(run)}telemetry/"


def telemetry_key(run: str, epoch: int, batch: int, layer: int) -> str:
    """A layer's merged telemetry of one step: one TelemetryRecord line (docs/telemetry.md)."""
    return f"{telemetry_prefix(run)}e{epoch}/b{batch}/l{layer}.json"


def telemetry_part_key(run: str, epoch: int, batch: int, layer: int, part: str) -> str:
    """A telemetry document too large for the item or message it belongs in (``part`` names
    its writer: ``s{shard}`` for a shard's, ``loss{shard}`` for the loss stage's)."""
    return f"{telemetry_prefix(run)}e{epoch}/b{batch}/l{layer}/{part}.json"


def model_key(run: str) -> str:
    return f"{run_prefix(run)}model.npz"


def barrier_key(run: str, phase: str, epoch: int, batch: int, direction: str, layer: int) -> str:
    return f"{run}#{phase}#{epoch}#{batch}#{direction}#{layer}"
