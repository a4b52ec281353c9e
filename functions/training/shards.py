"""How a layer's units are cut into shards: contiguous, near-equal row ranges of W and b."""


def shard_ranges(units: int, shards: int) -> list[tuple[int, int]]:
    """Split ``units`` rows into ``min(shards, units)`` contiguous ``(start, stop)`` ranges.

    The first ``units % count`` shards get one extra row, so sizes differ by at most one.
    """
    if units < 1 or shards < 1:
        raise ValueError(f"units and shards must be positive (got {units}, {shards})")
    count = min(shards, units)
    base, extra = divmod(units, count)
    ranges = []
    start = 0
    for k in range(count):
        stop = start + base + (1 if k < extra else 0)
        ranges.append((start, stop))
        start = stop
    return ranges
