"""RunView: what is known of one run, fed by whoever watches it (the reference engine's
callbacks, a stack reader, a finished TrainingResult) and read by the page's server from its
own threads. It turns into the page's document (``document()``), rebuilt only after a change.

Two versions: ``version`` moves on any change, ``content`` only when something outside the
status moved. A poll that already holds the content gets the status alone, and one that holds
an older content only the sections that differ from what it has: the cat network's weight
pictures alone are 360 KB, and the status (step, calls) moves on nearly every poll.
"""

import threading
import time
import uuid
from collections.abc import Sequence
from typing import Any

from functions.nn.types import Array, Params
from functions.telemetry import TelemetryRecord
from functions.telemetry.spans import Span
from lnn.datasets.images import image_shape
from lnn.first_layer import FirstLayerReader
from lnn.layer_text import layers_text
from lnn.watch.document import PICTURE_SECTIONS, build_document, parameter_sections
from lnn.watch.examples import Examples
from lnn.watch.images import FirstLayerPictures, StepNotKeptError
from lnn.watch.numbers import figure
from lnn.watch.series import TelemetrySeries
from messages.status import HistoryEntry, RunStatus
from messages.train_request import TrainConfig

# Sections whose data the run may not have (yet): the page says why instead of drawing.
NO_TELEMETRY = "no telemetry recorded yet (or the run has telemetry off)"
# Fields shown only in the status section: a change to one leaves every other section as it
# was, so the document is not rebuilt (nor re-sent) for it.
STATUS_FIELDS = frozenset(
    {
        "run_id",
        "status",
        "reason",
        "epoch",
        "step",
        "started",
        "ended",
        "calls",
        "note",
        "steps_per_epoch",
    }
)


