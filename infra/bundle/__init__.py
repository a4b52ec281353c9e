"""Build the deterministic Lambda zip: project sources plus manylinux wheels of handler deps."""

from infra.bundle.builder import (
    DEFAULT_OUTPUT,
    HANDLER_FUNCTION,
    HANDLER_MODULES,
    LAMBDA_UNZIPPED_LIMIT,
    build_bundle,
    build_source_bundle,
    default_cache_dir,
    host_architecture,
    host_python_version,
)
from infra.bundle.exceptions import BundleConfigError, BundleError, BundleTooLargeError

__all__ = [
    "DEFAULT_OUTPUT",
    "HANDLER_FUNCTION",
    "HANDLER_MODULES",
    "LAMBDA_UNZIPPED_LIMIT",
    "BundleConfigError",
    "BundleError",
    "BundleTooLargeError",
    "build_bundle",
    "build_source_bundle",
    "default_cache_dir",
    "host_architecture",
    "host_python_version",
]
