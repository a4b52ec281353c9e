#!/usr/bin/env python3
"""Publish a TrainRequest to the stack's train topic and print its run id: `lnn submit`'s
options (the same training options as `lnn train`), or --file request.json as it is."""

import sys

from lnn.cli.main import main as lnn


def main(argv: list[str] | None = None) -> int:
    rest = sys.argv[1:] if argv is None else list(argv)
    if "-h" in rest or "--help" in rest:
        print(__doc__)
    return lnn(["submit", *rest])


if __name__ == "__main__":
    sys.exit(main())
