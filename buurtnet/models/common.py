"""Values every table shares: the clock and the sizes that other layers check against."""

from datetime import UTC, datetime

# Every URL we keep (ActivityPub ids, inboxes, keys, pages elsewhere) fits this column; the
# parsers of other servers' JSON refuse longer ones (`federation.as2.parse_values.MAX_URL`).
URI_LENGTH = 500
# Row ids: PostgreSQL's `integer`. An id beyond it, from a URL or a form, is one we do not have.
MAX_ROW_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)
