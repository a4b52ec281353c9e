"""The page's dead-units section and the diagram's verdicts, from a run and from synthetic
records."""

from dying_units import ALIVE, DEAD, net_records, unit_steps
from watch_runs import dead_relu_config, watched_run

from functions.telemetry.verdicts import dead_units
from lnn.watch.dead_units import (
    SERIES_STEPS,
    STRIP_STEPS,
    dead_units_section,
    find_dead_units,
)


def test_a_run_with_dead_units_shows_them_in_the_strip_the_verdicts_and_the_diagram() -> None:
    view, result = watched_run(dead_relu_config())  # zero weights: every relu unit dead
    document = view.document()
    section = document["dead_units"]
    assert section["epoch"] == 2
    (layer,) = section["layers"]  # the hidden layer; the output layer has no strip
    steps = sorted({r.step for r in result.telemetry})
    assert layer["layer"] == 1 and layer["word"] == "dead"
    assert layer["steps"] == layer["series_steps"] == steps
    assert layer["dead"] == [[1] * len(steps)] * 5
    assert layer["z_max"] == [[0.0] * len(steps)] * 5 and layer["bias"] == layer["z_max"]
    reasons = [v["reason"] for v in section["verdicts"]]
    expected = "dead since step 1 (epoch 1): Z ≤ 0 on every sample (max Z 0, bias 0)"
    assert reasons == [expected] * 5
    assert all(v["mark"] == "!" and v["events"][0]["epoch"] == 1 for v in section["verdicts"])
    hidden, output = document["network"]["layers"]
    assert hidden["verdicts"] == [f"! {expected}"] * 5 and hidden["dead"] == [0, 1, 2, 3, 4]
    assert output["verdicts"] is None and output["dead"] == []


def test_a_long_strip_keeps_a_death_between_the_steps_it_draws() -> None:
    steps = 2 * STRIP_STEPS + 1
    unit = [ALIVE] * steps
    unit[1] = DEAD  # dead at step 2 only, which falls between drawn columns
    found = dead_units(net_records(unit_steps(unit)))
    (layer,) = dead_units_section(found)["layers"]
    assert len(layer["steps"]) == STRIP_STEPS and layer["steps"][:2] == [1, 3]
    assert layer["dead"][0][:3] == [0, 1, 0]  # the column of step 3 covers step 2
    assert sum(layer["dead"][0]) == 1
    assert len(layer["series_steps"]) == len(layer["z_min"][0]) == SERIES_STEPS
    assert layer["series_steps"][-1] == steps


def test_no_section_before_a_telemetry_step() -> None:
    assert find_dead_units([]) is None and dead_units_section(None) is None
