"""Parsing of option values shared by several commands, and options that mirror TrainConfig."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin

from lnn.cli.errors import UsageError
from lnn.layer_text import LayersTextError
from lnn.layer_text import parse_layers as parse_layer_text
from messages.status import STALL_AFTER_S
from messages.train_request import TrainConfig

if TYPE_CHECKING:
    from infra.local.chaos import ChaosSpec


def parse_layers(text: str) -> list[dict[str, object]]:
    """``--layers`` text -> TrainConfig's layers (lnn.layer_text); UsageError if malformed."""
    try:
        return parse_layer_text(text)
    except LayersTextError as exc:
        raise UsageError(f"--layers: {exc}") from exc


def add_config_option(p: argparse.ArgumentParser, flag: str, **kwargs: Any) -> None:
    """``--flag`` for TrainConfig's field ``flag`` (dashes for underscores): its default, its
    type, and for a Literal field its names as choices, all read from the model so that the
    CLI cannot drift from the message contract."""
    field = TrainConfig.model_fields[flag.removeprefix("--").replace("-", "_")]
    if get_origin(field.annotation) is Literal:
        kwargs["choices"] = get_args(field.annotation)
    p.add_argument(flag, type=type(field.default), default=field.default, **kwargs)


def _count_or_auto(text: str, *, unit: str, zero: str) -> int | str:
    """``N|auto|ZERO`` as TrainConfig takes it: a count >= 0, ``"auto"``, or ``ZERO`` for 0."""
    text = text.strip().lower()
    if text in ("auto", zero):
        return "auto" if text == "auto" else 0
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected {unit} >= 0, auto or {zero}, got {text!r}")
    return value


def _parse_telemetry_every(text: str) -> int | str:
    """``--telemetry-every N|auto|off``: steps between telemetry steps (``off`` is 0)."""
    return _count_or_auto(text, unit="a step count", zero="off")


def _parse_eval_every(text: str) -> int | str:
    """``--eval-every N|auto|last``: epochs between evaluations (``last``, or 0: only after
    the last epoch)."""
    return _count_or_auto(text, unit="an epoch count", zero="last")


def add_telemetry_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--telemetry-every",
        type=_parse_telemetry_every,
        default=TrainConfig.model_fields["telemetry_every"].default,
        metavar="N|auto|off",
        help="record per-unit telemetry every N steps (auto: every step of a run of at most "
        "500 steps, else about 250-500 steps spread over the run; off or 0: never)",
    )


def add_eval_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--eval-every",
        type=_parse_eval_every,
        default=TrainConfig.model_fields["eval_every"].default,
        metavar="N|auto|last",
        help="evaluate accuracy every N epochs, and always after the last (auto: every "
        "ceil(epochs/20)-th, at most 20 evaluations; last or 0: after the last epoch only)",
    )


def parse_chaos(text: str | None) -> ChaosSpec | None:
    """``--chaos SPEC`` (infra.local.chaos); None without one. UsageError if malformed."""
    if not text:
        return None
    from infra.local.chaos import ChaosSpec  # botocore: loaded only when a spec is given
    from infra.local.exceptions import ChaosSpecError

    try:
        return ChaosSpec.parse(text)
    except ChaosSpecError as exc:
        raise UsageError(str(exc)) from exc


def add_stall_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--stall-after",
        type=float,
        default=STALL_AFTER_S,
        metavar="S",
        help="stop waiting after S seconds without progress, without a record of a run just "
        "submitted, or without an answer from the stack's API",
    )
