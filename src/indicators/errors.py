"""Errors the CLI and pages turn into one clear Chinese message (never a traceback)."""


class IndicatorsError(Exception):
    """Base class: ``str(err)`` is the message shown to the user."""


class DatabaseMissing(IndicatorsError):
    pass


class DatabaseLocked(IndicatorsError):
    pass


class DatabaseTooNew(IndicatorsError):
    pass


class RejectedInput(IndicatorsError):
    """Input that was refused; nothing was written."""


class DatabaseInvalid(IndicatorsError):
    """The file exists but is not a DuckDB database (or is damaged)."""


class WriteConflict(IndicatorsError):
    """A concurrent write changed the same rows first; nothing of this unit was written."""
