"""Successive halving, decided the same way whatever the timing: a trial reaching a rung is
judged against the trials before it in sweep order that reached that rung too, once each of
them has either reached it or ended short of it, and kept only among the best ``keep`` of
them. Trials are started in sweep order, so the ones a trial waits for are ahead of it; the
wait decides nothing, which is what makes a sweep's stops reproducible (and the first trial
is never stopped, as in asynchronous successive halving)."""

from __future__ import annotations

import math
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from lnn.sweep.types import Halving, best_first, metric_label
from messages.status import HistoryEntry

__all__ = ["NOT_YET", "SHORT", "Verdict", "judge", "judge_due", "rung_score", "settled"]

# What a trial has at a rung, besides its score: not reached yet (the judgement waits), or
# never to be reached (it ended before, or plans fewer epochs).
NOT_YET = "not yet"
SHORT = "short"
RungScore = float | str


def rung_score(
    history: Sequence[HistoryEntry], rung: int, metric: str, *, epochs: int, ended: bool
) -> RungScore:
    """A trial's score at ``rung``: the metric of its last evaluation at or before the rung
    (the cost of the rung's epoch for final_cost), NOT_YET or SHORT."""
    if epochs <= rung:
        return SHORT  # it would end there anyway: nothing to save by stopping it
    done = max((entry.epoch for entry in history), default=0)
    if done < rung:
        return SHORT if ended else NOT_YET
    if metric == "final_cost":
        return next((entry.cost for entry in history if entry.epoch == rung), SHORT)
    scores = [e for e in history if e.epoch <= rung and getattr(e, metric) is not None]
    # The sweep refuses rungs before a trial's first evaluation (lnn.sweep.plan), so a trial
    # past the rung has one; a run whose history lacks it is judged as having none.
    return getattr(scores[-1], metric) if scores else SHORT


@dataclass(frozen=True)
class Verdict:
    keep: bool
    rank: int  # 1 = best among the pool
    pool: int  # trials at the rung it was judged against, itself included
    kept: int  # how many of them are kept

    def reason(self, rung: int, metric: str, score: float) -> str:
        words = metric_label(metric)
        return (
            f"stopped at epoch {rung} by successive halving: {words} {score:.4g} ranked "
            f"{self.rank} of {self.pool} trials at that epoch (the best {self.kept} go on)"
        )


def judge(index: int, scores: Mapping[int, RungScore], keep: float, metric: str) -> Verdict | None:
    """Trial ``index``'s verdict at a rung, from the scores there of it and every trial
    before it (``scores[j]`` for j <= index); None while one of them is NOT_YET."""
    own = scores[index]
    if not isinstance(own, float):
        raise ValueError(f"trial {index} has no score at this rung: {own}")
    earlier = [scores[j] for j in range(index + 1)]
    if any(score == NOT_YET for score in earlier):
        return None
    sign = best_first(metric)
    pool = sorted((sign * float(s), j) for j, s in enumerate(earlier) if not isinstance(s, str))
    rank = 1 + pool.index((sign * own, index))
    kept = max(1, math.ceil(len(pool) * keep))
    return Verdict(keep=rank <= kept, rank=rank, pool=len(pool), kept=kept)


# A trial's score at a rung, looked up (and read) by the scheduler: (trial, rung) -> score.
ScoreOf = Callable[[int, int], RungScore]
Verdicts = dict[int, dict[int, Verdict]]  # trial -> rung -> its verdict there


def judge_due(
    trials: Iterable[int],
    halving: Halving,
    metric: str,
    score: ScoreOf,
    verdicts: Verdicts,
    stopped: Container[int],
) -> Iterator[tuple[int, int, Verdict, float]]:
    """Each verdict that can be given now, rung by rung per trial (a trial stopped at a
    rung gets none after it), recorded in ``verdicts``: (trial, rung, verdict, its score)."""
    for index in trials:
        given = verdicts.setdefault(index, {})
        for rung in halving.rungs:
            if index in stopped:
                break
            if rung in given:
                if given[rung].keep:
                    continue
                break
            own = score(index, rung)
            if not isinstance(own, float):
                break
            verdict = judge(
                index, {j: score(j, rung) for j in range(index + 1)}, halving.keep, metric
            )
            if verdict is None:
                break
            given[rung] = verdict
            yield index, rung, verdict, own
            if not verdict.keep:
                break


def settled(index: int, halving: Halving, verdicts: Verdicts, score: ScoreOf) -> bool:
    """Whether an ended trial has every verdict it can get: one at each rung it has a
    score at, until one stopped it."""
    for rung in halving.rungs:
        given = verdicts.get(index, {}).get(rung)
        if given is None and isinstance(score(index, rung), float):
            return False
        if given is not None and not given.keep:
            return True
    return True
