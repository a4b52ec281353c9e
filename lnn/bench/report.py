"""The bench report: machine header (BLAS threads, load) and one table per case, or JSON."""

import json
import os
import platform
from dataclasses import dataclass

import numpy as np
from rich.console import Console
from rich.table import Table
from threadpoolctl import threadpool_info

from lnn.bench.types import CaseResult

# Long per-operation detail: in the JSON, not in the tables.
_JSON_ONLY = frozenset({"api_calls", "description", "embedded_runs_s", "targets"})


@dataclass(frozen=True)
class BenchReport:
    machine: dict[str, object]
    cases: list[CaseResult]
    load_after: tuple[float, float, float]

    @property
    def passed(self) -> bool:
        """No case failed and every model matched its counterpart (times never fail a run)."""
        return all(c.status != "failed" and c.metrics.get("models_agree", True) for c in self.cases)

    def as_dict(self) -> dict[str, object]:
        return {
            "machine": {**self.machine, "load_after": list(self.load_after)},
            "cases": [
                {"case": c.case, "status": c.status, "reason": c.reason, **c.metrics}
                for c in self.cases
            ],
            "passed": self.passed,
        }


def _blas_info() -> list[dict[str, object]]:
    """The BLAS libraries numpy loaded and the threads each will use, as threadpoolctl sees them."""
    return [
        {
            "library": pool.get("internal_api"),
            "version": pool.get("version"),
            "threads": pool.get("num_threads"),
            "threading_layer": pool.get("threading_layer"),
            "architecture": pool.get("architecture"),
            "filepath": pool.get("filepath"),
        }
        for pool in threadpool_info()
        if pool.get("user_api") == "blas"
    ]


def machine_info() -> dict[str, object]:
    blas = _blas_info()
    cpus = os.cpu_count() or 1
    load = os.getloadavg()
    threads = max((int(b["threads"] or 1) for b in blas), default=1)
    notes = []
    if threads > 1 and round(load[0]) + threads > cpus:
        # Measured here: OpenBLAS threads that find their cores busy spin, and times swing 5x.
        notes.append(
            f"load {load[0]:.1f} on {cpus} cores with {threads} BLAS threads: timings are noisy; "
            "--threads 1 pins BLAS to one thread"
        )
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpus": cpus,
        "blas": blas,
        "load_before": list(load),
        "notes": notes,
    }


def _fmt(key: str, value: object) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "-"}[value]
    if isinstance(value, dict):
        return ", ".join(f"{k} {_fmt(key, v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_fmt(key, v) for v in value)
    if isinstance(value, float):
        if "diff" in key:
            return f"{value:.2e}"
        if "cost" in key:  # training costs fall to 1e-3 and below
            return f"{value:.4g}"
        return f"{value:.3f}" + (" s" if key.endswith("_s") else "")
    return str(value)


def render(report: BenchReport, console: Console) -> None:
    m = report.machine
    blas = "; ".join(
        f"{b['library']} {b['version']} ({os.path.basename(str(b['filepath']))}, "
        f"{b['threading_layer']}, {b['architecture']}) {b['threads']} threads"
        for b in m["blas"]  # type: ignore[attr-defined]
    )
    console.print(f"python {m['python']}, numpy {m['numpy']}, {m['cpus']} cpus; BLAS: {blas}")
    load = "/".join(f"{x:.2f}" for x in m["load_before"])  # type: ignore[attr-defined]
    after = "/".join(f"{x:.2f}" for x in report.load_after)
    console.print(f"load average (1/5/15 min): {load} before, {after} after")
    for note in m["notes"]:  # type: ignore[attr-defined]
        console.print(f"[yellow]note:[/] {note}")
    for case in report.cases:
        table = Table(title=f"{case.case}: {case.metrics.get('description', '')}")
        table.add_column("metric")
        table.add_column("value", justify="right")
        table.add_row(
            "status", case.status if case.reason is None else f"{case.status}: {case.reason}"
        )
        for key, value in case.metrics.items():
            if key not in _JSON_ONLY:
                table.add_row(key, _fmt(key, value))
        console.print(table)
        if targets := case.metrics.get("targets"):
            console.print(_targets_table(case.case, targets))  # type: ignore[arg-type]


def _targets_table(case: str, targets: list[dict[str, object]]) -> Table:
    """A case's targets, each beside what it measured (reported: a time never fails a run)."""
    table = Table(title=f"{case}: targets")
    for column in ("target", "measured", "limit", "met"):
        table.add_column(column, justify="left" if column == "target" else "right")
    for row in targets:
        measured, limit = row["measured"], row["limit"]
        if row["unit"] == "ratio":
            cells = [f"{measured:.3f}", f"<= {limit:g}"]
        else:
            cells = [f"{measured}", f"<= {limit}"]
        table.add_row(str(row["target"]), *cells, _fmt("met", row["met"]))
    return table


def to_json(report: BenchReport) -> str:
    return json.dumps(report.as_dict())
