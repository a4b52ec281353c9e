"""Import handlers by their "pkg.module.func" name and run them in the function's environment."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from infra.local.exceptions import HandlerImportError

Handler = Callable[[dict[str, Any], Any], Any]


def load_handler(spec: str) -> Handler:
    """The callable named by a function's Handler setting.

    The module is imported once (sys.modules is the cache); the attribute is looked up
    on every call so that a reloaded or patched module takes effect.
    """
    module_name, _, attribute = spec.rpartition(".")
    if not module_name or not attribute:
        raise HandlerImportError(f"handler {spec!r} is not of the form 'module.function'")
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
    except Exception as exc:  # module-level code may raise anything
        raise HandlerImportError(f"cannot import handler {spec!r}: {exc}") from exc
    if not callable(handler):
        raise HandlerImportError(f"handler {spec!r} is not callable")
    return handler


@contextmanager
def environment(variables: Mapping[str, str]) -> Iterator[None]:
    """Apply `variables` to os.environ and restore the previous values afterwards.

    os.environ is process-wide: callers run one function's handlers at a time.
    """
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
