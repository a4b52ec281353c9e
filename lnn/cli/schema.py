"""``lnn schema``: the JSON Schema of every message on the wire."""

import argparse
import json

from messages.schema import json_schema


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--indent", type=int, default=2)


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=args.indent))
    return 0
