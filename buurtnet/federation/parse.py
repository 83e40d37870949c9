"""ActivityStreams JSON from other servers in, plain typed values out.

Documents are read as compacted JSON, as Mastodon reads them: no JSON-LD processing, and fields we
do not know (Fedify's `proof`, Misskey's `_misskey_*`, Lemmy's extras) are ignored. Every value we
keep is checked for type, length and URL scheme here, so handlers get values they can store. A
refusal is a `ParseError` whose reason is short enough to send back with the inbox's 400.
"""

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from buurtnet.federation.uris import PUBLIC
from buurtnet.html import sanitise

JsonObject = Mapping[str, Any]

MAX_URL = 2048
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
NOTE_TYPES = frozenset({"Note", "Article", "Page", "Question", "Event"})
TITLED_TYPES = frozenset({"Article", "Page", "Event"})
QUOTE_KEYS = ("quote", "quoteUri", "_misskey_quote", "quoteUrl")
LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8}){0,5}")
PUBLIC_FORMS = frozenset({PUBLIC, "as:Public", "Public"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# What a browser would ignore or stumble over inside a URL: such an id is nobody's.
URL_NOISE = re.compile(r"[\x00-\x20\x7f-\xa0]")
TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,12}))?)?"
    r"(?:([Zz])|([+-])(\d\d):?(\d\d))?"
)
TAG = re.compile(r"<[^>]*>?")
WHITESPACE = re.compile(r"\s+")


class ParseError(ValueError):
    """Why a document was refused, in words the sending server can be told."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Activity:
    """An activity as sent. `objects` holds the object's id (a Flag may name several); an object
    sent embedded is kept as sent in `embedded`, for the handler of its type to parse."""

    id: str
    type: str
    actor: str
    objects: tuple[str, ...]
    embedded: JsonObject | None
    embedded_type: str | None
    target: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    published: datetime | None
    content: str | None  # plain text: a Flag's comment, a Misskey reaction's emoji


@dataclass(frozen=True)
class Mention:
    href: str
    name: str | None  # "@user@host", as the sender wrote it


@dataclass(frozen=True)
class Attachment:
    url: str
    media_type: str
    name: str | None  # the alt text
    width: int | None
    height: int | None


@dataclass(frozen=True)
class RemoteNote:
    """A post from another server. `content` is sanitised HTML, with the `title` of an Article,
    Page or Event above it as Mastodon shows it; `summary` is the content warning, plain text."""

    id: str
    type: str  # Note, Article, Page, Question or Event
    attributed_to: str
    content: str
    title: str | None
    summary: str | None
    sensitive: bool
    in_reply_to: str | None
    published: datetime | None
    updated: datetime | None
    url: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    mentions: tuple[Mention, ...]
    hashtags: tuple[str, ...]  # case-folded, without '#'
    attachments: tuple[Attachment, ...]
    audience: str | None  # the group it was posted in (FEP-1b12)
    language: str | None
    quote: str | None  # the quoted post (Misskey, Fedibird, FEP-044f)
    start_time: datetime | None  # of an Event, as the rest below
    end_time: datetime | None
    location_name: str | None


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
    """`to` or `cc`: ids, with every spelling of the public collection made the full IRI."""
    spelled = [
        PUBLIC if item in PUBLIC_FORMS else item for item in items(value, field, MAX_ADDRESSES)
    ]
    return ids_of(spelled, field)


def string(doc: JsonObject, key: str, limit: int, *, required: bool = False) -> str | None:
    """A string field of at most `limit` characters; missing or null is None."""
    value = doc.get(key)
    if value is None:
        if required:
            raise ParseError(f"{key} is missing")
        return None
    if not isinstance(value, str):
        raise ParseError(f"{key} must be a string")
    if len(value) > limit:
        raise ParseError(f"{key} is longer than {limit} characters")
    return value


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


def plain_text(html_text: str) -> str:
    """HTML as one line of plain text: for content warnings, which are never markup."""
    return WHITESPACE.sub(" ", html.unescape(TAG.sub(" ", html_text))).strip()


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
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
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


def visibility_of(to: Sequence[str], cc: Sequence[str], followers_url: str | None) -> str:
    """Mastodon's reading of addressing: "public", "unlisted", "followers" or "direct"."""
    if any(address in PUBLIC_FORMS for address in to):
        return "public"
    if any(address in PUBLIC_FORMS for address in cc):
        return "unlisted"
    if followers_url is not None and followers_url in (*to, *cc):
        return "followers"
    return "direct"


def as2_to_note(doc: Any) -> RemoteNote:
    """A post of a type we show; its HTML sanitised, its tags and images picked out."""
    if not isinstance(doc, dict):
        raise ParseError("an object must be a JSON object")
    kind = type_of(doc)
    if kind not in NOTE_TYPES:
        raise ParseError(f"{kind} is not a kind of post")
    language, content = _content(doc)
    title = string(doc, "name", MAX_NAME) if kind in TITLED_TYPES else None
    if title:
        content = f"<p><strong>{html.escape(plain_text(title))}</strong></p>{content}"
    summary = string(doc, "summary", MAX_SUMMARY)
    tags = [tag for tag in items(doc.get("tag"), "tag", MAX_TAGS) if isinstance(tag, dict)]
    location = first(doc.get("location"))
    quote = next((doc[key] for key in QUOTE_KEYS if doc.get(key) is not None), None)
    return RemoteNote(
        id=required_id(doc),
        type=kind,
        attributed_to=_author(doc.get("attributedTo")),
        content=sanitise(content),
        title=plain_text(title) if title else None,
        summary=plain_text(summary or "") or None,
        sensitive=flag(doc, "sensitive"),
        in_reply_to=id_of(doc.get("inReplyTo"), "inReplyTo"),
        published=timestamp(doc, "published"),
        updated=timestamp(doc, "updated"),
        url=link_of(doc.get("url"), "url"),
        to=addresses(doc.get("to"), "to"),
        cc=addresses(doc.get("cc"), "cc"),
        mentions=tuple(
            _mention(tag) for tag in tags if tag.get("type") == "Mention" and "href" in tag
        ),
        hashtags=tuple(dict.fromkeys(filter(None, map(_hashtag, tags)))),
        attachments=_attachments(doc.get("attachment")),
        audience=id_of(doc.get("audience"), "audience"),
        language=language,
        quote=id_of(quote, "quote"),
        start_time=timestamp(doc, "startTime") if kind == "Event" else None,
        end_time=timestamp(doc, "endTime") if kind == "Event" else None,
        location_name=string(location, "name", MAX_NAME) if isinstance(location, dict) else None,
    )


