"""Lambda code: thin handlers and the pure numpy math they share."""
