"""Serving a page for the user: the server started on a free (or the chosen) port, its URL
printed, the browser opened where there is one, and the wait for Ctrl-C after the run (or
the sweep: lnn.watch.sweep.server)."""

import argparse
import sys
import time
import webbrowser
from collections.abc import Callable
from typing import TypeVar

from lnn.watch.server import PageServer, WatchServer
from lnn.watch.view import RunView

S = TypeVar("S", bound=PageServer)


class PortError(ValueError):
    """The page cannot be served on the chosen --port; the message is one line."""


def add_page_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=0, help="port of the page (default: a free one)")
    p.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")


def serve(view: RunView, args: argparse.Namespace, title: str) -> WatchServer:
    """Start the run page's server and say where it is."""
    return start_page(lambda port: WatchServer(view, port=port, title=title), args)


def start_page(make: Callable[[int], S], args: argparse.Namespace) -> S:
    """Start the server ``make`` builds on --port and say where it is (stderr: stdout may
    carry --json)."""
    if not 0 <= args.port <= 65535:
        raise PortError(f"--port {args.port}: not a port number (0-65535)")
    try:
        server = make(args.port).start()
    except OSError as exc:
        raise PortError(f"--port {args.port}: cannot serve there: {exc.strerror or exc}") from exc
    print(f"lnn: watching at {server.url}", file=sys.stderr, flush=True)
    # Only for a person at a terminal: never from tests, pipes or CI.
    if not args.no_browser and sys.stdout.isatty():
        webbrowser.open(server.url)
    return server


def keep_serving(server: PageServer, ended: str = "the run ended") -> None:
    """The run (or sweep: ``ended`` says which) is over; the page stays until the user stops
    it."""
    print(f"lnn: {ended}; the page stays at {server.url} until Ctrl-C", file=sys.stderr)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
