"""report.html: the page of a run at its end, one self-contained file (plotly.js, the page
script and the document inline), which opens offline in any browser."""

from pathlib import Path

from lnn.runs.types import REPORT_FILE
from lnn.watch.images import REPORT_STEPS
from lnn.watch.page import report_page
from lnn.watch.view import RunView


def report_title(view: RunView) -> str:
    config = view.config
    if config is None:
        return f"lnn report {view.run_id or ''}".strip()
    layers = ",".join(f"{x.units}:{x.activation}" for x in config.layers)
    return f"lnn report: {config.dataset} {layers}"


def write_report(path: Path, view: RunView) -> Path:
    """Write the report of ``view`` to ``path`` (a file, or a directory to put it in). A
    report cannot ask for a step's weight pictures: it holds REPORT_STEPS steps' of them."""
    if path.is_dir():
        path = path / REPORT_FILE
    document = {**view.document(), "weights": view.weights_section(embed=REPORT_STEPS)}
    path.write_text(report_page(report_title(view), document), encoding="utf-8")
    return path