class RunView:
    def __init__(self, *, engine: str, run_id: str | None = None) -> None:
        self._lock = threading.Lock()
        self._version = 0
        self._content = 0  # moves with every change outside STATUS_FIELDS
        # Names this view to a page's polls: a page left open from another run (another
        # view, on the same port) holds a content counter of that view, not of this one.
        self.id = uuid.uuid4().hex
        self._cached: tuple[int, dict[str, Any]] | None = None  # (content, sections)
        self._section_changed: dict[str, int] = {}  # section -> content it last changed at
        self._sections: dict[str, Any] = {}  # parameter views, rebuilt when the params move
        self.engine = engine
        self.run_id = run_id
        self.config: TrainConfig | None = None
        self.n_features: int | None = None
        self.eval_sizes: tuple[int, int, int] | None = None  # train, dev, test: the plan's
        self.steps_per_epoch: int | None = None
        self.status: str = RunStatus.PENDING.value
        self.reason: str | None = None
        self.epoch = 0
        self.step = 0
        self.started = time.time()
        self.ended: float | None = None
        self.history: list[HistoryEntry] = []
        self.series = TelemetrySeries()
        self.points: tuple[Array, Array] | None = None
        self.examples: Examples | None = None  # the run's splits, for views of predictions
        self.spans: list[Span] = []
        self.calls: dict[str, Any] = {}
        self.note: str | None = None  # how the parameter views are refreshed, for the page
        self._params: tuple[int, Params] | None = None
        self.first_layer = FirstLayerPictures()  # the weight pictures at the kept steps

    def _changed(self, *, status_only: bool = False) -> None:
        self._version += 1
        if not status_only:
            self._content += 1

    def update(self, **fields: Any) -> None:
        """Set plain fields (status, epoch, run_id, config, ...; not arrays): a change bumps
        the version."""
        with self._lock:
            for name, value in fields.items():
                if not hasattr(self, name):
                    raise AttributeError(f"RunView has no field {name}")
                if getattr(self, name) != value:
                    setattr(self, name, value)
                    self._changed(status_only=name in STATUS_FIELDS)

    def set_points(self, x: Array, y: Array) -> None:
        """The training points of 2-D data (``x`` (2, m), ``y`` (units, m)): the boundary's."""
        with self._lock:
            self.points = (x, y)
            self._sections.pop("params_step", None)  # redraw the boundary over them
            self._changed()

    def set_examples(self, examples: Examples) -> None:
        """The run's data split (train, dev, test) and class names: what the page shows
        predictions on. Drawn from the latest parameters, like the boundary."""
        with self._lock:
            self.examples = examples
            for key in ("params_step", *PICTURE_SECTIONS):
                self._sections.pop(key, None)
            self._changed()

    def add_history(self, entries: Sequence[HistoryEntry]) -> None:
        with self._lock:
            known = self.history[-1].epoch if self.history else 0
            fresh = [e for e in entries if e.epoch > known]
            if fresh:
                self.history.extend(fresh)
                self.epoch = max(self.epoch, fresh[-1].epoch)
                self._changed()

    def add_telemetry(self, records: Sequence[TelemetryRecord]) -> None:
        with self._lock:
            last = self.series.steps[-1] if self.series.steps else 0
            fresh = [r for r in records if r.step > last]
            if fresh:
                self.series.extend(fresh)
                self._changed()

    def set_spans(self, spans: Sequence[Span]) -> None:
        with self._lock:
            if list(spans) != self.spans:
                self.spans = list(spans)
                self._changed()

    def set_params(self, step: int, params: Params) -> None:
        """The network's parameters after ``step`` (the boundary and the weight pictures are
        drawn from them when the page next asks, not in the caller's thread)."""
        with self._lock:
            if self._params is None or self._params[0] != step:
                self._params = (step, list(params))
                self._changed()

    def set_first_layer(self, steps: Sequence[int], reader: FirstLayerReader) -> None:
        """The steps whose first-layer weights the run kept so far, and how to read one
        (in the server's thread, when the page asks for its pictures)."""
        if self.first_layer.set_source(steps, reader):
            with self._lock:
                self._changed()

    def weight_pictures(self, step: int) -> dict[str, Any]:
        """The pictures of kept step ``step`` (read and drawn in the caller's thread, without
        the view's lock); PicturesError says why there are none."""
        shape = self.picture_shape()
        if shape is None:
            raise StepNotKeptError("the run's inputs are not pictures")
        return self.first_layer.pictures(step, shape)

    def weights_section(self, *, embed: int = 0) -> dict[str, Any] | None:
        """The weight pictures' section: the kept steps, with ``embed`` steps' pictures in it
        (a report's, which cannot ask; the live page asks for each step it shows). A step is
        read to embed it: with ``embed``, call this without the view's lock held."""
        shape = self.picture_shape()
        if shape is None or self.config is None:
            return None
        return self.first_layer.section(shape, self.config.layers[0].units, embed=embed)

    def parameter_views(self) -> dict[str, Any]:
        """The sections drawn from the latest parameters (lnn.watch.document), rebuilt only
        when their step moved. Called with the lock held, from ``document``."""
        if self._params is None or self.config is None:
            return self._sections
        if self._sections.get("params_step") != self._params[0]:
            step, params = self._params
            shape = self.picture_shape()
            pictures = not all(key in self._sections for key in PICTURE_SECTIONS)
            built = parameter_sections(
                self.config, step, params, self.points, self.examples, shape, pictures=pictures
            )
            self._sections.update(built, params_step=step)
        return self._sections

    def wants_params(self) -> bool:
        """Whether parameters would show anywhere (2-D data, image inputs, examples)."""
        with self._lock:
            if self.config is None:
                return False
            shown = self.points is not None or self.examples is not None
            return shown or self.picture_shape() is not None

    def picture_shape(self) -> tuple[int, ...] | None:
        """The shape the first layer's weight rows are drawn in; None: the page has none."""
        if self.config is None or self.n_features is None:
            return None
        return image_shape(self.config.dataset, self.n_features)

    def status_section(self) -> dict[str, Any]:
        with self._lock:
            config = self.config
            steps = None
            if config is not None and self.steps_per_epoch:
                steps = config.epochs * self.steps_per_epoch
            end = self.ended if self.ended is not None else time.time()
            return {
                "version": self._version,
                "content": self._content,
                "view": self.id,
                "run_id": self.run_id,
                "engine": self.engine,
                "dataset": None if config is None else config.dataset,
                "layers": None if config is None else layers_text(config.layers),
                "status": self.status,
                "reason": self.reason,
                "epoch": self.epoch,
                "epochs": None if config is None else config.epochs,
                "step": self.step,
                "steps": steps,
                "elapsed_s": figure(max(end - self.started, 0.0)),
                "telemetry_steps": len(self.series.steps),
                # The run will not move any more (a stalled one was given up on).
                "ended": self.status not in (RunStatus.PENDING, RunStatus.RUNNING),
                "calls": dict(self.calls),
                "note": self.note,
            }

    def document(self, since: int | None = None) -> dict[str, Any]:
        """The page's whole document, its sections rebuilt only after a change outside the
        status; with ``since`` (the content a page holds) only the sections changed after it."""
        status = self.status_section()
        with self._lock:
            sections = self._sections_now()
            if since is not None and since <= self._content:
                changed = self._section_changed
                sections = {k: v for k, v in sections.items() if changed.get(k, 0) > since}
        # The status was read first: a content that moved since is sent again next poll.
        return {**sections, "version": status["version"], "status": status}

    def _sections_now(self) -> dict[str, Any]:
        """The sections at the current content, built once per content; a section equal to the
        one built before keeps the content it last changed at."""
        if self._cached is not None and self._cached[0] == self._content:
            return self._cached[1]
        built = self._build()
        before = {} if self._cached is None else self._cached[1]
        for key, section in built.items():
            if key not in before or before[key] != section:
                self._section_changed[key] = self._content
        self._cached = (self._content, built)
        return built

    def _build(self) -> dict[str, Any]:
        return build_document(self)
