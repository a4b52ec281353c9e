"""lnn estimate: options it cannot honour are one-line usage errors (exit 2, nothing run);
the report prints every figure with its assumptions."""

import json

import pytest
from rich.console import Console

from lnn.cli.main import main
from lnn.estimate.compute import Samples
from lnn.estimate.estimate import Estimate
from lnn.estimate.measure import Measured
from lnn.estimate.plan import plan
from lnn.estimate.pricebook import BANDS, load_price_book
from lnn.estimate.projection import parts, run_tally
from lnn.estimate.report import render, to_json
from lnn.estimate.tally import Tally
from messages.train_request import TrainConfig


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--steps", "0"], "--steps must be at least 1"),
        (["--engine", "reference"], "embedded engine"),
        (["--chaos", "duplicate=0.5"], "drop --chaos"),
        (["--epochs", "-1"], "epochs"),
        (["--search", "lr=sometimes"], "--search"),
        (["--search", "lr=log:1e-3:1", "--concurrency", "0"], "--concurrency must be at least 1"),
        (["--trials", "3"], "give its --search"),
    ],
)
def test_bad_options_are_one_line_errors(
    argv: list[str], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["estimate", "--dataset", "xor", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and reason in err[0]


def made_up_estimate() -> Estimate:
    layers = [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
    config = TrainConfig(dataset="xor", layers=layers, epochs=50, telemetry_every=0)
    measurement = plan(config, 4, 2)
    per_band = {f"path.messaging.{band}": 0.1 * (i + 1) for i, band in enumerate(BANDS)}
    step = Tally(
        {"hops": 6, "calls": 30, "calls.sns.Publish": 7, "units.sqs_request": 12, **per_band}
    )
    fixed = Tally({"hops": 9, "calls": 40, "calls.sns.Publish": 9, "units.sqs_request": 18})
    evaluation = Tally({"hops": 2, "calls": 8, "calls.sns.Publish": 2, "units.sqs_request": 5})
    tallies = {"short-off": fixed + step, "long-off": fixed + step * 3}
    # The long run has 1 + 2 epochs; evaluating after each adds two evaluations to it.
    tallies["evaluating"] = tallies["long-off"] + evaluation * 2
    book = load_price_book()
    measured = {
        r.label: Measured(r, tallies[r.label], Samples(), 1.0, int(tallies[r.label]["hops"]))
        for r in measurement.runs
    }
    found = parts(measurement, measured, book)
    return Estimate(config, measurement, measured, found, run_tally(measurement, found), book)


def test_the_report_shows_measurement_time_bill_and_sources() -> None:
    console = Console(record=True, width=200)
    render(made_up_estimate(), console)
    text = console.export_text()
    for expected in ("Measured per step", "Critical-path time", "AWS bill", "Assumptions"):
        assert expected in text
    assert "https://aws.amazon.com/sqs/pricing/" in text and "sns.Publish" in text
    # The default spreads at most 20 evaluations: every 3rd of 50 epochs and the last.
    assert "50 steps (50 epochs of 1), 17 evaluation(s)" in text


def test_the_json_is_one_object_whose_figures_add_up() -> None:
    document = json.loads(to_json(made_up_estimate()))
    assert document["per_step"]["hops"] == 6 and document["per_step"]["calls_per_hop"] == 5
    assert document["run"]["steps"] == 50
    sqs = document["units"]["per_run"]["sqs_request"]
    assert sqs == pytest.approx(18 + 50 * 12 + 16 * 5)  # the last evaluation is in the 18
    assert document["bill_usd"]["per_run"]["sqs_request"] == pytest.approx(sqs * 0.40 / 1e6)
    assert document["time_s"]["per_step"]["p99_high"] == pytest.approx(0.4)
    assert document["assumptions"]["prices"]["s3_put"]["usd"] == 0.005
