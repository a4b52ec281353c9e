"""The embedded local stack: moto as the AWS API plus a Lambda runner for SQS mappings."""

from infra.local.api_calls import ApiCallCounter
from infra.local.context import LambdaContext
from infra.local.discovery import Redrive, SqsMapping
from infra.local.embedded import EmbeddedStack
from infra.local.exceptions import (
    HandlerImportError,
    LocalStackError,
    PortInUseError,
    RunnerConfigError,
    StackNotStartedError,
)
from infra.local.moto_compat import correct_moto, disable_moto_sqs_lambda_delivery
from infra.local.runner import DEFAULT_LOCAL_RETRY_DELAY, LambdaRunner
from infra.local.server import serve
from infra.local.sqs_event import sqs_event
from infra.local.stats import FunctionStats, RunnerStats

__all__ = [
    "DEFAULT_LOCAL_RETRY_DELAY",
    "ApiCallCounter",
    "EmbeddedStack",
    "FunctionStats",
    "HandlerImportError",
    "LambdaContext",
    "LambdaRunner",
    "LocalStackError",
    "PortInUseError",
    "Redrive",
    "RunnerConfigError",
    "RunnerStats",
    "SqsMapping",
    "StackNotStartedError",
    "correct_moto",
    "disable_moto_sqs_lambda_delivery",
    "serve",
    "sqs_event",
]
