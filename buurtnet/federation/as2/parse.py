"""ActivityStreams JSON from other servers in, plain typed values out.

Documents are read as compacted JSON, as Mastodon reads them: no JSON-LD processing, and fields we
do not know (Fedify's `proof`, Misskey's `_misskey_*`, Lemmy's extras) are ignored. Every value we
keep is checked for type, length and URL scheme here, so handlers get values they can store. A
refusal is a `ParseError` whose reason is short enough to send back with the inbox's 400.
"""

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from buurtnet.federation.as2.parse_values import (
    MAX_ALT,
    MAX_CONTENT,
    MAX_HASHTAG,
    MAX_NAME,
    MAX_OBJECTS,
    MAX_SUMMARY,
    MAX_TAGS,
    MAX_TYPE,
    PUBLIC_FORMS,
    JsonObject,
    ParseError,
    addresses,
    check_url,
    first,
    id_of,
    ids_of,
    items,
    lenient,
    link_of,
    required_id,
    string,
    timestamp,
    type_of,
)
from buurtnet.sanitise import plain_text, sanitise

NOTE_TYPES = frozenset({"Note", "Article", "Page", "Question"})
TITLED_TYPES = frozenset({"Article", "Page"})
LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8}){0,5}")
HASHTAG_NAME = re.compile(r"\w+")


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
    content: (
        str | None
    )  # plain text: a Flag's comment, a Misskey reaction's emoji, a Join's message


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
    """A post from another server. `content` is sanitised HTML, with the `title` of an Article
    or Page above it as Mastodon shows it; `summary` is the content warning, plain text.

    Its id, type, author and the post it answers must be right, or it is refused; a bad value
    anywhere else is left out, as Mastodon leaves it out."""

    id: str
    type: str  # Note, Article, Page or Question
    attributed_to: str
    content: str
    title: str | None
    summary: str | None
    in_reply_to: str | None
    published: datetime | None
    url: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    mentions: tuple[Mention, ...]
    hashtags: tuple[str, ...]  # case-folded, without '#'
    attachments: tuple[Attachment, ...]
    audience: str | None  # the group it was posted in (FEP-1b12)
    language: str | None


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
    language, content = content_of(doc)
    title = lenient(lambda: string(doc, "name", MAX_NAME), None) if kind in TITLED_TYPES else None
    if title:
        content = f"<p><strong>{html.escape(plain_text(title))}</strong></p>{content}"
    summary = lenient(lambda: string(doc, "summary", MAX_SUMMARY), None)
    tags = tags_of(doc)
    return RemoteNote(
        id=required_id(doc),
        type=kind,
        attributed_to=author_of(doc.get("attributedTo")),
        content=sanitise(content),
        title=plain_text(title) if title else None,
        summary=plain_text(summary or "") or None,
        in_reply_to=id_of(doc.get("inReplyTo"), "inReplyTo"),
        published=lenient(lambda: timestamp(doc, "published"), None),
        url=lenient(lambda: link_of(doc.get("url"), "url"), None),
        to=addresses(doc.get("to"), "to"),
        cc=addresses(doc.get("cc"), "cc"),
        mentions=mentions_of(tags),
        hashtags=hashtags_of(tags),
        attachments=attachments_of(doc.get("attachment")),
        audience=lenient(lambda: id_of(doc.get("audience"), "audience"), None),
        language=language,
    )


def content_of(doc: JsonObject) -> tuple[str | None, str]:
    """The language (first key of `contentMap`) and HTML: `content`, else that first value. The
    content must be readable; a `contentMap` we cannot read only costs the language."""
    nothing: JsonObject = {}
    content_map = lenient(lambda: _content_map(doc), nothing)
    language = next(iter(content_map), None)
    content = string(doc, "content", MAX_CONTENT)
    if not content and language is not None:
        content = string(content_map, language, MAX_CONTENT)
    return language, content or ""


