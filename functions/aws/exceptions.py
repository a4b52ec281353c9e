"""Failures of the AWS adapters."""


class AwsAdapterError(RuntimeError):
    """An AWS call did not do what the protocol needs."""


class ConfigurationError(AwsAdapterError):
    """The function's environment does not describe a stack."""


class PublishError(AwsAdapterError):
    """SNS refused some entries of a batch even after a retry."""


class IncompleteBarrierError(AwsAdapterError):
    """A stage's outputs were read back before every shard had arrived."""


class ObjectNotFoundError(AwsAdapterError):
    """An S3 key holds nothing (never written, or pruned)."""
