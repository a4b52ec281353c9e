"""The live sweep page's server: the trials' reports it serves from the sweep directory, and
every path that would lead out of it refused."""

import http.client
import json
from pathlib import Path

from lnn.sweep.types import trial_dir
from lnn.watch.sweep import SweepServer, SweepView

SECRET = "not the sweep's"


def get(server: SweepServer, path: str) -> tuple[int, bytes]:
    """GET ``path`` exactly as written (http.client does not normalise it)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_the_server_serves_the_trials_reports_and_nothing_outside_the_sweep(
    tmp_path: Path,
) -> None:
    (tmp_path / "secret.txt").write_text(SECRET)
    sweep_dir = tmp_path / "sweep"
    trial_dir(sweep_dir, 0).mkdir(parents=True)
    (trial_dir(sweep_dir, 0) / "report.html").write_text("<html>t00</html>")
    (sweep_dir / "out").symlink_to(sweep_dir.parent / "secret.txt")
    (sweep_dir / ".report.html.1.2.part").write_text("half a page")
    with SweepServer(SweepView(sweep_dir)) as server:
        assert get(server, "/trials/t00/report.html") == (200, b"<html>t00</html>")
        escapes = [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/trials/../../secret.txt",
            "/trials/t00/..%2f..%2f..%2fsecret.txt",
            "//" + str(sweep_dir.parent / "secret.txt"),
            "/out",  # a link inside leading out
            "/.report.html.1.2.part",  # a file being written
            "/trials",  # a directory
        ]
        for path in escapes:
            status, body = get(server, path)
            assert status == 404 and SECRET.encode() not in body, path
            assert json.loads(body) == {"error": "no such page"}
