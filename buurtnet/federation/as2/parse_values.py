"""The small checks that every parser of other servers' JSON is built from: a value that may be
a string, an object with an `id` or a list of either; URLs that must be absolute http(s); bounded
strings and lists; timestamps; origins. Each refuses with a `ParseError` that can be sent back.
"""

import logging
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar
from urllib.parse import urlsplit

from buurtnet.core.remote_accounts import fold_host
from buurtnet.federation.uris import PUBLIC
from buurtnet.models import URI_LENGTH

log = logging.getLogger(__name__)

JsonObject = Mapping[str, Any]
T = TypeVar("T")

PUBLIC_FORMS = frozenset({PUBLIC, "as:Public", "Public"})

MAX_URL = URI_LENGTH  # what our columns hold: a longer id could never be stored or matched
MAX_TYPE = 100
MAX_NAME = 200
MAX_USERNAME = 100
MAX_SUMMARY = 10_000
MAX_CONTENT = 100_000
MAX_ADDRESSES = 1000
MAX_OBJECTS = 100  # a Flag lists the reported actor and posts
MAX_TAGS = 100  # tags, attachments, authors
MAX_HASHTAG = 100
MAX_ALT = 1500
DEFAULT_PORTS = {"http": 80, "https": 443}
# What a browser would ignore or stumble over inside a URL: such an id is nobody's.
URL_NOISE = re.compile(r"[\x00-\x20\x7f-\xa0]")
TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,12}))?)?"
    r"(?:([Zz])|([+-])(\d\d):?(\d\d))?"
)


class ParseError(ValueError):
    """Why a document was refused, in words the sending server can be told."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def lenient(read: Callable[[], T], default: T) -> T:
    """A field we can do without: a bad value is left out (and logged), as Mastodon leaves it
    out, rather than a reason to refuse the whole document."""
    try:
        return read()
    except ParseError as error:
        log.debug("ignored a bad value: %s", error.reason)
        return default


def first(value: Any) -> Any:
    """The first of a list, or the value itself: AS2 allows one or many almost anywhere."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def items(value: Any, field: str, limit: int) -> list[Any]:
    """A value as a list (one value is a list of one), refused past `limit` entries."""
    if value is None:
        return []
    if not isinstance(value, list):
        return [value]
    if len(value) > limit:
        raise ParseError(f"{field} has more than {limit} entries")
    return value


def check_url(value: Any, field: str) -> str:
    """An absolute http(s) URL of bounded length, or ParseError."""
    if not isinstance(value, str):
        raise ParseError(f"{field} must be a URL")
    if len(value) > MAX_URL:
        raise ParseError(f"{field} is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if (
        not port_ok
        or URL_NOISE.search(value)
        or parts.scheme.lower() not in DEFAULT_PORTS
        or not parts.hostname
    ):
        raise ParseError(f"{field} must be an absolute http(s) URL")
    return value


def id_of(value: Any, field: str = "id") -> str | None:
    """The id a value names: a URL, an object's `id`, or the first of a list of either."""
    value = first(value)
    if isinstance(value, dict):
        value = value.get("id")
    return None if value is None else check_url(value, field)


def ids_of(value: Any, field: str, limit: int = MAX_ADDRESSES) -> tuple[str, ...]:
    """Every id a value names, in order; nulls in a list are skipped."""
    found = (id_of(item, field) for item in items(value, field, limit))
    return tuple(found_id for found_id in found if found_id is not None)


def addresses(value: Any, field: str) -> tuple[str, ...]:
    """`to` or `cc`: ids, with every spelling of the public collection made the full IRI. Each
    entry is read by its `id` (or a Link's `href`), as Mastodon reads them; an entry that names
    no URL is left out rather than refusing the activity: it can only narrow who sees it."""
    found: list[str] = []
    for item in items(value, field, MAX_ADDRESSES):
        address = (item.get("id") or item.get("href")) if isinstance(item, dict) else item
        if not isinstance(address, str):
            continue
        if address in PUBLIC_FORMS:
            found.append(PUBLIC)
        elif is_url(address):
            found.append(address)
    return tuple(dict.fromkeys(found))


def is_url(value: Any) -> bool:
    """Whether a value is an absolute http(s) URL we could keep."""
    try:
        check_url(value, "URL")
    except ParseError:
        return False
    return True


def claimed_id(doc: JsonObject, key: str) -> str | None:
    """The id a field names, if it names one we could keep; never refuses. For reading who a
    document claims to come from before it is parsed (the inbox checks the signer first)."""
    try:
        return id_of(doc.get(key), key)
    except ParseError:
        return None


def string(doc: JsonObject, key: str, limit: int, *, required: bool = False) -> str | None:
    """A string field of at most `limit` characters, without NUL characters (which no database
    text column takes); missing or null is None."""
    value = doc.get(key)
    if value is None:
        if required:
            raise ParseError(f"{key} is missing")
        return None
    if not isinstance(value, str):
        raise ParseError(f"{key} must be a string")
    if len(value) > limit:
        raise ParseError(f"{key} is longer than {limit} characters")
    return value.replace("\x00", "")


def flag(doc: JsonObject, key: str) -> bool:
    """A boolean field; missing or null is False."""
    value = doc.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ParseError(f"{key} must be true or false")
    return value


def required_id(doc: JsonObject) -> str:
    """The document's own `id`: a string and an absolute http(s) URL."""
    value = doc.get("id")
    if value is None:
        raise ParseError("id is missing")
    return check_url(value, "id")


def type_of(doc: JsonObject) -> str:
    """The `type`; of a list of types the first, as Mastodon takes it."""
    value = first(doc.get("type"))
    if not isinstance(value, str) or not value:
        raise ParseError("type is missing")
    if len(value) > MAX_TYPE:
        raise ParseError(f"type is longer than {MAX_TYPE} characters")
    return value


def timestamp(doc: JsonObject, key: str) -> datetime | None:
    """An ISO 8601 time as an aware UTC datetime; without an offset it is taken as UTC."""
    value = string(doc, key, 64)
    if value is None:
        return None
    match = TIMESTAMP.fullmatch(value.strip())
    if not match:
        raise ParseError(f"{key} is not a date and time")
    year, month, day, hour, minute, second, fraction, _zulu, sign, off_h, off_m = match.groups()
    zone = UTC
    if sign:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        if offset >= timedelta(hours=24):
            raise ParseError(f"{key} is not a date and time")
        zone = timezone(-offset if sign == "-" else offset)
    try:
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute))
        moment = moment.replace(second=int(second or 0), microsecond=micro, tzinfo=zone)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise ParseError(f"{key} is not a date and time") from error


def link_of(value: Any, field: str) -> str | None:
    """A URL given as a string, a Link (`href`) or an object with `url`, or a list of those."""
    value = first(value)
    if isinstance(value, dict):
        value = value.get("href") or first(value.get("url"))
        if isinstance(value, dict):
            value = value.get("href")
    return None if value is None else check_url(value, field)


def origin_of(url: str) -> str:
    """`scheme://host[:port]`, lower case, default port left out: what two ids must share to come
    from the same server."""
    check_url(url, "URL")
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    host = f"[{host}]" if ":" in host else fold_host(host)
    port = parts.port
    return (
        f"{scheme}://{host}"
        if port in (None, DEFAULT_PORTS[scheme])
        else f"{scheme}://{host}:{port}"
    )


def same_origin(a: str, b: str) -> bool:
    """Whether two URLs are on the same server; anything that is not an http(s) URL is on none."""
    try:
        return origin_of(a) == origin_of(b)
    except ParseError:
        return False
