"""Failures of the protocol itself (the ports report theirs in functions.ports)."""


class ProtocolError(RuntimeError):
    """The protocol cannot go on with this message."""


class ConfigurationError(ProtocolError):
    """The function's environment does not describe a stack."""


class UnattributableDeadLetterError(ProtocolError):
    """A dead letter that names no run of this stack: it stays in its queue, counted."""


class BatchDataError(ProtocolError):
    """A stored batch of the run's data is missing, or not the data its plan describes (a
    client's upload): no retry can mend it, so the task that read it fails the run."""
