"""``lnn schema [NAME]``: the wire contract as JSON Schema draft 2020-12 documents."""

import argparse
import json

from messages.schema import MESSAGES, json_schema, message_schema


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "name",
        nargs="?",
        choices=list(MESSAGES),
        metavar="NAME",
        help="print only this message's document (one of: %(choices)s); "
        "(default: an object mapping every message name to its document)",
    )
    p.add_argument("--indent", type=int, default=2, help="spaces per JSON nesting level")


def cmd_schema(args: argparse.Namespace) -> int:
    document = json_schema() if args.name is None else message_schema(args.name)
    print(json.dumps(document, indent=args.indent))
    return 0
