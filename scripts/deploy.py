#!/usr/bin/env python3
"""Deploy (or tear down) the stack: `lnn deploy`'s options, plus --localstack to target
LocalStack at the endpoint localstack-client resolves ($LOCALSTACK_HOST, else localhost:4566)."""

import argparse
import sys

from lnn.cli.main import main as lnn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--localstack", action="store_true")
    known, rest = parser.parse_known_args(argv)
    if "-h" in rest or "--help" in rest:
        print(__doc__)
    if known.localstack:
        from localstack_client.config import get_service_endpoint

        rest = ["--endpoint-url", str(get_service_endpoint("edge")), *rest]
    return lnn(["deploy", *rest])


if __name__ == "__main__":
    sys.exit(main())
