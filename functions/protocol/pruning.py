"""Old parameter versions leave S3 as a run goes on.

Every step writes a new version per shard and nothing is overwritten, so a long run would
keep every step's weights (about 5 GB for the cat network's 2,500 steps). Each task reads
only its own step's version, so once the trainer has claimed step t, versions far behind t
serve nobody but a late duplicate, which finds its barrier already passed and stops.
"""

from functions.protocol.keys import params_key
from functions.protocol.params import inline
from functions.protocol.run_plan import RunPlan
from functions.protocol.services import Services

KEEP_VERSIONS = 16  # the newest versions always kept: slack for late duplicates
PRUNE_EVERY = 32  # steps between deletions: one DeleteObjects call serves many versions


def stale_versions(step: int) -> range:
    """Versions to delete when `step` is claimed: every PRUNE_EVERY steps, the block of
    versions that has fallen KEEP_VERSIONS behind (the blocks tile, none is missed)."""
    if step % PRUNE_EVERY or step <= KEEP_VERSIONS:
        return range(0)
    return range(max(0, step - KEEP_VERSIONS - PRUNE_EVERY), step - KEEP_VERSIONS)


def prune_params(svc: Services, plan: RunPlan, step: int) -> None:
    keys = [
        params_key(plan.run_id, layer, shard, version)
        for layer in range(1, plan.depth + 1)
        if not inline(plan, layer)  # its versions after 0 live in barrier items, which expire
        for shard in range(len(plan.ranges(layer)))
        for version in stale_versions(step)
    ]
    if keys:
        svc.store.delete(keys)
