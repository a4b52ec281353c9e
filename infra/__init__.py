"""The stack as data, boto3 deploy/teardown, the bundle builder and the embedded local stack."""