def _content(doc: JsonObject) -> tuple[str | None, str]:
    """The language (first key of `contentMap`) and HTML: `content`, else that first value."""
    content_map = doc.get("contentMap")
    if content_map is not None and (not isinstance(content_map, dict) or len(content_map) > 100):
        raise ParseError("contentMap must be an object of languages")
    language = next(iter(content_map), None) if content_map else None
    if language is not None and not LANGUAGE.fullmatch(language):
        raise ParseError("contentMap has a key that is no language")
    content = string(doc, "content", MAX_CONTENT)
    if not content and language is not None:
        content = string(content_map, language, MAX_CONTENT)  # type: ignore[arg-type]
    return language, content or ""


def _author(value: Any) -> str:
    """`attributedTo`: the one author, or of a list (Lemmy, PeerTube) the first Person."""
    listed = items(value, "attributedTo", MAX_TAGS)
    people = [item for item in listed if isinstance(item, dict) and item.get("type") == "Person"]
    author = id_of(people or listed, "attributedTo")
    if author is None:
        raise ParseError("attributedTo is missing")
    return author


def _mention(tag: JsonObject) -> Mention:
    href = check_url(tag.get("href"), "Mention href")
    return Mention(href=href, name=string(tag, "name", MAX_NAME))


def _hashtag(tag: JsonObject) -> str | None:
    name = string(tag, "name", MAX_NAME) if tag.get("type") == "Hashtag" else None
    name = (name or "").lstrip("#").casefold()  # as local hashtags are stored
    return name if 0 < len(name) <= MAX_HASHTAG and not WHITESPACE.search(name) else None


def _attachments(value: Any) -> tuple[Attachment, ...]:
    """Images only: Image, or Document with an image type; everything else is not shown."""
    found = []
    for item in items(value, "attachment", MAX_TAGS):
        if not isinstance(item, dict) or item.get("type") not in ("Image", "Document"):
            continue
        media_type = string(item, "mediaType", MAX_TYPE) or ""
        url = link_of(item.get("url"), "attachment url")
        if media_type.startswith("image/") and url is not None:
            width, height = (_size(item.get(key)) for key in ("width", "height"))
            found.append(Attachment(url, media_type, string(item, "name", MAX_ALT), width, height))
    return tuple(found)


def _size(value: Any) -> int | None:
    return value if type(value) is int and 0 < value <= 100_000 else None


def as2_to_activity(doc: Any) -> Activity:
    """Any activity, known type or not; its object as an id, or embedded and kept as sent."""
    if not isinstance(doc, dict):
        raise ParseError("an activity must be a JSON object")
    activity_id = required_id(doc)
    actor = id_of(doc.get("actor"), "actor")
    if actor is None:
        raise ParseError("actor is missing")
    raw = first(doc.get("object"))
    embedded: JsonObject | None = raw if isinstance(raw, dict) else None
    if embedded is not None and embedded.get("id") is None:
        objects: tuple[str, ...] = ()  # an embedded Follow without id: matched by its fields
    else:
        objects = ids_of(doc.get("object"), "object", MAX_OBJECTS)
    content = string(doc, "content", MAX_SUMMARY) or string(doc, "_misskey_reaction", MAX_NAME)
    return Activity(
        id=activity_id,
        type=type_of(doc),
        actor=actor,
        objects=objects,
        embedded=embedded,
        embedded_type=type_of(embedded) if embedded and embedded.get("type") is not None else None,
        target=id_of(doc.get("target"), "target"),
        to=addresses(doc.get("to"), "to"),
        cc=addresses(doc.get("cc"), "cc"),
        published=timestamp(doc, "published"),
        content=plain_text(content) if content is not None else None,
    )


def object_id(activity: Activity) -> str:
    """The id of the activity's object, which most handlers need and cannot do without."""
    if not activity.objects:
        raise ParseError("object is missing")
    return activity.objects[0]


def embedded_activity(activity: Activity) -> Activity:
    """The activity inside one: the Follow of an Accept, the Like of an Undo, the Create that a
    Lemmy group announces. Refused when the object came as an id only."""
    if activity.embedded is None:
        raise ParseError(f"{activity.type} must embed the activity it is about")
    return as2_to_activity(activity.embedded)


def accepted_follow_id(activity: Activity) -> str:
    """The Follow an Accept or Reject answers, embedded or by id."""
    if activity.embedded_type not in (None, "Follow"):
        raise ParseError(f"{activity.type} of a {activity.embedded_type}, not of a Follow")
    return object_id(activity)


def is_actor_deletion(activity: Activity) -> bool:
    """Mastodon's goodbye: an actor's Delete of itself."""
    return activity.type == "Delete" and activity.objects[:1] == (activity.actor,)
