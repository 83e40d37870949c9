"""ActivityStreams as other servers send it: plain functions that return plain dicts, shaped as
Mastodon's, with ids on the actor's server (`number` tells several of one kind apart). Change or
add fields with `|`, e.g. `like_of(BOB, url) | {"id": elsewhere}`."""

from typing import Any

from tests.kit.remote import RemoteActor

CONTEXT = "https://www.w3.org/ns/activitystreams"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
Activity = dict[str, Any]


def note(actor: RemoteActor, number: int, **fields: Any) -> Activity:
    """A public Note by the actor, to Public and cc its followers."""
    return {
        "id": f"{actor.id}/statuses/{number}",
        "type": "Note",
        "attributedTo": actor.id,
        "content": "<p>Goedemorgen buren</p>",
        "published": "2026-11-30T10:00:00Z",
        "to": [PUBLIC],
        "cc": [actor.followers],
        **fields,
    }


def create(actor: RemoteActor, item: Activity) -> Activity:
    """The Create of an object, embedded and addressed as the object is."""
    return {
        "@context": CONTEXT,
        "id": item["id"] + "/activity",
        "type": "Create",
        "actor": actor.id,
        "to": item.get("to", []),
        "cc": item.get("cc", []),
        "object": item,
    }


def update_of(actor: RemoteActor, item: Activity, number: int = 1) -> Activity:
    """An Update that carries the object (a Note, or the actor's own document) as it is now."""
    return _activity(actor, "Update", number, item)


def delete_of(actor: RemoteActor, object_id: str, number: int = 1) -> Activity:
    """The Delete of a post, as a Tombstone."""
    return _activity(actor, "Delete", number, {"id": object_id, "type": "Tombstone"})


def follow_of(actor: RemoteActor, object_id: str, number: int = 1) -> Activity:
    """The actor follows `object_id` (one of ours)."""
    return _activity(actor, "Follow", number, object_id)


def accept_of(actor: RemoteActor, follow: Activity | str, number: int = 1) -> Activity:
    """The actor says yes to a Follow (embedded, or named by its id)."""
    return _activity(actor, "Accept", number, follow)


def like_of(actor: RemoteActor, object_id: str, number: int = 1) -> Activity:
    return _activity(actor, "Like", number, object_id)


def announce_of(actor: RemoteActor, object_id: str, number: int = 1) -> Activity:
    """A public share of a post, named by its id, to the actor's followers."""
    return _activity(actor, "Announce", number, object_id) | {
        "to": [PUBLIC],
        "cc": [actor.followers],
    }


def undo_of(actor: RemoteActor, activity: Activity | str, number: int = 1) -> Activity:
    """The actor takes back an activity (embedded, or named by its id)."""
    return _activity(actor, "Undo", number, activity)


def ping(actor: RemoteActor, number: int = 1) -> Activity:
    """An activity of a type we do not handle: it only makes us look the actor (and key) up."""
    return {"id": f"{actor.id}#pings/{number}", "type": "Ping", "actor": actor.id}


def _activity(actor: RemoteActor, kind: str, number: int, inner: Activity | str) -> Activity:
    """An activity with an id on the actor's server, e.g. `…/users/bob#likes/1`."""
    return {
        "@context": CONTEXT,
        "id": f"{actor.id}#{kind.lower()}s/{number}",
        "type": kind,
        "actor": actor.id,
        "object": inner,
    }
