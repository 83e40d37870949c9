"""What a count may show once it leaves the rows it counts (docs: shared METRICS.md, section 3).

A count below the threshold k is not shown at all (the page reads "< k"); a count at or above it
is shown as the multiple of five at or below it, as Statistics Netherlands publishes small areas
in fives. Both say only which block of five a count lies in (0-4, 5-9, 10-14, …), and k is
itself a multiple of five, so the hidden range is a whole number of blocks too. That is what
keeps a hidden figure from being worked out from visible ones (a total minus its parts, this
month's members minus last month's and the new ones): every published range starts on a
multiple of five and ends just before one, so sums and differences of them never close in on
a single value of a hidden count (tests/test_disclosure_properties.py). Rounding to the nearest
five does not have this: two hidden weeks under a month shown as 20 (18 to 22) were 9 and 9.

Pure: the liveability figures, the survey's respondents and the care signals' counts all go
through `suppress`.
"""

DEFAULT_THRESHOLD = 10
MIN_THRESHOLD = 5  # k is never lower, whatever a caller or a setting asks
ROUNDING = 5


def threshold(k: int = DEFAULT_THRESHOLD) -> int:
    """The threshold actually applied: k, never below the minimum, and up to a multiple of five
    (7 hides what is below 10), so that the hidden range is whole blocks of five."""
    k = max(k, MIN_THRESHOLD)
    return -(-k // ROUNDING) * ROUNDING


def suppress(count: int, k: int = DEFAULT_THRESHOLD) -> int | None:
    """The count as it may be shown: None below the threshold, else the multiple of five at or
    below it (12 reads 10, and 10 means 10 to 14)."""
    if count < threshold(k):
        return None
    return count // ROUNDING * ROUNDING
