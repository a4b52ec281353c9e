"""The live page's server on bad input: a query value that is not a plain whole number gets
a one-line 400 (never a traceback and a dropped connection), and nothing of the request goes
into the answer's status line or headers."""

import http.client
import json
from collections.abc import Iterator

import numpy as np
import pytest
from watch_runs import config, watched_run

from lnn.watch.server import MAX_DIGITS, WatchServer
from lnn.watch.view import RunView


@pytest.fixture(scope="module")
def server() -> Iterator[WatchServer]:
    layers = [{"units": 3, "activation": "relu"}, {"units": 10, "activation": "softmax"}]
    view, _ = watched_run(config("digits", layers=layers, epochs=2))
    with WatchServer(view) as running:
        yield running


def _get(server: WatchServer, path: str) -> tuple[int, str, dict[str, str], bytes]:
    """The raw answer to ``path`` sent as is (no client-side quoting)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.reason, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "path",
    [
        "/api/document?since=%C2%B2",
        "/api/document?since=-1",
        "/api/document?since=1.5",
        "/api/document?since=" + "9" * 5000,
        "/api/document?since=%D9%A3",  # an Arabic-Indic digit
        "/api/weights?step=%C2%B2",
        "/api/weights?step=" + "1" * 5000,
        "/api/weights?step=abc",
        "/api/weights",
    ],
)
def test_a_value_that_is_not_a_plain_whole_number_gets_a_one_line_400(
    server: WatchServer, path: str
) -> None:
    status, _, headers, body = _get(server, path)
    assert status == 400 and headers["Content-Type"] == "application/json"
    reason = json.loads(body)["error"]
    assert "\n" not in reason and len(reason) < 100
    assert "step" in reason or "since" in reason


def test_the_request_never_reaches_the_status_line_or_the_headers(server: WatchServer) -> None:
    for path in (
        "/api/weights?step=%0D%0AX-Injected:%20yes",
        "/api/weights?step=1%0D%0AX-Injected:%20yes",
        "/nowhere%0D%0AX-Injected:%20yes",
    ):
        status, reason, headers, body = _get(server, path)
        assert status in (400, 404) and "X-Injected" not in headers
        assert "Injected" not in reason and b"Injected" not in body


def test_good_values_are_answered(server: WatchServer) -> None:
    status, _, _, body = _get(server, "/api/document?since=" + "0" * MAX_DIGITS)
    assert status == 200 and "status" in json.loads(body)
    status, _, _, body = _get(server, "/api/document")
    assert status == 200 and "network" in json.loads(body)
    status, _, _, body = _get(server, "/api/weights?step=1")
    assert status == 200 and json.loads(body)["step"] == 1
    status, _, _, body = _get(server, "/api/weights?step=99")
    assert status == 404 and json.loads(body) == {"error": "step 99 is not a kept step"}


def test_a_view_without_a_run_yet_still_answers() -> None:
    with WatchServer(RunView(engine="reference")) as bare:
        status, _, _, body = _get(bare, "/api/document?since=3")
        assert status == 200 and json.loads(body)["status"]["status"] == "PENDING"


def test_a_step_that_cannot_be_drawn_is_answered_with_why() -> None:
    layers = [{"units": 3, "activation": "relu"}, {"units": 10, "activation": "softmax"}]
    view, _ = watched_run(config("digits", layers=layers, epochs=1))
    kept = {0: np.zeros((3, 64), np.float32), 1: np.full((3, 64), np.inf, np.float32)}
    view.set_first_layer([0, 1], kept.get)
    with WatchServer(view) as server:
        status, _, headers, body = _get(server, "/api/weights?step=1")
    assert status == 422 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["error"] == "its weights are not all finite (training diverged)"
