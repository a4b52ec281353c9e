"""The lnn command line."""
