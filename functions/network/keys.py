"""Deterministic S3 keys and barrier ids: a retried task writes the same bytes to the same key."""


def plan_key(run: str) -> str:
    return f"runs/{run}/plan.json"


def data_key(run: str, name: str) -> str:
    return f"runs/{run}/data/{name}.npy"


def params_key(run: str, layer: int, shard: int, version: int) -> str:
    return f"runs/{run}/params/l{layer}/s{shard}/v{version}.npz"


def stage_prefix(run: str, phase: str, epoch: int, batch: int) -> str:
    return f"runs/{run}/{phase}/e{epoch}/b{batch}"


def acts_key(run: str, phase: str, epoch: int, batch: int, layer: int) -> str:
    return f"{stage_prefix(run, phase, epoch, batch)}/acts/l{layer}.npy"


def output_key(
    run: str, phase: str, epoch: int, batch: int, direction: str, layer: int, shard: int
) -> str:
    return f"{stage_prefix(run, phase, epoch, batch)}/{direction}/l{layer}/s{shard}.npy"


def grad_key(run: str, epoch: int, batch: int, layer: int) -> str:
    return f"{stage_prefix(run, 'train', epoch, batch)}/grad/l{layer}.npy"


def model_key(run: str) -> str:
    return f"runs/{run}/model.npz"


def barrier_key(run: str, phase: str, epoch: int, batch: int, direction: str, layer: int) -> str:
    return f"{run}#{phase}#{epoch}#{batch}#{direction}#{layer}"
