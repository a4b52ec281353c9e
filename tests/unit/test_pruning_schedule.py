"""Which parameter versions the trainer deletes as a run goes on."""

from functions.protocol.trainer import KEEP_VERSIONS, PRUNE_EVERY, stale_versions


def test_deleted_blocks_tile_every_old_version_exactly_once() -> None:
    steps = 10 * PRUNE_EVERY + 5
    deleted = [v for step in range(1, steps + 1) for v in stale_versions(step)]
    assert deleted == list(range(len(deleted)))  # contiguous from 0, no repeats
    assert len(deleted) >= steps - KEEP_VERSIONS - PRUNE_EVERY  # nothing old is left behind


def test_recent_versions_are_never_deleted() -> None:
    for step in range(1, 5 * PRUNE_EVERY):
        assert all(version <= step - KEEP_VERSIONS - 1 for version in stale_versions(step))
