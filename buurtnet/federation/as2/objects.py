"""ActivityStreams 2 builders: models and plain values in, JSON-ready dicts out.

Pure functions without a session or network, so they are tested without fixtures and shared by
the data export and (later) delivery. Objects are built without `@context`; `document()` adds it
to the top level of whatever is sent or written, as Mastodon does.
"""

import html
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from buurtnet.core.local_times import utc
from buurtnet.core.poll_views import PollFacts
from buurtnet.core.post_details import PostDetails
from buurtnet.federation.as2.event_texts import MOBILIZON_CATEGORIES, when_and_where
from buurtnet.federation.uris import PUBLIC, Uris
from buurtnet.models import (
    Account,
    AccountStatus,
    Event,
    MediaAttachment,
    Neighbourhood,
    Post,
    Visibility,
)
from buurtnet.sanitise import absolute_links

AS2 = "https://www.w3.org/ns/activitystreams"
SECURITY = "https://w3id.org/security/v1"
# Terms outside the two standard contexts, defined inline: nobody here fetches a context.
EXTRA_TERMS = {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "toot": "http://joinmastodon.org/ns#",
    "discoverable": "toot:discoverable",
    "suspended": "toot:suspended",
    "votersCount": "toot:votersCount",
    # An event's terms, as Mobilizon defines them (schema.org, its own namespace, iCalendar).
    "sc": "http://schema.org#",
    "mz": "https://joinmobilizon.org/ns#",
    "ical": "http://www.w3.org/2002/12/cal/ical#",
    "PostalAddress": "sc:PostalAddress",
    "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
    "streetAddress": "sc:streetAddress",
    "addressLocality": "sc:addressLocality",
    "addressCountry": "sc:addressCountry",
    "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
    "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"},
    "maximumAttendeeCapacity": "sc:maximumAttendeeCapacity",
    "remainingAttendeeCapacity": "sc:remainingAttendeeCapacity",
    "participantCount": {"@id": "mz:participantCount", "@type": "sc:Integer"},
    "category": "sc:category",
    "status": {"@id": "ical:status", "@type": "ical:status"},
    "participationMessage": {"@id": "mz:participationMessage", "@type": "sc:Text"},
}
CONTEXT: list[Any] = [AS2, SECURITY, EXTRA_TERMS]

JsonObject = dict[str, Any]


def document(item: JsonObject) -> JsonObject:
    """A top-level document: the object with the `@context` in front."""
    return {"@context": CONTEXT, **item}


def timestamp(moment: datetime) -> str:
    """`2026-11-23T15:18:00Z`: seconds, UTC, the form every server parses."""
    if moment.tzinfo is None:  # SQLite hands back UTC without its zone
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plain_to_html(text: str) -> str:
    """Plain text as the HTML that `summary` holds: escaped, one paragraph, line breaks kept."""
    if not text:
        return ""
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"


def changed_at(post: Post, *more: datetime | None) -> datetime | None:
    """The last change of a post that servers elsewhere should take over: its author's edit, a
    moderator marking it sensitive (`moderated_at` of a published post), and any of `more` (an
    activity's cancellation). Mastodon takes no change without a newer `updated`."""
    marked = post.moderated_at if post.moderation is None else None
    moments = [utc(moment) for moment in (post.edited_at, marked, *more) if moment]
    return max(moments, default=None)


def actor_to_as2(
    account: Account,
    uris: Uris,
    *,
    icon_url: str | None = None,
    icon_type: str = "image/webp",
    public_key_pem: str | None = None,
) -> JsonObject:
    """A local person as a `Person` actor. A suspended one says so and shows nothing of
    themselves, as Mastodon's actors do."""
    username = account.username
    suspended = account.status == AccountStatus.SUSPENDED
    actor: JsonObject = {
        "id": uris.actor(username),
        "type": "Person",
        "preferredUsername": username,
        "name": username if suspended else account.name_to_show,
        "summary": "" if suspended else plain_to_html(account.bio),
        "url": uris.profile_page(username),
        "inbox": uris.inbox(username),
        "outbox": uris.outbox(username),
        "followers": uris.followers(username),
        "following": uris.following(username),
        "endpoints": {"sharedInbox": uris.shared_inbox()},
        "manuallyApprovesFollowers": False,
        "discoverable": False,
        "published": timestamp(account.created_at),
    }
    if suspended:
        actor["suspended"] = True
    elif icon_url is not None:
        actor["icon"] = {"type": "Image", "mediaType": icon_type, "url": icon_url}
    if public_key_pem is not None:
        actor["publicKey"] = public_key_to_as2(uris.key(username), actor["id"], public_key_pem)
    return actor


def public_key_to_as2(key_id: str, owner: str, public_key_pem: str) -> JsonObject:
    return {"id": key_id, "owner": owner, "publicKeyPem": public_key_pem}


