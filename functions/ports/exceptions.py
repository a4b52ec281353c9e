"""Failures a port reports in the protocol's terms, whatever the storage behind it."""


class PortError(RuntimeError):
    """A port could not do what the protocol asked."""


class ObjectNotFoundError(PortError):
    """A blob key holds nothing (never written, or pruned)."""


class DeleteError(PortError):
    """The store refused to delete some objects (a role without the right, say)."""


class PublishError(PortError):
    """The bus refused some messages even after a retry."""


class IncompleteBarrierError(PortError):
    """A stage's outputs were read back before every shard had arrived."""
