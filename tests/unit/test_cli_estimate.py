"""lnn estimate: options it cannot honour are one-line usage errors (exit 2, nothing run);
the report prints every figure with its assumptions."""

import json
from dataclasses import replace

import pytest
from rich.console import Console

from lnn.cli.main import main
from lnn.estimate.batch_norm import BatchNormCost, without_batch_norm
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


def test_a_batch_normed_run_is_shown_beside_the_same_run_without_batch_norm() -> None:
    plain = made_up_estimate()
    layers = [{"units": 500, "activation": "tanh", "batch_norm": True}, plain.config.layers[-1]]
    config = TrainConfig.model_validate({**plain.config.model_dump(), "layers": layers})
    twin = without_batch_norm(config)
    assert twin is not None and not any(layer.batch_norm for layer in twin.layers)
    assert twin.model_dump(exclude={"layers"}) == config.model_dump(exclude={"layers"})
    assert without_batch_norm(plain.config) is None
    # gd, 2 inputs: 500 x (2 + 1) floats fit the barrier item's share, 500 x (2 + 4) do not
    step = plain.step + Tally({"calls": 2, "calls.s3.PutObject": 1, "calls.s3.GetObject": 1})
    step = step + Tally({"bytes.request": 15_000, "compute": 0.004})
    cost = BatchNormCost.of(config, twin, 2, step, plain.step)
    assert (cost.versions, cost.plain_versions) == (["s3", "inline"], ["inline", "inline"])
    estimate = replace(plain, config=config, batch_norm=cost)

    console = Console(record=True, width=300)
    render(estimate, console)
    text = console.export_text()
    assert (
        "batch norm adds: +2 calls, +15,000 bytes a step (request +15,000, response +0; "
        "+1 s3.GetObject, +1 s3.PutObject), +0 hops, +4.0 ms of handler compute; layer 1's "
        "versions no longer fit the barrier item: S3 objects" in text
    )
    assert "xor 500:tanh:bn,1:sigmoid" in text
    document = json.loads(to_json(estimate))["batch_norm"]
    assert document["calls"] == {"with": 32, "without": 30, "added": 2}
    assert document["added_calls_by_operation"] == {"s3.GetObject": 1, "s3.PutObject": 1}
    assert json.loads(to_json(plain))["batch_norm"] is None
