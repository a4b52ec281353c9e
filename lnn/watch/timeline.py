"""The message timeline: the shard tasks of the last few steps, one lane per shard (function),
each task a bar from its start to its end, coloured by what came of it."""

from collections.abc import Sequence
from typing import Any

from functions.telemetry.spans import Span
from lnn.watch.numbers import figure

TIMELINE_STEPS = 3  # the most recent (phase, epoch, batch) groups shown
# Outcomes that are not the plain path of a message: marked on the page.
MARKED = frozenset({"duplicate", "healed", "failed", "dead_lettered"})
_FUNCTIONS = ("trainer", "neuron", "loss")  # lanes top to bottom: the order of a step


def _lane_order(span: Span) -> tuple[int, int, int]:
    kind = _FUNCTIONS.index(span.function) if span.function in _FUNCTIONS else len(_FUNCTIONS)
    return (kind, span.layer, span.shard)


def timeline_section(spans: Sequence[Span]) -> dict[str, Any]:
    groups: dict[tuple[str, int, int], float] = {}
    for s in spans:
        key = (s.phase, s.epoch, s.batch)
        groups[key] = min(groups.get(key, s.start), s.start)
    recent = set(sorted(groups, key=groups.__getitem__)[-TIMELINE_STEPS:])
    shown = [s for s in spans if (s.phase, s.epoch, s.batch) in recent]
    if not shown:
        return {"lanes": [], "bars": [], "steps": [], "counts": {}}
    t0 = min(s.start for s in shown)
    lanes = [s.lane for s in sorted(shown, key=_lane_order)]
    counts: dict[str, int] = {}
    for s in spans:
        counts[s.outcome] = counts.get(s.outcome, 0) + 1
    bars = [
        {
            "lane": s.lane,
            "start": figure(s.start - t0),
            "duration": figure(max(s.end - s.start, 0.0)),
            "outcome": s.outcome,
            "retry": s.delivery > 1,
            "marked": s.outcome in MARKED or s.delivery > 1,
            "label": (
                f"{s.phase} e{s.epoch + 1} b{s.batch} {s.direction} L{s.layer} s{s.shard}: "
                f"{s.outcome}, delivery {s.delivery}" + (f" ({s.detail})" if s.detail else "")
            ),
        }
        for s in sorted(shown, key=lambda s: s.start)
    ]
    return {
        "lanes": list(dict.fromkeys(lanes)),
        "bars": bars,
        "steps": [f"{p} e{e + 1} b{b}" for p, e, b in sorted(recent, key=groups.__getitem__)],
        "counts": counts,  # over every span read, not only the shown ones
    }
