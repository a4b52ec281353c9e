"""Dead units over time, on synthetic records: a unit dying and reviving, the verdict over an
epoch window with its reason, mini-batches and the output layer."""

import numpy as np
import pytest
from dying_units import ALIVE, DEAD, net_records, unit_steps

from functions.nn.activations import LeakyReLU
from functions.telemetry import TelemetryRecord
from functions.telemetry.saturation import SATURATING
from functions.telemetry.verdicts import _WHY, DEAD_WORDS, DIED, REVIVED, UnitEvent, dead_units


def test_a_unit_that_dies_and_revives_has_both_events_and_a_revived_verdict() -> None:
    # unit 0: alive, dead at steps 2-3, alive from 4; unit 1: dead from step 3 on.
    unit0 = [ALIVE, DEAD, DEAD, ALIVE, ALIVE]
    unit1 = [ALIVE, ALIVE, DEAD, DEAD, DEAD]
    found = dead_units(net_records(unit_steps(unit0, unit1)))
    (strip,) = found.strips  # the output layer has none
    assert strip.layer == 1 and strip.steps == (1, 2, 3, 4, 5)
    assert strip.dead.astype(int).tolist() == [[0, 1, 1, 0, 0], [0, 0, 1, 1, 1]]
    assert strip.events == (
        UnitEvent(0, DIED, 2, 1),
        UnitEvent(0, REVIVED, 4, 3),
        UnitEvent(1, DIED, 3, 2),
    )
    np.testing.assert_array_equal(strip.z_max[1], [2.0, 2.0, -0.41, -0.41, -0.41])
    np.testing.assert_allclose(strip.bias[0], [-0.1, -0.2, -0.3, -0.4, -0.5])
    revived, dead = found.verdicts
    assert not revived.dead and revived.mark == ""
    assert revived.reason.startswith("revived at step 4 (epoch 4) after being dead since step 2")
    assert dead.dead and dead.mark == "!"
    assert dead.reason == (
        "dead since step 3 (epoch 3): Z ≤ 0 on every sample (max Z -0.41, bias -0.5)"
    )
    assert dead.line.startswith("! layer 1 unit 1: dead since step 3")


def test_an_earlier_epoch_cuts_the_strip_there() -> None:
    unit0 = [ALIVE, DEAD, DEAD, ALIVE, ALIVE]
    found = dead_units(net_records(unit_steps(unit0)), epoch=2)  # epoch 3, 1-based
    assert found.strips[0].steps == (1, 2, 3)
    (verdict,) = found.verdicts
    assert verdict.dead and "since step 2 (epoch 2)" in verdict.reason
    with pytest.raises(ValueError, match="no telemetry in epoch 9"):
        dead_units(net_records(unit_steps(unit0)), epoch=8)


def test_the_verdict_is_over_the_epoch_while_the_strip_is_per_step() -> None:
    # Two batches an epoch: in epoch 2 the unit is dead on its first batch only.
    unit0 = [ALIVE, ALIVE, DEAD, ALIVE]
    found = dead_units(net_records(unit_steps(unit0), batches=2))
    assert found.epoch == 1
    assert found.strips[0].dead.astype(int).tolist() == [[0, 0, 1, 0]]
    (verdict,) = found.verdicts
    assert not verdict.dead and verdict.reason.startswith("revived at step 4 (epoch 2)")
    # Dead on the last batch but alive on the epoch's first: not dead for the epoch.
    flicker = dead_units(net_records(unit_steps([ALIVE, ALIVE, ALIVE, DEAD]), batches=2))
    assert not flicker.verdicts[0].dead
    assert "dead at step 4, but not on every batch of epoch 2" in flicker.verdicts[0].reason


def test_saturating_units_are_saturated_with_their_z_range() -> None:
    low = np.array([[-9.0, -6.0, -5.0]])  # sigmoid below 0.01 on every sample
    found = dead_units(net_records(unit_steps([ALIVE, low]), activation="sigmoid"))
    (verdict,) = found.verdicts
    assert verdict.dead
    assert verdict.reason == (
        "saturated since step 2 (epoch 2): A < 0.01 or A > 0.99 on every sample "
        "(Z from -9 to -5, bias -0.2)"
    )


def test_a_unit_dead_from_the_start_died_at_the_first_step_and_linear_never_does() -> None:
    found = dead_units(net_records(unit_steps([DEAD, DEAD])))
    assert found.strips[0].events == (UnitEvent(0, DIED, 1, 0),)
    assert "since step 1 (epoch 1)" in found.verdicts[0].reason
    linear = dead_units(net_records(unit_steps([DEAD, DEAD]), activation="linear"))
    assert not linear.strips[0].events and not linear.verdicts[0].dead
    assert linear.verdicts[0].reason.startswith("never saturates (linear")


def test_always_alive_and_epoch_records_left_out() -> None:
    records = net_records(unit_steps([ALIVE, ALIVE]), batches=2)
    epoch_record = TelemetryRecord(0, None, 2, records[0].telemetry)
    found = dead_units([*records, epoch_record])
    assert found.strips[0].steps == (1, 2)
    assert found.verdicts[0].reason == "alive (max Z 2, bias -0.15)"  # the epoch's mean bias
    with pytest.raises(ValueError, match="no telemetry steps"):
        dead_units([epoch_record])


def test_every_activation_that_can_saturate_has_a_word_and_a_reason() -> None:
    assert (
        set(DEAD_WORDS)
        == set(_WHY)
        == set(SATURATING)
        == {
            "relu",
            "leaky_relu",
            "sigmoid",
            "tanh",
        }
    )
    assert f"slope {LeakyReLU.slope:g}" in _WHY["leaky_relu"]
