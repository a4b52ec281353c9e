"""Comparing a sweep's trials: the live sweep page (``serve_sweep``, fed through a
``SweepView``) and the sweep's report.html (``write_sweep_report``). Both draw one document
(``document.py``) with one script, assembled from ``assets/`` by ``page.py``."""

from lnn.watch.sweep.document import sweep_document
from lnn.watch.sweep.report import write_sweep_report
from lnn.watch.sweep.server import SweepServer, serve_sweep
from lnn.watch.sweep.view import SweepView

__all__ = [
    "SweepServer",
    "SweepView",
    "serve_sweep",
    "sweep_document",
    "write_sweep_report",
]
