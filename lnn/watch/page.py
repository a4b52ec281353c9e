"""The page, in its two forms: live (scripts fetched from the watch server, the document
polled) and the report (plotly.js, the page script and the document inlined: one file that
opens offline).

The page is assembled from ``assets/``: the frame (page.html, page.css), one HTML fragment and
one script per section (``assets/sections/NAME.*``, in SECTIONS order), the shared helpers
(core.js) and the loop that draws and polls (main.js)."""

import html
import json
import re
from functools import cache
from importlib import resources
from typing import Any

from lnn.watch.glossary import TERMS

PLOTLY_FILE = "plotly.min.js"  # the script's name, served live and shared by a sweep's reports
PLOTLY_PATH = "/" + PLOTLY_FILE
SCRIPT_PATH = "/page.js"
DOCUMENT_PATH = "/api/document"
# Between the live page's polls: each redraw takes the CPU the run trains on, often the same
# machine's.
PAGE_POLL_S = 2.0
WEIGHTS_PATH = "/api/weights"  # ?step=N: the first layer's pictures at a kept step
# The page's sections, in the order they appear.
SECTIONS = (
    "network",
    "unit",
    "dead_units",
    "curves",
    "predictions",
    "layers",
    "histograms",
    "boundary",
    "unit_maps",
    "sample_path",
    "weights",
    "timeline",
)


def asset(name: str) -> str:
    return resources.files("lnn.watch").joinpath("assets", name).read_text(encoding="utf-8")


def _section_asset(name: str, suffix: str) -> str:
    path = resources.files("lnn.watch").joinpath("assets", "sections", name + suffix)
    return path.read_text(encoding="utf-8") if path.is_file() else ""


@cache
def page_script() -> str:
    """The page's one script: the helpers, every section's drawing, then the loop."""
    parts = [asset("core.js"), *(_section_asset(n, ".js") for n in SECTIONS), asset("main.js")]
    return "\n".join(p for p in parts if p)


def _sections_html() -> str:
    return "".join(_section_asset(name, ".html") for name in SECTIONS)


@cache
def plotly_js() -> str:
    """plotly.js as the plotly package ships it: no CDN, the same file offline and live."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def inline_script(text: str) -> str:
    # "</" would end the <script> element early wherever it appears in the text.
    return "<script>" + text.replace("</", "<\\/") + "</script>"


def _glossary_script() -> str:
    """The terms the page explains on hover (lnn.watch.glossary): the same for every run."""
    return inline_script(f"window.LNN_GLOSSARY = {json.dumps(TERMS)};")


def fill(template: str, fillings: dict[str, str]) -> str:
    """``template`` with each "{{NAME}}" replaced by ``fillings[NAME]``, in one pass: a
    "{{...}}" inside a filling (a dataset path in the title or the document) is never taken
    for a placeholder."""
    placeholder = r"\{\{(" + "|".join(fillings) + r")\}\}"
    return re.sub(placeholder, lambda m: fillings[m[1]], template)


def _fill(title: str, scripts: str) -> str:
    # The title may be a path: text, not markup.
    fillings = {
        "TITLE": html.escape(title),
        "STYLE": asset("page.css"),
        "SECTIONS": _sections_html(),
        "SCRIPTS": _glossary_script() + scripts,
    }
    return fill(asset("page.html"), fillings)


def live_page(title: str) -> str:
    config = json.dumps(
        {"document": DOCUMENT_PATH, "weights": WEIGHTS_PATH, "poll_ms": round(PAGE_POLL_S * 1000)}
    )
    scripts = (
        f'<script src="{PLOTLY_PATH}"></script>'
        + inline_script(f"window.LNN_LIVE = {config};")
        + f'<script src="{SCRIPT_PATH}"></script>'
    )
    return _fill(title, scripts)


def plotly_tag(src: str | None = None) -> str:
    """plotly.js inline, or (``src``: a URL relative to the page) the tag that loads it from a
    file beside the page: many reports in one directory then share one 5 MB script."""
    if src is None:
        return inline_script(plotly_js())
    return f'<script src="{html.escape(src)}"></script>'


def report_page(title: str, document: dict[str, Any], plotly_src: str | None = None) -> str:
    data = json.dumps(document, separators=(",", ":"), allow_nan=False)
    scripts = (
        plotly_tag(plotly_src)
        + inline_script(f"window.LNN_DOCUMENT = {data};")
        + inline_script(page_script())
    )
    return _fill(title, scripts)
