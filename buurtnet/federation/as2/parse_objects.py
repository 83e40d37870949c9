"""What a `Create` (or an `Update`) carries, read by its type: a post (`parse.as2_to_note`), a
post with a poll or a vote (`parse_polls`), or an event as Mobilizon publishes it (INTEROP.md
section 3, FEP-8a8e). Each type has its own reader, so that an event keeps its times and place
instead of becoming a note with its title glued on.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from buurtnet.core.local_times import zone_or_none
from buurtnet.federation.as2.parse import (
    NOTE_TYPES,
    Attachment,
    Mention,
    RemoteNote,
    attachments_of,
    author_of,
    content_of,
    hashtags_of,
    mentions_of,
    tags_of,
)
from buurtnet.federation.as2.parse_polls import (
    QUESTION_TYPE,
    as2_to_question,
    as2_to_vote_or_note,
)
from buurtnet.federation.as2.parse_values import (
    MAX_NAME,
    MAX_SUMMARY,
    JsonObject,
    ParseError,
    addresses,
    first,
    id_of,
    lenient,
    link_of,
    required_id,
    string,
    timestamp,
    type_of,
)
from buurtnet.models import utcnow
from buurtnet.sanitise import plain_text, sanitise

EVENT_TYPE = "Event"
OBJECT_TYPES = NOTE_TYPES | {EVENT_TYPE}
JOIN_MODES = frozenset({"free", "restricted", "invite", "external"})
STATUSES = frozenset({"CONFIRMED", "TENTATIVE", "CANCELLED"})
MAX_CAPACITY = 1_000_000
# Times pages, feeds and calendars can show and compute with (a year 9999 would overflow them).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_AHEAD = timedelta(days=10 * 366)
LONGEST = timedelta(days=366)  # an end further from the start is no end we keep


@dataclass(frozen=True)
class Place:
    name: str | None
    address: str | None  # street, postal code and locality, as one line
    latitude: float | None = None
    longitude: float | None = None

    @property
    def line(self) -> str:
        """The place as one line: its name and its address, each once."""
        parts = [part for part in (self.name, self.address) if part]
        if len(parts) == 2 and parts[1].startswith(parts[0]):
            parts = parts[1:]
        return ", ".join(parts)


@dataclass(frozen=True)
class RemoteEvent:
    """An event from another server: what, when, where, how to take part. `content` is
    sanitised HTML; the times are aware and in UTC."""

    id: str
    attributed_to: str
    name: str
    content: str
    url: str | None
    start_time: datetime
    end_time: datetime | None
    place: Place | None
    join_mode: str | None  # free, restricted, invite or external
    status: str | None  # CONFIRMED, TENTATIVE or CANCELLED
    capacity: int | None  # places in all; None: no limit given
    participant_count: int | None
    category: str | None  # Mobilizon's word (PARTY, CAUSES, …)
    time_zone: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    mentions: tuple[Mention, ...]
    hashtags: tuple[str, ...]
    attachments: tuple[Attachment, ...]
    audience: str | None
    published: datetime | None
    language: str | None


RemoteObject = RemoteNote | RemoteEvent


def as2_to_object(doc: Any) -> RemoteObject:
    """A post (with a poll, or a vote) or an event, by its type; ParseError for any other type,
    or a bad one."""
    kind = type_of(doc) if isinstance(doc, dict) else None
    if kind == EVENT_TYPE:
        return as2_to_event(doc)
    if kind == QUESTION_TYPE:
        return as2_to_question(doc)
    return as2_to_vote_or_note(doc)


def as2_to_event(doc: Any) -> RemoteEvent:
    """An event needs an id, an author, a name and a start; everything else it may lack."""
    if not isinstance(doc, dict) or type_of(doc) != EVENT_TYPE:
        raise ParseError("an event must be a JSON object of type Event")
    name = plain_text(string(doc, "name", MAX_NAME, required=True) or "")
    if not name:
        raise ParseError("name is empty")
    start = timestamp(doc, "startTime")
    if start is None:
        raise ParseError("startTime is missing")
    if not EARLIEST <= start <= utcnow() + LATEST_AHEAD:
        raise ParseError("startTime is out of range")
    language, content = content_of(doc)
    tags = tags_of(doc)
    return RemoteEvent(
        id=required_id(doc),
        attributed_to=author_of(doc.get("attributedTo")),
        name=name,
        content=sanitise(content),
        url=lenient(lambda: link_of(doc.get("url"), "url"), None),
        start_time=start,
        end_time=lenient(lambda: _end(doc, start), None),
        place=lenient(lambda: _place(first(doc.get("location"))), None),
        join_mode=_one_of(doc.get("joinMode"), JOIN_MODES),
        status=_one_of(doc.get("status"), STATUSES),
        capacity=_capacity(doc.get("maximumAttendeeCapacity")),
        participant_count=_count(doc.get("participantCount")),
        category=lenient(lambda: string(doc, "category", MAX_NAME), None),
        time_zone=lenient(lambda: _time_zone(doc), None),
        to=addresses(doc.get("to"), "to"),
        cc=addresses(doc.get("cc"), "cc"),
        mentions=mentions_of(tags),
        hashtags=hashtags_of(tags),
        attachments=attachments_of(doc.get("attachment")),
        audience=lenient(lambda: id_of(doc.get("audience"), "audience"), None),
        published=lenient(lambda: timestamp(doc, "published"), None),
        language=language,
    )


def _end(doc: JsonObject, start: datetime) -> datetime | None:
    end = timestamp(doc, "endTime")
    return end if end is not None and start <= end <= start + LONGEST else None


def _place(location: Any) -> Place | None:
    if not isinstance(location, dict):
        return None
    address = location.get("address")
    parts = []
    if isinstance(address, dict):  # Mobilizon's PostalAddress
        keys = ("streetAddress", "postalCode", "addressLocality")
        parts = [string(address, key, MAX_NAME) for key in keys]
    elif isinstance(address, str):  # Gancio's, as one line
        parts = [string(location, "address", MAX_SUMMARY)]
    line = ", ".join(plain_text(part) for part in parts if part) or None
    name = string(location, "name", MAX_SUMMARY)
    if not (name or line):
        return None
    latitude, longitude = (
        _degrees(location.get("latitude"), 90),
        _degrees(location.get("longitude"), 180),
    )
    if latitude is None or longitude is None:
        latitude = longitude = None
    return Place(plain_text(name) if name else None, line, latitude, longitude)


def _degrees(value: Any, bound: float) -> float | None:
    if type(value) not in (int, float) or not -bound <= value <= bound:
        return None
    return float(value)


def _count(value: Any) -> int | None:
    return value if type(value) is int and 0 <= value <= MAX_CAPACITY else None


def _time_zone(doc: JsonObject) -> str | None:
    """An IANA zone name that we know, or None."""
    name = string(doc, "timezone", 60)
    return name if name is not None and zone_or_none(name) is not None else None


def _one_of(value: Any, allowed: frozenset[str]) -> str | None:
    return value if isinstance(value, str) and value in allowed else None


def _capacity(value: Any) -> int | None:
    """Mobilizon says 0 for "no limit"."""
    return value if type(value) is int and 0 < value <= MAX_CAPACITY else None
