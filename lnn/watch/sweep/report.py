"""The sweep's report.html: the sweep page at one moment, in one file that opens offline
(plotly.js, the script and the document inline), at the sweep directory's root so that each
trial's name links to the trial's own report beside it."""

from pathlib import Path

from lnn.runs.types import REPORT_FILE
from lnn.sweep.store import trial_histories
from lnn.sweep.types import SweepRecord
from lnn.watch.report import write_whole
from lnn.watch.sweep.document import sweep_document
from lnn.watch.sweep.page import sweep_report_page
from lnn.watch.sweep.trials import Histories, reports_written


def sweep_title(record: SweepRecord) -> str:
    return f"lnn sweep {record.sweep_id}: {record.dataset}, {len(record.trials)} trials"


def write_sweep_report(
    sweep_dir: Path, record: SweepRecord, histories: Histories | None = None
) -> Path:
    """Write ``sweep_dir``/report.html; ``histories[i]`` is trial i's (None: read from each
    trial's history.json). Links only the trial reports already in ``sweep_dir``: write
    the sweep's report again when a trial's appears. Written aside, then renamed: a browser
    reloading it while a trial ends reads a whole file."""
    if histories is None:
        histories = trial_histories(sweep_dir, record)
    linked = reports_written(sweep_dir, record, ended_only=False)
    page = sweep_report_page(sweep_title(record), sweep_document(record, histories, linked))
    return write_whole(sweep_dir / REPORT_FILE, page)
