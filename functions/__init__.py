"""Lambda code: thin handlers and the pure numpy math they share."""

# A namespace of modules, imported by their own names: nothing is re-exported here.
__all__: list[str] = []