def _content_map(doc: JsonObject) -> JsonObject:
    content_map = doc.get("contentMap")
    if content_map is None:
        return {}
    if not isinstance(content_map, dict) or len(content_map) > 100:
        raise ParseError("contentMap must be an object of languages")
    if content_map and not LANGUAGE.fullmatch(next(iter(content_map))):
        raise ParseError("contentMap has a key that is no language")
    return content_map


def author_of(value: Any) -> str:
    """`attributedTo`: the one author, or of a list (Lemmy, PeerTube) the first Person."""
    listed = items(value, "attributedTo", MAX_TAGS)
    people = [item for item in listed if isinstance(item, dict) and item.get("type") == "Person"]
    author = id_of(people or listed, "attributedTo")
    if author is None:
        raise ParseError("attributedTo is missing")
    return author


def tags_of(doc: JsonObject) -> list[JsonObject]:
    """The `tag` objects: mentions, hashtags and the rest."""
    return [tag for tag in items(doc.get("tag"), "tag", MAX_TAGS) if isinstance(tag, dict)]


def mentions_of(tags: list[JsonObject]) -> tuple[Mention, ...]:
    """The people tagged; a tag we cannot read is passed over."""
    return tuple(filter(None, (lenient(partial(_mention, tag), None) for tag in tags)))


def hashtags_of(tags: list[JsonObject]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(filter(None, map(_hashtag, tags))))


def _mention(tag: JsonObject) -> Mention | None:
    if tag.get("type") != "Mention" or "href" not in tag:
        return None
    return Mention(
        href=check_url(tag.get("href"), "Mention href"), name=string(tag, "name", MAX_NAME)
    )


def _hashtag(tag: JsonObject) -> str | None:
    """A hashtag's name as local ones are stored (case-folded, without '#'), if it is one we
    could have typed here: letters, digits and '_' only, so it is safe in a path."""
    if tag.get("type") != "Hashtag":
        return None
    name = lenient(lambda: string(tag, "name", MAX_NAME), None)
    name = (name or "").lstrip("#").casefold()
    return name if 0 < len(name) <= MAX_HASHTAG and HASHTAG_NAME.fullmatch(name) else None


def attachments_of(value: Any) -> tuple[Attachment, ...]:
    """Images only: Image, or Document with an image type; everything else is not shown, and
    an image whose URL or description we cannot read is passed over, not the whole post."""
    listed = items(value, "attachment", MAX_TAGS)
    found = (lenient(partial(_image, item), None) for item in listed)
    return tuple(image for image in found if image is not None)


def _image(item: Any) -> Attachment | None:
    if not isinstance(item, dict) or item.get("type") not in ("Image", "Document"):
        return None
    media_type = string(item, "mediaType", MAX_TYPE) or ""
    url = link_of(item.get("url"), "attachment url")
    if not media_type.startswith("image/") or url is None:
        return None
    width, height = (_size(item.get(key)) for key in ("width", "height"))
    return Attachment(url, media_type, string(item, "name", MAX_ALT), width, height)


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
    content = lenient(
        lambda: (
            string(doc, "content", MAX_SUMMARY)
            or string(doc, "_misskey_reaction", MAX_NAME)
            or string(doc, "participationMessage", MAX_SUMMARY)
        ),  # Mobilizon's, with a Join
        None,
    )
    return Activity(
        id=activity_id,
        type=type_of(doc),
        actor=actor,
        objects=objects,
        embedded=embedded,
        embedded_type=type_of(embedded) if embedded and embedded.get("type") is not None else None,
        target=lenient(lambda: id_of(doc.get("target"), "target"), None),
        to=addresses(doc.get("to"), "to"),
        cc=addresses(doc.get("cc"), "cc"),
        published=lenient(lambda: timestamp(doc, "published"), None),
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


def answered_id(activity: Activity) -> str:
    """The activity of ours that an Accept or Reject answers, embedded or by id: matched by that
    id against what we sent (a Follow or a Join), whatever type the sender says it has."""
    return object_id(activity)


def is_actor_deletion(activity: Activity) -> bool:
    """Mastodon's goodbye: an actor's Delete of itself."""
    return activity.type == "Delete" and activity.objects[:1] == (activity.actor,)
