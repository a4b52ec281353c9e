"""The live page's server: the standard library's ThreadingHTTPServer on 127.0.0.1, in a
daemon thread, answering the page, its two scripts, the document of one RunView and the first
layer's pictures at the kept step the page's slider asks for. PageServer and PageHandler are
what every page's server shares (the sweep's too: lnn.watch.sweep.server)."""

import json
import threading
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from lnn.watch.images import StepNotDrawnError, StepNotKeptError
from lnn.watch.page import (
    DOCUMENT_PATH,
    PLOTLY_PATH,
    SCRIPT_PATH,
    WEIGHTS_PATH,
    live_page,
    page_script,
    plotly_js,
)
from lnn.watch.view import RunView

HOST = "127.0.0.1"  # the page shows the run to this machine only
MAX_DIGITS = 12  # of a query's number (a content counter, a step): beyond any run's


class PageServer:
    """A page's server: the standard library's ThreadingHTTPServer on HOST, answering with
    ``handler``, in a daemon thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], *, port: int = 0) -> None:
        self._httpd = ThreadingHTTPServer((HOST, port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class PageHandler(BaseHTTPRequestHandler):
    """How every page's server answers: a body, or a refusal with its reason. A page's
    handler says what each path answers (``_answer``); a bad query value is refused."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        try:
            self._answer(url.path, parse_qs(url.query))
        except QueryError as exc:
            self._refuse(HTTPStatus.BAD_REQUEST, str(exc))

    def _answer(self, path: str, query: dict[str, list[str]]) -> None:
        self._refuse(HTTPStatus.NOT_FOUND, f"no {path} here")

    def _refuse(self, status: HTTPStatus, reason: str) -> None:
        """``reason`` as the JSON body; the status line holds only the standard phrase
        (nothing of the request goes into a header)."""
        body = json.dumps({"error": reason}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _send(self, body: bytes, kind: str, *, cache: bool = False) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=86400" if cache else "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a request per second would drown the training's own output


class WatchServer(PageServer):
    def __init__(self, view: RunView, *, port: int = 0, title: str = "lnn watch") -> None:
        self.view = view
        self.title = title
        super().__init__(_handler(self), port=port)

    def document_body(self, since: int | None, held_view: str | None = None) -> bytes:
        return document_body(self.view, since, held_view)


def document_body(view: RunView, since: int | None, held_view: str | None = None) -> bytes:
    """The whole document; for a page that holds content ``since`` of this very view, only
    the status when nothing else moved, else the sections that changed (the page keeps the
    others). A page holding another view's content (``held_view``) gets it all."""
    if held_view is not None and held_view != view.id:
        since = None
    status = view.status_section()
    body: dict[str, Any]
    if since is not None and since == status["content"]:
        body = {"status": status}
    else:
        body = view.document(since)
    return json.dumps(body, separators=(",", ":"), allow_nan=False).encode()


class QueryError(ValueError):
    """A query value the server does not take; its message is the page's one-line answer."""


def query_count(query: dict[str, list[str]], name: str) -> int | None:
    """The whole number ``name`` holds (None when absent): ASCII digits only, at most
    MAX_DIGITS of them (``str.isdigit`` takes "²", and ``int`` refuses 4,301 digits)."""
    values = query.get(name)
    if not values:
        return None
    text = values[0]
    if not (len(text) <= MAX_DIGITS and text.isascii() and text.isdigit()):
        raise QueryError(f"{name} must be a whole number of at most {MAX_DIGITS} digits")
    return int(text)


def _handler(server: WatchServer) -> type[BaseHTTPRequestHandler]:
    class Handler(PageHandler):
        def _answer(self, path: str, query: dict[str, list[str]]) -> None:
            if path == "/":
                self._send(live_page(server.title).encode(), "text/html; charset=utf-8")
            elif path == SCRIPT_PATH:
                self._send(page_script().encode(), "text/javascript; charset=utf-8")
            elif path == PLOTLY_PATH:
                self._send(plotly_bytes(), "text/javascript; charset=utf-8", cache=True)
            elif path == DOCUMENT_PATH:
                since = query_count(query, "since")
                held_view = query.get("view", [None])[0]
                self._send(server.document_body(since, held_view), "application/json")
            elif path == WEIGHTS_PATH:
                self._weights(query_count(query, "step"))
            else:
                self._refuse(HTTPStatus.NOT_FOUND, "no such page")

        def _weights(self, step: int | None) -> None:
            if step is None:
                raise QueryError("step is missing: /api/weights?step=N")
            try:
                found = server.view.weight_pictures(step)
            except StepNotKeptError as exc:
                self._refuse(HTTPStatus.NOT_FOUND, str(exc))
            except StepNotDrawnError as exc:
                self._refuse(HTTPStatus.UNPROCESSABLE_ENTITY, str(exc))
            else:
                body = json.dumps(found, separators=(",", ":")).encode()
                self._send(body, "application/json")

    return Handler


@cache
def plotly_bytes() -> bytes:
    return plotly_js().encode()
