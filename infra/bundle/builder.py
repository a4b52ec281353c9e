"""Build the Lambda zip without Docker: project sources plus manylinux wheels fetched by pip."""

from __future__ import annotations

import logging
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Literal

from infra.bundle.exceptions import BundleConfigError, BundleError, BundleTooLargeError

__all__ = [
    "DEFAULT_OUTPUT",
    "HANDLER_FUNCTION",
    "HANDLER_MODULES",
    "LAMBDA_UNZIPPED_LIMIT",
    "Architecture",
    "build_bundle",
    "default_cache_dir",
    "host_architecture",
    "host_python_version",
]

Architecture = Literal["x86_64", "arm64"]

HANDLER_MODULES = (
    "functions.handlers.trainer",
    "functions.handlers.neuron",
    "functions.handlers.loss",
)
HANDLER_FUNCTION = "handler"
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024  # Lambda's documented 262,144,000 bytes

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = _PROJECT_ROOT / "build" / "lnn-lambda.zip"
_SOURCE_PACKAGES = ("functions", "messages")
# Lambda bundles carry only what handlers import; the runtime already provides boto3/botocore.
_DEPENDENCIES = ("numpy", "pydantic", "aws-lambda-powertools")
# Pinned as constraints (not requirements) so pip still decides which of them are needed.
_TRANSITIVE = (
    "pydantic-core",
    "typing-extensions",
    "annotated-types",
    "typing-inspection",
    "jmespath",
)
_RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})

_PIP_ARCH = {"x86_64": "x86_64", "arm64": "aarch64"}
_HOST_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}
_SKIPPED_PARTS = frozenset({"__pycache__", "tests"})
_WHEEL_DATA = re.compile(r"^[^/]+-[^/]+\.data/(?:(purelib|platlib)/(.+)|.*)$")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_MB = 1024 * 1024

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Entry:
    """One file of the bundle: a path on disk, or `member` of the wheel at `source`."""

    source: Path
    size: int
    executable: bool = False
    member: str | None = None


