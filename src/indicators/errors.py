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


class DataFileGiven(DatabaseInvalid):
    """The file is a data file (CSV, JSON, Parquet …), not a database: never to be
    replaced by one (``init --force``)."""


class WriteConflict(IndicatorsError):
    """A concurrent write changed the same rows first; nothing of this unit was written."""


class PermissionDenied(RejectedInput):
    """The acting user's role or scope does not allow the write; nothing was written."""


class PeriodLocked(RejectedInput):
    """The month is locked for changes (and not unlocked for the unit); nothing was written."""


class SignInFailed(IndicatorsError):
    """Wrong login or password, a disabled or a locked account (an unknown login and a
    wrong password read the same)."""


class DatabaseUnreachable(IndicatorsError):
    """The PostgreSQL server cannot be reached or refuses the login."""
