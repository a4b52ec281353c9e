"""report.html: the page of a run at its end, one file (the page script and the document
inline) which opens offline in any browser. plotly.js is inline too, unless the report is one
of many in a directory (a sweep's trials): then they share one copy of it by relative path."""

import os
import threading
from pathlib import Path

from lnn.layer_text import layers_text
from lnn.runs.types import REPORT_FILE
from lnn.watch.images import REPORT_STEPS
from lnn.watch.page import plotly_js, report_page
from lnn.watch.view import RunView


def report_title(view: RunView) -> str:
    config = view.config
    if config is None:
        return f"lnn report {view.run_id or ''}".strip()
    layers = layers_text(config.layers)
    return f"lnn report: {config.dataset} {layers}"


def write_whole(path: Path, text: str) -> Path:
    """``text`` at ``path``, written aside then renamed: whoever reads the file meanwhile (a
    browser, another trial's writer) reads it whole, the old one or the new one."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    partial.write_text(text, encoding="utf-8")
    return partial.replace(path)


def write_shared_script(path: Path) -> Path:
    """plotly.js at ``path``, written once: reports of trials ending at the same time may ask
    for it together."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(path, plotly_js())
    return path


def write_report(path: Path, view: RunView, *, shared_script: Path | None = None) -> Path:
    """Write the report of ``view`` to ``path`` (a file, or a directory to put it in). A
    report cannot ask for a step's weight pictures: it holds REPORT_STEPS steps' of them.

    ``shared_script``: plotly.js at that path (written if absent), which the report loads by
    its path relative to the report, instead of carrying its own 5 MB copy; the report then
    opens only beside it (a sweep directory's trials share its root's)."""
    if path.is_dir():
        path = path / REPORT_FILE
    src = None
    if shared_script is not None:
        write_shared_script(shared_script)
        src = Path(os.path.relpath(shared_script.resolve(), path.parent.resolve())).as_posix()
    document = {**view.document(), "weights": view.weights_section(embed=REPORT_STEPS)}
    path.write_text(report_page(report_title(view), document, src), encoding="utf-8")
    return path