def host_python_version() -> str:
    """The running interpreter's version as Lambda names runtimes, e.g. "3.11"."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def host_architecture() -> Architecture:
    """This machine's architecture in Lambda's vocabulary ("x86_64" or "arm64")."""
    machine = platform.machine().lower()
    if machine not in _HOST_ARCH:
        raise BundleConfigError(f"no Lambda architecture matches this machine ({machine!r})")
    return "arm64" if _HOST_ARCH[machine] == "arm64" else "x86_64"


def default_cache_dir(architecture: Architecture, python_version: str) -> Path:
    return Path.home() / ".cache" / "lnn" / "wheels" / f"{python_version}-{architecture}"


def build_bundle(
    *,
    architecture: Architecture = "x86_64",
    python_version: str = "3.12",
    cache_dir: Path | None = None,
    output: Path | None = None,
) -> Path:
    """Write the deterministic Lambda zip and return its path."""
    if architecture not in _PIP_ARCH:
        raise BundleConfigError(f"architecture must be x86_64 or arm64, not {architecture!r}")
    if not re.fullmatch(r"3\.\d+", python_version):
        raise BundleConfigError(f"python version must look like 3.12, not {python_version!r}")
    cache = Path(cache_dir) if cache_dir else default_cache_dir(architecture, python_version)
    target = Path(output) if output else DEFAULT_OUTPUT
    with tempfile.TemporaryDirectory(prefix="lnn-bundle-") as staging:
        wheels = _fetch_wheels(architecture, python_version, cache, Path(staging))
        entries = _source_entries()
        for wheel in wheels:
            for name, entry in _wheel_entries(wheel).items():
                if name in entries:
                    raise BundleError(f"{wheel.name} and another input both provide {name}")
                entries[name] = entry
        unzipped = sum(entry.size for entry in entries.values())
        if unzipped > LAMBDA_UNZIPPED_LIMIT:
            raise BundleTooLargeError(
                f"bundle unzips to {unzipped / _MB:.1f} MB, over Lambda's 250 MB limit"
            )
        _write_zip(entries, target)
    logger.info(
        "bundle %s: %d files, %.1f MB zipped, %.1f MB unzipped",
        target,
        len(entries),
        target.stat().st_size / _MB,
        unzipped / _MB,
    )
    return target


def _pins() -> tuple[list[str], list[str]]:
    """Requirements and constraints pinned to this environment, so the bundle matches tests."""
    try:
        requirements = [f"{name}=={metadata.version(name)}" for name in _DEPENDENCIES]
    except metadata.PackageNotFoundError as exc:
        raise BundleError(f"handler dependency {exc.name} is not installed here") from exc
    constraints = []
    for name in _TRANSITIVE:
        try:
            constraints.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue  # not installed here: let pip choose
    return requirements, constraints


def _fetch_wheels(
    arch: Architecture, python_version: str, cache: Path, staging: Path
) -> list[Path]:
    """Resolve offline from the cache when it can; otherwise fill the cache from the index."""
    requirements, constraints = _pins()
    constraints_file = staging / "constraints.txt"
    constraints_file.write_text("\n".join(constraints) + "\n")
    pip_arch = _PIP_ARCH[arch]
    # The offline pass copies exactly the resolved set into `dest`, ignoring stale cache files.
    dest = staging / "wheels"
    download = [
        sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-input",
        "--only-binary=:all:", "--implementation", "cp", "--python-version", python_version,
        "--platform", f"manylinux2014_{pip_arch}",
        "--platform", f"manylinux_2_17_{pip_arch}",
        "--platform", f"manylinux_2_28_{pip_arch}",
        "-c", str(constraints_file), *requirements,
    ]  # fmt: skip
    offline = [*download, "--no-index", "--find-links", str(cache), "--dest", str(dest)]
    if cache.is_dir() and any(cache.glob("*.whl")) and _run_pip(offline).returncode == 0:
        return _resolved(dest)
    cache.mkdir(parents=True, exist_ok=True)
    _check(_run_pip([*download, "--dest", str(cache)]), arch, python_version)
    shutil.rmtree(dest, ignore_errors=True)
    _check(_run_pip(offline), arch, python_version)
    return _resolved(dest)


def _run_pip(command: list[str]) -> subprocess.CompletedProcess[str]:
    logger.debug("running %s", " ".join(command))
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _check(result: subprocess.CompletedProcess[str], arch: str, python_version: str) -> None:
    if result.returncode == 0:
        return
    lines = [line.strip() for line in (result.stderr or result.stdout).splitlines()]
    last = next((line for line in reversed(lines) if line), f"exit code {result.returncode}")
    raise BundleError(f"pip download failed for {arch}/Python {python_version}: {last}")


def _resolved(dest: Path) -> list[Path]:
    def dist_name(wheel: Path) -> str:
        return wheel.name.split("-", 1)[0].lower().replace("_", "-")

    wheels = sorted(dest.glob("*.whl"))
    return [wheel for wheel in wheels if dist_name(wheel) not in _RUNTIME_PROVIDED]


def _skipped(parts: tuple[str, ...]) -> bool:
    return bool(_SKIPPED_PARTS.intersection(parts)) or parts[-1].endswith((".pyc", ".pyo"))


def _source_entries() -> dict[str, _Entry]:
    """The project's Lambda packages: .py sources only, no tests."""
    entries: dict[str, _Entry] = {}
    for package in _SOURCE_PACKAGES:
        root = _PROJECT_ROOT / package
        if not (root / "__init__.py").is_file():
            raise BundleError(f"source package {package!r} not found under {_PROJECT_ROOT}")
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(_PROJECT_ROOT)
            is_test = rel.name.startswith("test_") or rel.name == "conftest.py"
            if not is_test and not _skipped(rel.parts):
                entries[rel.as_posix()] = _Entry(source=path, size=path.stat().st_size)
    return entries


def _wheel_entries(wheel: Path) -> dict[str, _Entry]:
    """What installing `wheel` would put in site-packages, minus bytecode and test suites."""
    entries: dict[str, _Entry] = {}
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            name = info.filename
            data = _WHEEL_DATA.match(name)
            if data:  # only purelib/platlib of a .data dir belong in site-packages
                if not data.group(2):
                    continue
                name = data.group(2)
            if info.is_dir() or _skipped(tuple(name.split("/"))):
                continue
            executable = bool((info.external_attr >> 16) & 0o111)
            entries[name] = _Entry(wheel, info.file_size, executable, info.filename)
    return entries


def _write_zip(entries: dict[str, _Entry], target: Path) -> None:
    """Sorted names, fixed timestamps and modes: equal inputs give byte-identical zips."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with ExitStack() as stack:
        wheels: dict[Path, zipfile.ZipFile] = {}
        out = stack.enter_context(zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED))
        for name in sorted(entries):
            entry = entries[name]
            info = zipfile.ZipInfo(name, _ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so external_attr carries the file mode
            info.external_attr = (0o100755 if entry.executable else 0o100644) << 16
            info.file_size = entry.size
            if entry.member is None:
                source = entry.source.open("rb")
            else:
                if entry.source not in wheels:
                    wheels[entry.source] = stack.enter_context(zipfile.ZipFile(entry.source))
                source = wheels[entry.source].open(entry.member)
            with source, out.open(info, "w") as sink:
                shutil.copyfileobj(source, sink, _MB)
    partial.replace(target)


def build_source_bundle(output: Path) -> Path:
    """A zip of the project's Lambda packages alone, without third-party wheels.

    For emulated stacks (the embedded one, `lnn up`): their runner imports handlers from the
    local environment, so the deployed code only has to be the project's own, and no download
    is needed.
    """
    _write_zip(_source_entries(), output)
    return output
