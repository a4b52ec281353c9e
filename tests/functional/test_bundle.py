"""The Lambda bundle imports its handlers with nothing but the bundle and the runtime's SDK."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra.bundle import (
    HANDLER_FUNCTION,
    HANDLER_MODULES,
    BundleConfigError,
    BundleError,
    build_bundle,
    host_architecture,
    host_python_version,
)

# What the Lambda Python runtime provides besides the standard library.
RUNTIME_PACKAGES = ("boto3", "botocore", "jmespath", "s3transfer", "dateutil", "urllib3", "six")
BUNDLED_DEPENDENCIES = ("numpy", "pydantic", "pydantic_core", "aws_lambda_powertools")

# -S as well as -I: site-packages (and the editable install's finder) must not leak in.
_CHILD = """
import importlib, json, sys
bundle, runtime, modules, handler_name, dependencies = json.loads(sys.argv[1])
sys.path[:0] = [bundle, runtime]
report = {}
for name in [*modules, *dependencies]:
    module = importlib.import_module(name)
    handler = getattr(module, handler_name, None)
    report[name] = {"file": module.__file__, "handler": callable(handler)}
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two builds for this host; the second one is served from the wheel cache."""
    out = tmp_path_factory.mktemp("bundle")
    options = {"architecture": host_architecture(), "python_version": host_python_version()}
    first = build_bundle(output=out / "first.zip", **options)
    second = build_bundle(output=out / "second.zip", **options)
    return first, second


def _runtime_dir(target: Path) -> Path:
    """Symlink just the runtime-provided packages from this environment into `target`."""
    target.mkdir()
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None, f"{name} is not installed"
        source = Path(spec.origin)
        if spec.submodule_search_locations:
            source = source.parent
        (target / source.name).symlink_to(source, target_is_directory=source.is_dir())
    return target


def fresh_import(bundle: Path, tmp_path: Path, modules: tuple[str, ...]) -> dict[str, dict]:
    """Import `modules` in a fresh interpreter that sees only the unzipped bundle and the SDK."""
    unpacked = tmp_path / "task"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(unpacked)
    runtime = _runtime_dir(tmp_path / "runtime")
    args = [str(unpacked), str(runtime), list(modules), HANDLER_FUNCTION, BUNDLED_DEPENDENCIES]
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _CHILD, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_handlers_import_from_the_bundle_alone(bundles: tuple[Path, Path], tmp_path: Path) -> None:
    report = fresh_import(bundles[0], tmp_path, HANDLER_MODULES)
    unpacked = (tmp_path / "task").resolve()
    for name in HANDLER_MODULES:
        assert report[name]["handler"], f"{name}.{HANDLER_FUNCTION} is not callable"
    for name in (*HANDLER_MODULES, *BUNDLED_DEPENDENCIES):
        assert Path(report[name]["file"]).resolve().is_relative_to(unpacked), report[name]


def test_bundle_holds_no_bytecode_tests_or_sdk(bundles: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(bundles[0]) as archive:
        names = archive.namelist()
    top_level = {name.split("/")[0] for name in names}
    parts = {part for name in names for part in name.split("/")[:-1]}
    assert {"functions", "messages", "numpy", "pydantic", "aws_lambda_powertools"} <= top_level
    assert "__pycache__" not in parts and "tests" not in parts
    assert not [name for name in names if name.endswith(".pyc")]
    assert not {"boto3", "botocore", "s3transfer"} & top_level
    assert names == sorted(names)


def test_rebuild_from_the_cache_is_byte_identical(bundles: tuple[Path, Path]) -> None:
    first, second = bundles
    assert first.read_bytes() == second.read_bytes()


def test_pip_failure_is_one_line_bundle_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # nothing to download from: pip must fail
    with pytest.raises(BundleError, match="pip download failed") as caught:
        build_bundle(cache_dir=tmp_path / "empty-cache", output=tmp_path / "never.zip")
    assert "\n" not in str(caught.value) and "numpy" in str(caught.value)
    assert not (tmp_path / "never.zip").exists()


@pytest.mark.parametrize(("arch", "version"), [("sparc", "3.12"), ("arm64", "python3")])
def test_bad_target_is_rejected_before_any_download(
    arch: str, version: str, tmp_path: Path
) -> None:
    with pytest.raises(BundleConfigError):
        build_bundle(architecture=arch, python_version=version, cache_dir=tmp_path)  # type: ignore[arg-type]
    assert not any(tmp_path.iterdir())
