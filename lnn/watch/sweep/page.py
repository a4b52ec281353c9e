"""The sweep page, in its two forms: live (scripts fetched from the sweep's server, the
document polled) and the report (plotly.js, the script and the document inline). Assembled
from ``assets/``: the frame (sweep.html; the run page's page.css and sweep.css), the run
page's shared helpers (core.js), the table, the plots and the loop."""

import html
import json
from functools import cache
from importlib import resources
from typing import Any

from lnn.watch.page import PAGE_POLL_S, PLOTLY_PATH, asset, fill, inline_script, plotly_tag

SWEEP_SCRIPT_PATH = "/sweep.js"
SWEEP_DOCUMENT_PATH = "/api/sweep"
SCRIPTS = ("table.js", "plots.js", "main.js")


def sweep_asset(name: str) -> str:
    return resources.files("lnn.watch.sweep").joinpath("assets", name).read_text(encoding="utf-8")


@cache
def sweep_script() -> str:
    """The page's one script: the run page's helpers, then the sweep's own."""
    return "\n".join([asset("core.js"), *(sweep_asset(name) for name in SCRIPTS)])


def _fill(title: str, scripts: str) -> str:
    fillings = {
        "TITLE": html.escape(title),  # a sweep id is plain, a dataset may be a path
        "STYLE": asset("page.css") + sweep_asset("sweep.css"),
        "SCRIPTS": scripts,
    }
    return fill(sweep_asset("sweep.html"), fillings)


def live_sweep_page(title: str) -> str:
    config = json.dumps({"document": SWEEP_DOCUMENT_PATH, "poll_ms": round(PAGE_POLL_S * 1000)})
    scripts = (
        f'<script src="{PLOTLY_PATH}"></script>'
        + inline_script(f"window.LNN_LIVE = {config};")
        + f'<script src="{SWEEP_SCRIPT_PATH}"></script>'
    )
    return _fill(title, scripts)


def sweep_report_page(title: str, document: dict[str, Any]) -> str:
    data = json.dumps(document, separators=(",", ":"), allow_nan=False)
    scripts = (
        plotly_tag()
        + inline_script(f"window.LNN_DOCUMENT = {data};")
        + inline_script(sweep_script())
    )
    return _fill(title, scripts)
