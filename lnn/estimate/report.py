"""The estimate as rich tables (measurement, time, bill, assumptions) or one JSON object."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from rich.console import Console
from rich.table import Table

from lnn.estimate.estimate import PER_STEPS, Estimate
from lnn.estimate.pricebook import PriceBook
from lnn.estimate.projection import DURATION_PRICE, FLAT_PRICES, bill
from lnn.layer_text import layers_text

_LABELS = {
    "lambda_request": "Lambda requests",
    "lambda_gb_second": "Lambda GB-seconds",
    "sqs_request": "SQS requests (64 KB chunks)",
    "sns_request": "SNS publishes (64 KB chunks)",
    "dynamodb_write_unit": "DynamoDB write units (1 KB)",
    "dynamodb_read_unit": "DynamoDB read units (4 KB)",
    "s3_put": "S3 PUT-class requests",
    "s3_get": "S3 GET-class requests",
}


def duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def usd(value: float) -> str:
    return f"${value:,.2f}" if value >= 1 else f"${value:.3g}"


def count(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def band_text(values: Mapping[str, float], fmt: Callable[[float], str], quantile: str) -> str:
    """``low - high`` of a quantile's band, or one figure when both ends print the same."""
    low, high = fmt(values[f"{quantile}_low"]), fmt(values[f"{quantile}_high"])
    return low if low == high else f"{low} - {high}"


def headline(e: Estimate) -> str:
    t, c = e.plan.target, e.config
    layers = layers_text(c.layers)
    runs = ", ".join(e.measured)
    wall = sum(m.seconds for m in e.measured.values())
    return (
        f"{c.dataset} {layers}, shards {c.shards}: {t.steps:,} steps ({t.epochs:,} epochs of "
        f"{e.plan.steps_per_epoch}), {t.evaluations} evaluation(s), {t.telemetry_steps:,} "
        f"telemetry steps. Measured embedded: {runs} ({wall:.1f} s); a step is the difference "
        f"of runs {e.plan.extra_steps} step(s) apart."
    )


def _measurement_table(e: Estimate) -> Table:
    s = e.per_step()
    table = Table(title="Measured per step")
    table.add_column("quantity")
    table.add_column("per step", justify="right")
    rows = [
        ("hops (messages on the critical path)", count(s["hops"])),
        ("shard tasks / invocations", f"{count(s['shard_tasks'])} / {count(s['invocations'])}"),
        ("AWS calls (idle polls left out)", count(s["calls"])),
        ("calls per hop", "-" if s["calls_per_hop"] is None else f"{s['calls_per_hop']:.2f}"),
        ("calls on the critical path", count(s["critical_path_calls"]["p50_high"])),
        (
            "request / response KB",
            f"{s['request_bytes'] / 1024:.1f} / {s['response_bytes'] / 1024:.1f}",
        ),
        ("handler compute (all invocations)", duration(s["compute_s"])),
    ]
    rows += [(f"  {name}", count(n)) for name, n in s["calls_by_operation"].items()]
    rows += [(f"  unpriced {name}", count(n)) for name, n in s["unpriced_calls"].items()]
    for row in rows:
        table.add_row(*row)
    return table


def _time_table(e: Estimate) -> Table:
    times = e.times()
    table = Table(title="Critical-path time on AWS (every hop at the band's latency)")
    table.add_column("")
    table.add_column("p50", justify="right")
    table.add_column("p99", justify="right")
    for part, values in times["per_step_parts"].items():
        table.add_row(
            f"per step: {part}",
            band_text(values, duration, "p50"),
            band_text(values, duration, "p99"),
        )
    start = times["start"]
    table.add_row(
        "start: the TrainRequest and the trainer's start (once a run, in per run)",
        band_text(start, duration, "p50"),
        band_text(start, duration, "p99"),
    )
    for scope in ("per_step", "per_run"):
        values = times[scope]
        label = scope.replace("_", " ")
        table.add_row(
            f"[bold]{label}[/]",
            band_text(values, duration, "p50"),
            band_text(values, duration, "p99"),
        )
    return table


def _bill_table(e: Estimate) -> Table:
    thousand, run = e.step * PER_STEPS, e.run
    units = {f"per {PER_STEPS:,} steps": e.units(thousand), "per run": e.units(run)}
    bills = {f"per {PER_STEPS:,} steps": bill(thousand, e.book), "per run": bill(run, e.book)}
    table = Table(title=f"AWS bill, {e.book.region} on-demand (Lambda duration at p50 latencies)")
    table.add_column("item")
    for scope in units:
        table.add_column(f"units {scope}", justify="right")
        table.add_column(f"USD {scope}", justify="right")
    for name in (*FLAT_PRICES[:1], DURATION_PRICE, *FLAT_PRICES[1:]):
        cells = []
        for scope in units:
            amount, dollars = units[scope][name], bills[scope][name]
            if name == DURATION_PRICE:
                cells += [band_text(amount, count, "p50"), band_text(dollars, usd, "p50")]
            else:
                cells += [count(amount), usd(dollars)]
        table.add_row(_LABELS[name], *cells)
    totals = [
        cell for scope in units for cell in ("", band_text(bills[scope]["total"], usd, "p50"))
    ]
    table.add_row("[bold]total[/]", *totals)
    return table


def assumptions_table(book: PriceBook) -> Table:
    table = Table(title=f"Assumptions (recorded {book.recorded}: {book.recorded_from})")
    table.add_column("item")
    table.add_column("figure")
    table.add_column("source")
    for name, price in book.prices.items():
        table.add_row(
            _LABELS[name], f"${price.usd:g} per {price.per:,} ({price.unit})", price.source
        )
    for kind, group in (("hop", book.hop), ("call", book.call)):
        for name, lat in group.items():
            p50, p99 = (band_text(lat.seconds, duration, q) for q in ("p50", "p99"))
            figure = f"p50 {p50}, p99 {p99}"
            table.add_row(f"{kind} latency {name}: {lat.what}", figure, lat.source)
    table.add_row("not counted", "; ".join(book.not_counted), "")
    return table


def upload_line(e: Estimate) -> str:
    up = e.upload()
    return (
        f"before the start, the client uploads the data: {up['bytes'] / 1e6:,.1f} MB in "
        f"{up['calls']:.0f} S3 call(s), {duration(up['measured_s'])} here (to the emulator; "
        "from your machine to S3 it takes what your uplink allows), not in the times above"
    )


def render(e: Estimate, console: Console) -> None:
    console.print(headline(e))
    console.print(_measurement_table(e))
    if e.batch_norm is not None:  # measured beside the same run without batch norm
        console.print(e.batch_norm.line())
    console.print(_time_table(e))
    console.print(upload_line(e))
    for table in (_bill_table(e), assumptions_table(e.book)):
        console.print(table)


def to_json(e: Estimate) -> str:
    return json.dumps(e.as_dict())
