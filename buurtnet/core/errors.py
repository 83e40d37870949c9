"""Errors that core raises for callers to turn into a form message, a status code or a CLI line."""


class InvalidInput(Exception):
    """Input a person can correct. `errors` maps a form field to a message code.

    The codes are stable identifiers ("username_taken"); the web layer translates them.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{field}: {code}" for field, code in errors.items()))
        self.errors = errors

    @classmethod
    def single(cls, field: str, code: str) -> "InvalidInput":
        return cls({field: code})


class NotFound(Exception):
    """The thing asked for does not exist (or is not visible to the asker)."""


class NotAllowed(Exception):
    """The asker may not do this."""
