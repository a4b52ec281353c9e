"""What a poll of the page costs: a status-only change sends the status alone, and a change
elsewhere only the sections that moved; merged into what the page holds, it is the document."""

import json
from typing import Any

from watch_runs import config, watched_run

from functions.telemetry.spans import Span
from lnn.watch.server import document_body
from lnn.watch.view import RunView


def _poll(view: RunView, held: dict[str, Any] | None) -> tuple[dict[str, Any], int]:
    """As page.js polls: ``since`` the content the page's sections are at; merged."""
    since = None if held is None else held["status"]["content"]
    raw = document_body(view, since, None if held is None else held["status"]["view"])
    body = json.loads(raw)
    if "version" in body:
        return {**(held or {}), **body}, len(raw)
    assert held is not None and set(body) == {"status"}
    return {**held, "status": body["status"]}, len(raw)


def _same_sections(a: dict[str, Any], b: dict[str, Any]) -> None:
    keys = set(a) - {"status", "version"}
    assert keys == set(b) - {"status", "version"}
    for key in keys:
        assert json.dumps(a[key], sort_keys=True) == json.dumps(b[key], sort_keys=True), key


def test_status_only_changes_send_the_status_alone() -> None:
    view, _ = watched_run(config())
    page, full = _poll(view, None)
    content = page["status"]["content"]
    view.update(step=99, calls={"hops": 3}, note="a note")
    page, size = _poll(view, page)
    assert page["status"]["step"] == 99 and page["status"]["content"] == content
    assert size < full / 10
    # the version still moves with the status (the report and the tests read it)
    assert view.document()["version"] > content


def test_a_changed_section_is_sent_alone_and_merges_into_the_document() -> None:
    view, _ = watched_run(config())
    page, _ = _poll(view, None)
    view.set_spans([Span("neuron", "train", "fwd", 0, 0, 1, 0, 1000.0, 1000.5, 1, "completed")])
    body = json.loads(document_body(view, page["status"]["content"]))
    assert set(body) == {"version", "status", "timeline"}
    page, _ = _poll(view, page)
    _same_sections(page, view.document())


def test_a_page_from_before_a_restart_gets_the_whole_document() -> None:
    view = RunView(engine="reference")
    body = json.loads(document_body(view, 41))
    assert set(body) == {"version", "status"}  # no config yet: nothing else to draw
    view, _ = watched_run(config())
    body = json.loads(document_body(view, 10_000))
    assert {"network", "history", "histograms"} <= set(body)


def test_a_page_left_open_from_another_run_gets_the_whole_new_document() -> None:
    """A tab of an earlier run polls the new server on the same port: its content counter is
    the old view's, whatever its value, so it must not get the new view's changes alone."""
    old, _ = watched_run(config(epochs=2))
    page, _ = _poll(old, None)
    layers = [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]
    new, _ = watched_run(config(epochs=6, layers=layers))
    assert new.status_section()["content"] >= page["status"]["content"]
    page, _ = _poll(new, page)
    _same_sections(page, new.document())
    assert page["status"]["view"] == new.id != old.id
