"""The lnn command line."""

# A namespace of modules, imported by their own names: nothing is re-exported here.
__all__: list[str] = []
