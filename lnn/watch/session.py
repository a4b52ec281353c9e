"""Serving a view for the user: the server started on a free (or the chosen) port, its URL
printed, the browser opened where there is one, and the wait for Ctrl-C after the run."""

import argparse
import sys
import time
import webbrowser

from lnn.watch.server import WatchServer
from lnn.watch.view import RunView


class PortError(ValueError):
    """The page cannot be served on the chosen --port; the message is one line."""


def add_page_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=0, help="port of the page (default: a free one)")
    p.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")


def serve(view: RunView, args: argparse.Namespace, title: str) -> WatchServer:
    """Start the page's server and say where it is (stderr: stdout may carry --json)."""
    if not 0 <= args.port <= 65535:
        raise PortError(f"--port {args.port}: not a port number (0-65535)")
    try:
        server = WatchServer(view, port=args.port, title=title).start()
    except OSError as exc:
        raise PortError(f"--port {args.port}: cannot serve there: {exc.strerror or exc}") from exc
    print(f"lnn: watching at {server.url}", file=sys.stderr, flush=True)
    # Only for a person at a terminal: never from tests, pipes or CI.
    if not args.no_browser and sys.stdout.isatty():
        webbrowser.open(server.url)
    return server


def keep_serving(server: WatchServer) -> None:
    """The run is over; the page stays until the user stops it."""
    print(f"lnn: the run ended; the page stays at {server.url} until Ctrl-C", file=sys.stderr)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
