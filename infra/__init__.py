"""The stack as data, boto3 deploy/teardown, the bundle builder and the embedded local stack."""

# A namespace of modules, imported by their own names: nothing is re-exported here.
__all__: list[str] = []
