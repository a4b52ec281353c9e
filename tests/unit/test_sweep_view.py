"""The live sweep page's view and the files its server may answer (the server itself:
tests/functional/test_sweep_server.py), and the trials' reports sharing one plotly.js."""

import json
from pathlib import Path
from typing import Any

import pytest
from sweep_records import HISTORIES, TRIALS, sweep
from watch_runs import config, watched_run

from lnn.sweep.types import trial_dir
from lnn.watch.page import PLOTLY_FILE
from lnn.watch.report import write_report
from lnn.watch.sweep import SweepView
from lnn.watch.sweep.server import sweep_file


@pytest.fixture
def sweep_dir(tmp_path: Path) -> Path:
    """A sweep directory with t00's report."""
    directory = tmp_path / "sweep"
    trial_dir(directory, 0).mkdir(parents=True)
    (trial_dir(directory, 0) / "report.html").write_text("<html>t00</html>")
    return directory


def test_sweep_file_names_only_files_inside_the_directory(sweep_dir: Path) -> None:
    assert (
        sweep_file(sweep_dir, "/trials/t00/report.html")
        == (trial_dir(sweep_dir, 0) / "report.html").resolve()
    )
    assert sweep_file(sweep_dir, "/") is None
    assert sweep_file(sweep_dir, "/trials/t00/../../../secret.txt") is None


def test_a_poll_that_holds_the_current_version_gets_only_it(sweep_dir: Path) -> None:
    view = SweepView(sweep_dir)
    first = json.loads(view.poll_body(None, None))
    assert "summary" not in first and first["version"] == 0  # before the sweep starts
    view.update(sweep(TRIALS, best=1), HISTORIES)
    full = json.loads(view.poll_body(0, view.id))
    version = full["version"]
    assert full["summary"]["best"] == "t01" and version > 0
    assert json.loads(view.poll_body(version, view.id)) == {"version": version, "view": view.id}
    # a page of another view (another sweep on the port) gets it all
    assert "table" in json.loads(view.poll_body(version, "another"))
    # t00 ended and has its report: linked; t03's report appears: the version moves
    links = [r["link"] for r in full["table"]["rows"]]
    assert links == ["trials/t00/report.html", None, None, None]
    trial_dir(sweep_dir, 3).mkdir(parents=True)
    (trial_dir(sweep_dir, 3) / "report.html").write_text("<html>t03</html>")
    moved: dict[str, Any] = json.loads(view.poll_body(version, view.id))
    assert moved["version"] > version and moved["table"]["rows"][3]["link"] is not None


def test_trial_reports_share_one_plotly_script_by_relative_path(tmp_path: Path) -> None:
    view, _ = watched_run(config(epochs=2))
    shared = tmp_path / PLOTLY_FILE
    for index in (0, 1):
        trial_dir(tmp_path, index).mkdir(parents=True)
        report = write_report(trial_dir(tmp_path, index), view, shared_script=shared)
        html = report.read_text()
        assert '<script src="../../plotly.min.js"></script>' in html
        assert len(html) < 1_000_000  # the 5 MB script is not in it
    assert "Plotly" in shared.read_text() and shared.stat().st_size > 1_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == [PLOTLY_FILE, "trials"]
    alone = write_report(tmp_path / "alone.html", view)  # the default: self-contained
    assert "<script src" not in alone.read_text()
