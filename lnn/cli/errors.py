"""Errors the CLI reports as one line with exit code 2 (bad input, nothing lost)."""


class UsageError(ValueError):
    """The user asked for something impossible; the message says what and how to fix it."""


EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
# What a shell reports for a writer killed by SIGPIPE (128 + 13), as in `lnn predict | head`.
EXIT_BROKEN_PIPE = 141
# And for a command Ctrl-C ended (128 + SIGINT): also `lnn train` stopped by it, its
# outputs kept.
EXIT_INTERRUPTED = 130
