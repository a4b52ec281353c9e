"""Lambda entry points: parse, call the protocol in functions.protocol, report failures."""

# A namespace of modules, imported by their own names: nothing is re-exported here.
__all__: list[str] = []
