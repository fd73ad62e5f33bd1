"""User-facing input errors: one line naming the field, the value and what is allowed."""

from __future__ import annotations


class SimInputError(ValueError):
    """Bad input (config, override or seeds table). ``str(err)`` is the one-line message shown to users."""

    def __init__(self, field: str, value: object, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}: got {value!r}; {allowed}")
