"""Why a benchmark case did not measure."""


class CaseUnavailableError(RuntimeError):
    """The engine a case needs is not there (yet); the case is reported, not failed."""


class EngineRunFailedError(RuntimeError):
    """An engine finished without SUCCEEDED."""
