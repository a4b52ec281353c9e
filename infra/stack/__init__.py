"""The stack as data (names, spec) and its idempotent boto3 deploy, teardown and describe."""

from infra.stack.aws import resolve_names
from infra.stack.deploy import (
    Teardown,
    deploy_stack,
    describe_stack,
    function_states,
    teardown_stack,
)
from infra.stack.exceptions import (
    DeployError,
    StackConfigError,
    StackError,
    StackNotDeployedError,
)
from infra.stack.lookup import find_stack
from infra.stack.names import StackNames
from infra.stack.outputs import StackOutputs
from infra.stack.spec import (
    BucketSpec,
    FunctionSpec,
    MappingSpec,
    QueueSpec,
    RoleSpec,
    StackSpec,
    SubscriptionSpec,
    TableSpec,
    TopicSpec,
    build_stack,
)

__all__ = [
    "BucketSpec",
    "DeployError",
    "FunctionSpec",
    "MappingSpec",
    "QueueSpec",
    "RoleSpec",
    "StackConfigError",
    "StackError",
    "StackNames",
    "StackNotDeployedError",
    "StackOutputs",
    "StackSpec",
    "SubscriptionSpec",
    "TableSpec",
    "Teardown",
    "TopicSpec",
    "build_stack",
    "deploy_stack",
    "describe_stack",
    "find_stack",
    "function_states",
    "resolve_names",
    "teardown_stack",
]
