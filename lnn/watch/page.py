"""The page, in its two forms: live (scripts fetched from the watch server, the document
polled) and the report (plotly.js, the page script and the document inlined: one file that
opens offline)."""

import json
from functools import cache
from importlib import resources
from typing import Any

PLOTLY_PATH = "/plotly.min.js"
SCRIPT_PATH = "/page.js"
DOCUMENT_PATH = "/api/document"


def asset(name: str) -> str:
    return resources.files("lnn.watch").joinpath("assets", name).read_text(encoding="utf-8")


@cache
def plotly_js() -> str:
    """plotly.js as the plotly package ships it: no CDN, the same file offline and live."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _inline_script(text: str) -> str:
    # "</" would end the <script> element early wherever it appears in the text.
    return "<script>" + text.replace("</", "<\\/") + "</script>"


def _fill(title: str, scripts: str) -> str:
    return (
        asset("page.html")
        .replace("{{TITLE}}", title)
        .replace("{{STYLE}}", asset("page.css"))
        .replace("{{SCRIPTS}}", scripts)
    )


def live_page(title: str) -> str:
    config = json.dumps({"document": DOCUMENT_PATH})
    scripts = (
        f'<script src="{PLOTLY_PATH}"></script>'
        + _inline_script(f"window.LNN_LIVE = {config};")
        + f'<script src="{SCRIPT_PATH}"></script>'
    )
    return _fill(title, scripts)


def report_page(title: str, document: dict[str, Any]) -> str:
    data = json.dumps(document, separators=(",", ":"), allow_nan=False)
    scripts = (
        _inline_script(plotly_js())
        + _inline_script(f"window.LNN_DOCUMENT = {data};")
        + _inline_script(asset("page.js"))
    )
    return _fill(title, scripts)