def group_to_as2(
    neighbourhood: Neighbourhood, uris: Uris, *, public_key_pem: str | None = None
) -> JsonObject:
    """A neighbourhood as a `Group` actor (FEP-1b12): followed, and announcing its members."""
    slug = neighbourhood.slug
    group: JsonObject = {
        "id": uris.neighbourhood(slug),
        "type": "Group",
        "preferredUsername": slug,
        "name": neighbourhood.name,
        "summary": plain_to_html(neighbourhood.description),
        "url": uris.neighbourhood(slug),  # the page people open is the actor's own URL
        "inbox": uris.neighbourhood_inbox(slug),
        "outbox": uris.neighbourhood_outbox(slug),
        "followers": uris.neighbourhood_followers(slug),
        "endpoints": {"sharedInbox": uris.shared_inbox()},
        "manuallyApprovesFollowers": neighbourhood.approves_remote_followers,
        "discoverable": False,
        "published": timestamp(neighbourhood.created_at),
    }
    if public_key_pem is not None:
        key_id = uris.neighbourhood_key(slug)
        group["publicKey"] = public_key_to_as2(key_id, group["id"], public_key_pem)
    return group


def instance_actor_to_as2(
    uris: Uris, *, username: str, name: str, public_key_pem: str | None = None
) -> JsonObject:
    """The instance itself as an `Application` actor, as Mastodon's `/actor`: it signs the
    fetches made for no one in particular (keys, reports), and nobody follows it."""
    actor: JsonObject = {
        "id": uris.instance_actor(),
        "type": "Application",
        "preferredUsername": username,
        "name": name,
        "url": uris.base_url,
        "inbox": uris.instance_inbox(),
        "outbox": uris.instance_outbox(),
        "endpoints": {"sharedInbox": uris.shared_inbox()},
        "manuallyApprovesFollowers": True,
        "discoverable": False,
    }
    if public_key_pem is not None:
        actor["publicKey"] = public_key_to_as2(uris.instance_key(), actor["id"], public_key_pem)
    return actor


def addressing(
    visibility: str, followers: str, people: Sequence[str], place: str | None = None
) -> tuple[list[str], list[str]]:
    """`to` and `cc` of a post, as Mastodon reads its visibility from them: `followers` is its
    author's followers collection, `people` the actors it names, `place` the group of the
    neighbourhood it was written in.

    Neighbourhood posts are never sent out; in an export they are addressed to the neighbourhood.
    """
    named = list(people)
    if visibility == Visibility.PUBLIC:
        return [PUBLIC], [followers, *named]
    if visibility == Visibility.UNLISTED:
        return [followers], [PUBLIC, *named]
    if visibility == Visibility.FOLLOWERS:
        return [followers], named
    if visibility == Visibility.NEIGHBOURHOOD and place is not None:
        return [place], named
    return named, []


def hashtag_to_as2(name: str, uris: Uris) -> JsonObject:
    return {"type": "Hashtag", "name": f"#{name}", "href": uris.hashtag(name)}


def mention_to_as2(person: Account, uris: Uris, host: str) -> JsonObject:
    """Someone a post names, here (`@name@our.host`) or elsewhere (`@name@their.host`)."""
    handle = person.handle if person.is_remote else f"{person.username}@{host}"
    return {"type": "Mention", "href": uris.actor_of(person), "name": f"@{handle}"}


def attachment_to_as2(attachment: MediaAttachment, url: str) -> JsonObject:
    return {
        "type": "Image",
        "mediaType": attachment.content_type,
        "url": url,
        "name": attachment.alt_text or None,
        "width": attachment.width,
        "height": attachment.height,
    }


def note_to_as2(
    details: PostDetails,
    uris: Uris,
    *,
    host: str,
    media_url: Callable[[str], str] | None = None,
) -> JsonObject:
    """A post of ours as a `Note`: the one document that is served at its id, delivered, and
    written into the author's export. `media_url` turns a storage key into the image's URL (by
    default the instance's media address; the export points into its zip instead)."""
    post, author = details.post, details.author
    assert post.id is not None
    url_of = media_url or uris.media
    place = uris.neighbourhood(details.neighbourhood.slug) if details.neighbourhood else None
    people = [uris.actor_of(person) for person in details.named]
    to, cc = addressing(post.visibility, uris.followers(author.username), people, place)
    content = absolute_links(post.content_html, uris.base_url)
    note: JsonObject = {
        "id": uris.post(author.username, post.id),
        "type": "Note",
        "attributedTo": uris.actor(author.username),
        "url": uris.post_page(post.id),
        "published": timestamp(post.created_at),
        "updated": None,
        "inReplyTo": uris.post_of(*details.parent) if details.parent else None,
        "to": to,
        "cc": cc,
        "summary": post.summary or None,
        "sensitive": bool(post.summary) or post.sensitive,
        "content": content,
        "source": {"content": post.source, "mediaType": "text/plain"},
        "tag": [hashtag_to_as2(name, uris) for name in details.hashtags]
        + [mention_to_as2(person, uris, host) for person in details.named],
        "attachment": [
            attachment_to_as2(image, url_of(image.storage_key)) for image in details.images
        ],
    }
    if post.visibility == Visibility.PUBLIC and place is not None:
        note["audience"] = place  # the group that passes it on (FEP-1b12)
    if details.poll is not None:
        note |= question_fields(details.poll)
    cancelled_at = None
    if details.event is not None:
        note |= event_fields(details.event, content, post.language, details.neighbourhood)
        cancelled_at = details.event.cancelled_at  # a change too, for whoever has it
    changed = changed_at(post, cancelled_at)
    note["updated"] = timestamp(changed) if changed else None
    if post.language:
        note["contentMap"] = {post.language: note["content"]}
    return note


