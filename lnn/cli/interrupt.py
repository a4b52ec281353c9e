"""Ctrl-C during ``lnn train``: the first asks the engine to stop at the next step and keep
what it trained (the run ends CANCELLED, its outputs written as for any run); a second one
quits at once, keeping nothing more. Once the run has ended and its outputs are being
written (``StopRequest.writing``), Ctrl-C waits for them: a report or model cut halfway is
worse than none, and writing takes seconds at most."""

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["StopRequest", "first_ctrl_c_stops"]


class StopRequest:
    """Called by an engine at each step boundary (or each poll): True once Ctrl-C was hit.
    ``writing`` is set once the run ended; ``quit`` once Ctrl-C came while writing."""

    def __init__(self) -> None:
        self.requested = False
        self.writing = False
        self.quit = False

    def __call__(self) -> bool:
        return self.requested


def _say(message: str) -> None:
    print(f"lnn: {message}", file=sys.stderr, flush=True)


@contextmanager
def first_ctrl_c_stops() -> Iterator[StopRequest]:
    """While inside, SIGINT sets the request instead of raising; a second one raises
    KeyboardInterrupt (``lnn`` then exits 130). Once ``writing``, SIGINT only marks ``quit``,
    and KeyboardInterrupt is raised when the block ends, the outputs whole. Outside the main
    thread, where no signal handler can be set, Ctrl-C keeps its usual meaning."""
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if request.writing:
            if not request.quit:
                _say("writing what was trained first; quitting once it is written")
            request.quit = True
            return
        if request.requested:
            raise KeyboardInterrupt
        request.requested = True
        _say(
            "stopping after the current step to keep what was trained "
            "(Ctrl-C again to quit at once)"
        )

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield request
    finally:
        signal.signal(signal.SIGINT, previous)
    if request.quit:
        raise KeyboardInterrupt
