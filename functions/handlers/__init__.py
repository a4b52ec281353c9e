"""Lambda entry points: parse, call the protocol in functions.network, report failures."""
