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


class TooMany(Exception):
    """The asker used up a budget (posts, replies, reports an hour): try again later.

    `what` names the budget ("posts", "replies", "reports"); `retry_after` is in seconds."""

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(f"too many {what}; try again in {retry_after} s")
        self.what = what
        self.retry_after = retry_after