def question_fields(facts: PollFacts) -> JsonObject:
    """What makes a post with a poll a `Question`, as Mastodon sends one: each answer a Note with
    its `name` and its count (`replies.totalItems`), in `oneOf` (one choice) or `anyOf`
    (several), the end, how many voted, and `closed` once it has ended."""
    poll = facts.poll
    answers = [
        {
            "type": "Note",
            "name": option.name,
            "replies": {"type": "Collection", "totalItems": option.votes},
        }
        for option in facts.options
    ]
    fields: JsonObject = {
        "type": "Question",
        "anyOf" if poll.multiple else "oneOf": answers,
        "endTime": timestamp(poll.ends_at),
        "votersCount": poll.voters_count,
    }
    if facts.ended:
        fields["closed"] = timestamp(poll.ends_at)
    return fields


def event_fields(
    event: Event, content: str, language: str | None, neighbourhood: Neighbourhood | None
) -> JsonObject:
    """What makes a post an `Event`, as Mobilizon publishes one (INTEROP.md): its name, times and
    zone, place, how to take part and how many places are left. Mastodon shows an Event as its
    name, its `summary` and a link, so the summary says when and where in plain text; the
    content opens with the same lines, for servers that show the content instead."""
    when, where = when_and_where(event, language)
    lines = "<br>".join(html.escape(line) for line in (when, where) if line)
    fields: JsonObject = {
        "type": "Event",
        "name": event.title,
        "summary": " · ".join(line for line in (when, where) if line),
        "content": f"<p>{lines}</p>{content}",
        "mediaType": "text/html",
        "startTime": timestamp(event.starts_at),
        "endTime": timestamp(event.ends_at),
        "timezone": event.time_zone,
        "category": MOBILIZON_CATEGORIES.get(event.category, "COMMUNITY"),
        "joinMode": "free",
        "status": "CANCELLED" if event.cancelled_at is not None else "CONFIRMED",
        "participantCount": event.going_count,
    }
    if event.capacity is not None:
        fields["maximumAttendeeCapacity"] = event.capacity
        fields["remainingAttendeeCapacity"] = max(event.capacity - event.going_count, 0)
    if event.place:
        fields["location"] = place_to_as2(event, neighbourhood)
    return fields


def place_to_as2(event: Event, neighbourhood: Neighbourhood | None) -> JsonObject:
    """The place as written, as a `Place` with a `PostalAddress` in the neighbourhood."""
    address: JsonObject = {"type": "PostalAddress", "streetAddress": event.place}
    if neighbourhood is not None:
        address["addressLocality"] = neighbourhood.name
    place: JsonObject = {"type": "Place", "name": event.place, "address": address}
    if event.latitude is not None and event.longitude is not None:
        place |= {"latitude": event.latitude, "longitude": event.longitude}
    return place


def create_to_as2(note: JsonObject, actor_id: str, activity_id: str) -> JsonObject:
    """The `Create` that publishes a note, addressed as the note is."""
    return {
        "id": activity_id,
        "type": "Create",
        "actor": actor_id,
        "published": note["published"],
        "to": note["to"],
        "cc": note["cc"],
        "object": note,
    }


def ordered_collection(collection_id: str, items: Sequence[Any]) -> JsonObject:
    """A complete `OrderedCollection`, newest item first as the caller gives them."""
    return {
        "id": collection_id,
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": list(items),
    }


def collection_summary(collection_id: str, total: int, first_page: str) -> JsonObject:
    """A paged `OrderedCollection` as Mastodon serves one: the count and where to start."""
    return {
        "id": collection_id,
        "type": "OrderedCollection",
        "totalItems": total,
        "first": first_page,
    }


def collection_page(
    page_id: str,
    collection_id: str,
    items: Sequence[Any],
    *,
    total: int,
    next_page: str | None = None,
    prev_page: str | None = None,
) -> JsonObject:
    """One `OrderedCollectionPage`; `next` only when there is more, so a crawler stops."""
    page: JsonObject = {
        "id": page_id,
        "type": "OrderedCollectionPage",
        "partOf": collection_id,
        "totalItems": total,
        "orderedItems": list(items),
    }
    if next_page is not None:
        page["next"] = next_page
    if prev_page is not None:
        page["prev"] = prev_page
    return page
