"""The live page's server: the standard library's ThreadingHTTPServer on 127.0.0.1, in a
daemon thread, answering the page, its two scripts, the document of one RunView and the first
layer's pictures at the kept step the page's slider asks for."""

import json
import threading
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

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


class WatchServer:
    def __init__(self, view: RunView, *, port: int = 0, title: str = "lnn watch") -> None:
        self.view = view
        self.title = title
        self._httpd = ThreadingHTTPServer((HOST, port), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def start(self) -> "WatchServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "WatchServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

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


def _handler(server: WatchServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/":
                self._send(live_page(server.title).encode(), "text/html; charset=utf-8")
            elif url.path == SCRIPT_PATH:
                self._send(page_script().encode(), "text/javascript; charset=utf-8")
            elif url.path == PLOTLY_PATH:
                self._send(_plotly_bytes(), "text/javascript; charset=utf-8", cache=True)
            elif url.path == DOCUMENT_PATH:
                query = parse_qs(url.query)
                since = query.get("since", [""])[0]
                held_view = query.get("view", [None])[0]
                body = server.document_body(int(since) if since.isdigit() else None, held_view)
                self._send(body, "application/json")
            elif url.path == WEIGHTS_PATH:
                self._weights(parse_qs(url.query).get("step", [""])[0])
            else:
                self.send_error(HTTPStatus.NOT_FOUND)

        def _weights(self, step: str) -> None:
            found = server.view.weight_pictures(int(step)) if step.isdigit() else None
            if found is None:
                self.send_error(HTTPStatus.NOT_FOUND, f"no kept step {step} to draw")
                return
            self._send(json.dumps(found, separators=(",", ":")).encode(), "application/json")

        def _send(self, body: bytes, kind: str, *, cache: bool = False) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=86400" if cache else "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # a request per second would drown the training's own output

    return Handler


@cache
def _plotly_bytes() -> bytes:
    return plotly_js().encode()
