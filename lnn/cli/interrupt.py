"""Ctrl-C during ``lnn train``: the first asks the engine to stop at the next step and keep
what it trained (the run ends CANCELLED, its outputs written as for any run); a second one
quits at once, keeping nothing more."""

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class StopRequest:
    """Called by an engine at each step boundary (or each poll): True once Ctrl-C was hit."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self) -> bool:
        return self.requested


@contextmanager
def first_ctrl_c_stops() -> Iterator[StopRequest]:
    """While inside, SIGINT sets the request instead of raising; a second one raises
    KeyboardInterrupt (``lnn`` then exits 130). Outside the main thread, where no signal
    handler can be set, Ctrl-C keeps its usual meaning."""
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if request.requested:
            raise KeyboardInterrupt
        request.requested = True
        print(
            "lnn: stopping after the current step to keep what was trained "
            "(Ctrl-C again to quit at once)",
            file=sys.stderr,
            flush=True,
        )

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield request
    finally:
        signal.signal(signal.SIGINT, previous)
