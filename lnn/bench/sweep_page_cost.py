"""What the live sweep page costs: the same embedded sweep (concurrency 4, on one stack)
with its page open and without, interleaved; the page's polls and bytes, and the AWS calls
of each side (the page reads a running trial's new epochs as they come)."""

from __future__ import annotations

import statistics

from infra.local import ApiCallCounter
from lnn.bench.sweep_page import OpenSweepPage
from lnn.bench.sweep_workload import SEARCH, TRIALS, SweepWorkload
from lnn.bench.timing import time_interleaved
from lnn.sweep.engines import open_engine

__all__ = ["PAGE_CONCURRENCY", "sweep_page_cost"]

PAGE_CONCURRENCY = 4


def sweep_page_cost(
    _: object, epochs: int, repeats: int, *, trials: int = TRIALS
) -> dict[str, object]:
    work = SweepWorkload(epochs, trials)
    work.one_after_another()
    calls: dict[str, list[int]] = {"off": [], "on": []}
    pages: list[OpenSweepPage] = []
    engine = open_engine("embedded", work.data, work.configs, concurrency=PAGE_CONCURRENCY)
    with engine as opened:

        def page_off() -> float:
            with ApiCallCounter() as counter:
                seconds = work.timed(work.plan("embedded", PAGE_CONCURRENCY), opened.backend)
            calls["off"].append(sum(counter.snapshot().values()))
            return seconds

        def page_on() -> float:
            page = OpenSweepPage()
            pages.append(page)
            with ApiCallCounter() as counter, page:
                record = work.plan("embedded", PAGE_CONCURRENCY)
                seconds = work.timed(record, opened.backend, page.changed)
            calls["on"].append(sum(counter.snapshot().values()))
            return seconds

        off, on = time_interleaved(page_off, page_on, repeats)
    return {
        "trials": trials,
        "search": SEARCH,
        "concurrency": PAGE_CONCURRENCY,
        "wall_s_page_off": [round(s, 2) for s in off.seconds],
        "wall_s_page_on": [round(s, 2) for s in on.seconds],
        "median_ratio_on_to_off": round(on.median / off.median, 3),
        "aws_calls_page_off_median": statistics.median(calls["off"]),
        "aws_calls_page_on_median": statistics.median(calls["on"]),
        "polls": [p.polls for p in pages],
        "bytes_sent": [p.bytes_sent for p in pages],
    }
