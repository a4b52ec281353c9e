"""A sweep's estimate as rich tables (each shape measured, each trial, the sweep's totals,
what the Lambda quota does) (the JSON: SweepEstimate.as_dict)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from lnn.estimate.report import assumptions_table, band_text, duration, headline, usd
from lnn.estimate.sweep import SweepEstimate

NEW_ACCOUNT_QUOTA = 10  # a new AWS account's Lambda concurrent executions can be this low


def _params_text(params: dict[str, object]) -> str:
    return " ".join(f"{name}={value}" for name, value in params.items())


def quota_note(e: SweepEstimate) -> str:
    """One line: the executions the sweep needs at once and what the quota does to it."""
    used, reason = e.capped()
    if reason is not None:
        capped, asked = (band_text(e.wall(c), duration, "p50") for c in (used, e.concurrency))
        return f"{reason}: wall {capped} instead of {asked} (p50)"
    need = e.running * e.peak
    running = f"{e.running} trial(s) at once need up to {e.running} x {e.peak} = {need}"
    if e.quota is not None:
        return f"{running} concurrent Lambda executions: within the quota of {e.quota}"
    return (
        f"{running} concurrent Lambda executions; a new AWS account's quota can be "
        f"{NEW_ACCOUNT_QUOTA} (--lambda-quota Q shows what a quota does to the wall time)"
    )


def _shapes_text(e: SweepEstimate) -> list[str]:
    lines = []
    for number, shape in enumerate(e.shapes):
        names = ", ".join(t.name for t in e.trials if t.shape == number)
        lines.append(f"shape {number + 1} ({names}): {headline(shape)}")
        if shape.batch_norm is not None:  # measured beside the shape without batch norm
            lines.append(f"  {shape.batch_norm.line()}")
    return lines


def _trials_table(e: SweepEstimate) -> Table:
    table = Table(title="Each trial (critical path on AWS; bill at p50 latencies)")
    for column in ("trial", "searched", "shape", "steps"):
        table.add_column(column, justify="right" if column in ("shape", "steps") else "left")
    for column in ("time p50", "time p99", "bill"):
        table.add_column(column, justify="right")
    for t in e.trials:
        times = e.time_of(t)
        table.add_row(
            t.name,
            _params_text(t.params),
            str(t.shape + 1),
            f"{e.estimate_of(t).plan.target.steps:,}",
            band_text(times, duration, "p50"),
            band_text(times, duration, "p99"),
            band_text(e.bill_of(t), usd, "p50"),
        )
    return table


def _totals_table(e: SweepEstimate) -> Table:
    totals, (used, reason) = e.totals(), e.capped()
    table = Table(title=f"The sweep: {len(e.trials)} trials, --concurrency {e.concurrency}")
    table.add_column("")
    table.add_column("p50", justify="right")
    table.add_column("p99", justify="right")
    rows = [("trials one after the other", totals["sequential_s"])]
    rows.append((f"wall time, {e.running} at a time", totals["wall_s"]))
    if reason is not None:
        rows.append((f"wall time under the quota: {used} at a time", totals["wall_under_quota_s"]))
    for label, values in rows:
        table.add_row(label, band_text(values, duration, "p50"), band_text(values, duration, "p99"))
    bills = totals["bill_usd"]
    table.add_row("[bold]bill[/]", band_text(bills, usd, "p50"), band_text(bills, usd, "p99"))
    return table


def render_sweep(e: SweepEstimate, console: Console) -> None:
    console.print(f"Sweep ({e.method}): {e.search}")
    for line in _shapes_text(e):
        console.print(line)
    for table in (_trials_table(e), _totals_table(e)):
        console.print(table)
    console.print(quota_note(e))
    console.print(assumptions_table(e.book))
