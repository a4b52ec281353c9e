"""One vocabulary and one set of defaults: the math's registries, the message contract and the
CLI agree, because the latter two are derived from the former."""

import argparse
from typing import get_args

import pytest

from functions.nn.activations import ACTIVATION_NAMES, get_activation
from functions.nn.initializers import INIT_SCHEMES, initialize_layer
from functions.nn.optimizers import OPTIMIZER_NAMES, make_optimizer
from functions.nn.schedules import DECAY_SCHEDULES, SCHEDULE_NAMES, make_schedule
from lnn.cli import submit
from lnn.cli import training_options as train
from lnn.cli.options import parse_layers
from messages.train_request import LayerSpecModel, TrainConfig

REQUIRED = {"dataset", "layers"}  # no default in the model; the CLI picks flower, 4:tanh,1:sigmoid


def parser_of(add_arguments: object) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser()
    add_arguments(p)  # type: ignore[operator]
    return p


def choices(p: argparse.ArgumentParser, dest: str) -> tuple[str, ...]:
    (action,) = [a for a in p._actions if a.dest == dest]
    return tuple(action.choices or ())


@pytest.mark.parametrize("add_arguments", [train.add_arguments, submit.add_arguments])
def test_cli_defaults_are_the_train_config_defaults(add_arguments: object) -> None:
    defaults = vars(parser_of(add_arguments).parse_args([]))
    fields = TrainConfig.model_fields
    assert set(fields) - REQUIRED <= set(defaults), "every TrainConfig field has an option"
    for name in set(fields) - REQUIRED:
        assert defaults[name] == fields[name].default, name
        assert type(defaults[name]) is type(fields[name].default), name


def test_lnn_train_without_options_is_a_default_train_config() -> None:
    args = parser_of(train.add_arguments).parse_args([])
    expected = TrainConfig(dataset="flower", layers=parse_layers("4:tanh,1:sigmoid"))
    assert train.build_config(args, "flower") == expected
    assert expected.epochs == 1000


def test_the_vocabularies_agree() -> None:
    p = parser_of(train.add_arguments)
    fields = TrainConfig.model_fields
    layer_activation = LayerSpecModel.model_fields["activation"].annotation
    assert get_args(layer_activation) == ACTIVATION_NAMES
    assert get_args(fields["optimizer"].annotation) == OPTIMIZER_NAMES == choices(p, "optimizer")
    assert get_args(fields["init"].annotation) == INIT_SCHEMES == choices(p, "init")
    assert get_args(fields["lr_schedule"].annotation) == DECAY_SCHEDULES
    assert choices(p, "lr_schedule") == DECAY_SCHEDULES
    assert ("constant", *DECAY_SCHEDULES) == SCHEDULE_NAMES
    # Every name on the wire is one the math implements.
    for name in ACTIVATION_NAMES:
        get_activation(name)
    for name in OPTIMIZER_NAMES:
        make_optimizer(name)
    for name in INIT_SCHEMES:
        initialize_layer(name, 2, 3, seed=0, layer=1)
    for name in DECAY_SCHEDULES:
        make_schedule(name, lr=0.1, rate=0.5)(3)


def test_the_defaults_are_in_their_vocabularies() -> None:
    fields = TrainConfig.model_fields
    assert fields["optimizer"].default in OPTIMIZER_NAMES
    assert fields["init"].default in INIT_SCHEMES
    assert fields["lr_schedule"].default in DECAY_SCHEDULES
