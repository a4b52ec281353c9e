"""lnn bench embedded-floor on a tiny workload: the case runs and its figures are consistent
(no figure depends on how fast anything ran)."""

import numpy as np
import pytest

from functions.training.split import DataSplit
from lnn.bench import CASES, CatData, run_case
from lnn.prepare import PreparedData


def test_embedded_floor_case_runs_and_its_arithmetic_holds() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((6, 12))
    y = (x[0] > 0).astype(np.float64).reshape(1, -1)
    cat = CatData(PreparedData(x, y, None, None), DataSplit(x, y))
    result = run_case(CASES["embedded-floor"], cat, 2, 1)
    assert result.status == "ok", result.reason
    m = result.metrics
    assert m["overhead_s"] == pytest.approx(m["embedded_s"] - m["floor_s"] - m["compute_s"])
    assert m["overhead_per_floor"] == pytest.approx(m["overhead_s"] / m["floor_s"])
    assert m["ratio"] == pytest.approx(m["embedded_s"] / m["reference_s"])
    assert m["compute_s"] == m["reference_s"]
    assert m["outside_handlers_and_calls_s"] == pytest.approx(
        m["embedded_s"] - m["floor_s"] - m["handlers_outside_calls_s"]
    )
    assert m["calls"] > m["idle_receives"] >= 0
    assert m["replay_mismatches"] == 0  # the same calls had the same outcomes on the floor
    assert m["models_agree"] is True
