"""User-facing errors: one line each, no traceback.

:class:`SimInputError` is bad input (config, override or seeds table): the line names the field, the value given and
what is allowed; the command exits with status 2 before anything is written. :class:`SimRunError` is a run that could
not finish (a non-finite value, a full disk): the line says what went wrong where; the command exits with status 1
and keeps nothing of the run.
"""

from __future__ import annotations


class SimInputError(ValueError):
    """Bad input (config, override or seeds table). ``str(err)`` is the one-line message shown to users."""

    def __init__(self, field: str, value: object, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}: got {value!r}; {allowed}")


class SimRunError(RuntimeError):
    """A run that could not finish. ``str(err)`` is the one-line message shown to users."""
