"""Lambda entry points: parse, call the protocol in functions.protocol, report failures."""
