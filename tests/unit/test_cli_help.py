"""Every command's --help describes every option and shows its default the same way."""

import argparse

import pytest

from lnn.cli.main import COMMANDS, build_parser


def commands() -> dict[str, argparse.ArgumentParser]:
    (sub,) = (a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def shown_options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [
        action
        for action in parser._actions
        if action.help is not argparse.SUPPRESS and not isinstance(action, argparse._HelpAction)
    ]


def help_text(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    return parser._get_formatter()._expand_help(action)


def test_every_command_is_checked() -> None:
    assert set(commands()) == set(COMMANDS)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_option_says_what_it_does_and_its_default(name: str) -> None:
    parser = commands()[name]
    for action in shown_options(parser):
        text = help_text(parser, action)
        label = "/".join(action.option_strings) or action.dest
        assert text.strip(), f"lnn {name} {label} has no help"
        if action.default not in (None, False):
            assert f"(default: {action.default})" in text, f"lnn {name} {label}: {text!r}"
        if "default" in text:
            # One spelling, whether argparse adds it or the help writes it out.
            assert text.count("(default: ") == 1, f"lnn {name} {label}: {text!r}"
