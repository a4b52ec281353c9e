"""`python -m infra.bundle`: build the Lambda zip and report its size."""

from __future__ import annotations

import argparse
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from infra.bundle.builder import DEFAULT_OUTPUT, build_bundle
from infra.bundle.exceptions import BundleConfigError, BundleError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m infra.bundle", description="Build the Lambda deployment zip."
    )
    parser.add_argument("--arch", choices=("x86_64", "arm64"), default="x86_64")
    parser.add_argument("--python", default="3.12", help="Lambda runtime version, e.g. 3.12")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--cache-dir", type=Path, default=None, help="wheel cache directory")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Build the bundle; exit 0 on success, 2 on bad input, 1 when the build fails."""
    args = _parser().parse_args(argv)
    try:
        path = build_bundle(
            architecture=args.arch,
            python_version=args.python,
            cache_dir=args.cache_dir,
            output=args.output,
        )
    except BundleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, BundleConfigError) else 1
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    unzipped = sum(info.file_size for info in infos) / 1e6
    zipped = path.stat().st_size / 1e6
    print(f"{path}: {len(infos)} files, {zipped:.1f} MB zipped, {unzipped:.1f} MB unzipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
