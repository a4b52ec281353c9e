"""One IAM role per function with a single least-privilege inline policy."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from infra.stack.aws import Clients, error_code
from infra.stack.policies import lambda_trust_policy, policy_document
from infra.stack.spec import StackSpec

__all__ = ["delete_roles", "ensure_roles"]


def _find_role(iam: Any, name: str) -> dict[str, Any] | None:
    try:
        return dict(iam.get_role(RoleName=name)["Role"])
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return None
        raise


def ensure_roles(spec: StackSpec, clients: Clients) -> dict[str, str]:
    """Create or update each role and its inline policy; returns role ARNs by role name."""
    iam, trust = clients.iam, lambda_trust_policy()
    arns: dict[str, str] = {}
    for role in spec.roles:
        found = _find_role(iam, role.name)
        if found is None:
            found = iam.create_role(
                RoleName=role.name,
                AssumeRolePolicyDocument=trust,
                Description=f"Execution role of Lambda function {role.function}",
            )["Role"]
        else:
            iam.update_assume_role_policy(RoleName=role.name, PolicyDocument=trust)
        iam.put_role_policy(
            RoleName=role.name,
            PolicyName=role.policy_name,
            PolicyDocument=policy_document(role.statements),
        )
        arns[role.name] = str(found["Arn"])
    return arns


def _delete_role(iam: Any, name: str) -> None:
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=name):
        for policy in page.get("PolicyNames", []):
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
        for policy in page.get("AttachedPolicies", []):
            iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    iam.delete_role(RoleName=name)


def delete_roles(spec: StackSpec, clients: Clients) -> list[str]:
    removed = []
    for role in spec.roles:
        if _find_role(clients.iam, role.name) is None:
            continue
        _delete_role(clients.iam, role.name)
        removed.append(f"role:{role.name}")
    return removed
