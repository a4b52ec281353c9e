"""The live sweep page's server: the page, its scripts, the document of one SweepView, and
the files of the sweep's directory (each trial's report, and the plotly.js they share) for
the table's links. Nothing outside that directory is ever answered."""

import argparse
import mimetypes
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote

from lnn.watch.page import PLOTLY_PATH
from lnn.watch.server import PageHandler, PageServer, plotly_bytes, query_count
from lnn.watch.session import start_page
from lnn.watch.sweep.page import (
    SWEEP_DOCUMENT_PATH,
    SWEEP_SCRIPT_PATH,
    live_sweep_page,
    sweep_script,
)
from lnn.watch.sweep.view import SweepView


def sweep_file(sweep_dir: Path, url_path: str) -> Path | None:
    """The file of ``sweep_dir`` a URL's path names; None when it names none, or a hidden
    one (a file being written), or one outside the directory (``..``, an absolute path, a
    link leading out)."""
    parts = [p for p in unquote(url_path).split("/") if p]
    if not parts or any(p.startswith(".") or "\\" in p or "\0" in p for p in parts):
        return None
    root = sweep_dir.resolve()
    found = root.joinpath(*parts).resolve()
    return found if found.is_relative_to(root) and found.is_file() else None


class SweepServer(PageServer):
    def __init__(self, view: SweepView, *, port: int = 0, title: str = "lnn sweep") -> None:
        self.view = view
        self.title = title
        super().__init__(_handler(self), port=port)


def _handler(server: SweepServer) -> type[PageHandler]:
    class Handler(PageHandler):
        def _answer(self, path: str, query: dict[str, list[str]]) -> None:
            if path == "/":
                self._send(live_sweep_page(server.title).encode(), "text/html; charset=utf-8")
            elif path == SWEEP_SCRIPT_PATH:
                self._send(sweep_script().encode(), "text/javascript; charset=utf-8")
            elif path == PLOTLY_PATH:  # the trials' reports' shared one, too
                self._send(plotly_bytes(), "text/javascript; charset=utf-8", cache=True)
            elif path == SWEEP_DOCUMENT_PATH:
                since = query_count(query, "since")
                held_view = query.get("view", [None])[0]
                self._send(server.view.poll_body(since, held_view), "application/json")
            else:
                self._file(sweep_file(server.view.sweep_dir, path))

        def _file(self, found: Path | None) -> None:
            if found is None:
                self._refuse(HTTPStatus.NOT_FOUND, "no such page")
                return
            kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind.endswith("javascript"):
                kind += "; charset=utf-8"
            self._send(found.read_bytes(), kind)

    return Handler


def serve_sweep(view: SweepView, args: argparse.Namespace, title: str) -> SweepServer:
    """Start the sweep page's server on --port (lnn.watch.session.add_page_options) and say
    where it is; lnn.watch.session.keep_serving keeps it after the sweep."""
    return start_page(lambda port: SweepServer(view, port=port, title=title), args)
