"""What a count may show once it leaves the rows it counts (docs: shared METRICS.md, section 3).

A count below the threshold k is not shown at all (the page reads "< k"); a count at or above it
is rounded to a multiple of five, as Statistics Netherlands publishes small areas, so that a
hidden figure cannot be worked out from visible ones (a total minus its parts). Pure: the
liveability figures and the care signals' counts both go through `suppress`.
"""

DEFAULT_THRESHOLD = 10
MIN_THRESHOLD = 5  # k is never lower, whatever a caller or a setting asks
ROUNDING = 5


def threshold(k: int = DEFAULT_THRESHOLD) -> int:
    """The threshold actually applied: k, but never below the minimum."""
    return max(k, MIN_THRESHOLD)


def suppress(count: int, k: int = DEFAULT_THRESHOLD) -> int | None:
    """The count as it may be shown: None below the threshold, else rounded to the nearest
    multiple of five, and never to one below the threshold (7 with k = 7 would read 5, and 5 can
    then only mean 7), so a shown figure never narrows a count down to one value."""
    k = threshold(k)
    if count < k:
        return None
    rounded = (count + ROUNDING // 2) // ROUNDING * ROUNDING
    lowest_shown = -(-k // ROUNDING) * ROUNDING  # k rounded up to a multiple of five
    return max(rounded, lowest_shown)
