"""Builders of the activities we send: plain values in, JSON-ready dicts out.

Pure, like `objects` (which builds the actors, the Note and its Create): no session, no network.
Shapes follow what Mastodon sends (INTEROP.md section 3): an Accept embeds the Follow it answers,
an Undo embeds what it takes back, a Delete of a post carries a Tombstone, and every id is
stable, so that a retried delivery is recognised as the same activity.
"""

from datetime import UTC, datetime

from buurtnet.federation.as2.objects import JsonObject
from buurtnet.federation.uris import PUBLIC


def stamp(moment: datetime) -> str:
    """A moment as a short, exact id part (microseconds since 1970), so two edits or a like,
    an unlike and a like again each get an id of their own."""
    if moment.tzinfo is None:  # SQLite hands back UTC without its zone
        moment = moment.replace(tzinfo=UTC)
    return str(round(moment.timestamp() * 1_000_000))


def follow_to_as2(follow_id: str, actor_id: str, followed_id: str) -> JsonObject:
    return {"id": follow_id, "type": "Follow", "actor": actor_id, "object": followed_id}


def accept_to_as2(accept_id: str, actor_id: str, follow: JsonObject) -> JsonObject:
    """The yes to a Follow, with the Follow embedded (as Mastodon sends it). The id is ours to
    make: the Follow's id is on the follower's server."""
    return _answer_to_as2("Accept", accept_id, actor_id, follow)


def reject_to_as2(reject_id: str, actor_id: str, follow: JsonObject) -> JsonObject:
    return _answer_to_as2("Reject", reject_id, actor_id, follow)


def _answer_to_as2(kind: str, answer_id: str, actor_id: str, follow: JsonObject) -> JsonObject:
    return {
        "id": answer_id,
        "type": kind,
        "actor": actor_id,
        "to": [follow["actor"]],
        "object": follow,
    }


def join_to_as2(
    join_id: str, actor_id: str, event_id: str, organiser_id: str | None = None
) -> JsonObject:
    """A sign-up for an activity elsewhere, as Mobilizon takes one, to its organiser (or, without
    one, embedded in the answer to it)."""
    join = {"id": join_id, "type": "Join", "actor": actor_id, "object": event_id}
    return join | {"to": [organiser_id]} if organiser_id else join


def leave_to_as2(leave_id: str, actor_id: str, event_id: str, organiser_id: str) -> JsonObject:
    """Stepping back from an activity elsewhere (Mobilizon's `Leave`)."""
    return {
        "id": leave_id,
        "type": "Leave",
        "actor": actor_id,
        "object": event_id,
        "to": [organiser_id],
    }


def undo_to_as2(original: JsonObject) -> JsonObject:
    """Take back a Follow, Like, Announce or Block: the original embedded, addressed as it was."""
    undo: JsonObject = {
        "id": f"{original['id']}/undo",
        "type": "Undo",
        "actor": original["actor"],
        "object": original,
    }
    for field in ("to", "cc"):
        if field in original:
            undo[field] = original[field]
    return undo


def like_to_as2(
    like_id: str, actor_id: str, object_id: str, object_author: str | None = None
) -> JsonObject:
    like: JsonObject = {"id": like_id, "type": "Like", "actor": actor_id, "object": object_id}
    if object_author is not None:
        like["to"] = [object_author]
    return like


def announce_to_as2(
    announce_id: str,
    actor_id: str,
    shared: str | JsonObject,
    *,
    followers: str,
    author: str,
    published: str,
) -> JsonObject:
    """A share: public, to the sharer's followers and the author. The group's announces of a
    member's post (FEP-1b12) use it too, with the Create or the Note as `shared`."""
    return {
        "id": announce_id,
        "type": "Announce",
        "actor": actor_id,
        "published": published,
        "to": [PUBLIC],
        "cc": [followers, author],
        "object": shared,
    }


def delete_note_to_as2(note_id: str, actor_id: str, to: list[str], cc: list[str]) -> JsonObject:
    """The Delete of a post, addressed as the post was, so it reaches whoever got it."""
    return {
        "id": f"{note_id}#delete",
        "type": "Delete",
        "actor": actor_id,
        "to": to,
        "cc": cc,
        "object": {"id": note_id, "type": "Tombstone"},
    }


def delete_actor_to_as2(actor_id: str) -> JsonObject:
    """An account deleted here: its servers remove the person and everything they posted."""
    return {
        "id": f"{actor_id}#delete",
        "type": "Delete",
        "actor": actor_id,
        "to": [PUBLIC],
        "object": actor_id,
    }


def update_note_to_as2(note: JsonObject, actor_id: str, update_id: str) -> JsonObject:
    """An edit: the whole Note again, with its `updated`; `update_id` is one per version."""
    updated = note["updated"]
    if not updated:
        raise ValueError("an Update of a Note needs the time it was edited")
    return {
        "id": update_id,
        "type": "Update",
        "actor": actor_id,
        "published": updated,
        "to": note["to"],
        "cc": note["cc"],
        "object": note,
    }


def update_question_to_as2(
    question: JsonObject, actor_id: str, update_id: str, published: str
) -> JsonObject:
    """New counts of a poll (or its end): the whole Question again, as Mastodon sends it, to
    whom the post went. No edit: the Question has no new `updated`."""
    return {
        "id": update_id,
        "type": "Update",
        "actor": actor_id,
        "published": published,
        "to": question["to"],
        "cc": question["cc"],
        "object": question,
    }


def vote_to_as2(
    vote_id: str, actor_id: str, question_id: str, author_id: str, name: str
) -> JsonObject:
    """A vote in a poll elsewhere, as Mastodon sends one: the Create of a Note that names the
    answer and answers the Question, for its author only (one per answer chosen)."""
    note = {
        "id": vote_id,
        "type": "Note",
        "name": name,
        "attributedTo": actor_id,
        "inReplyTo": question_id,
        "to": [author_id],
    }
    return {
        "id": f"{vote_id}/activity",
        "type": "Create",
        "actor": actor_id,
        "to": [author_id],
        "object": note,
    }


def update_actor_to_as2(actor: JsonObject, update_id: str, followers: str) -> JsonObject:
    """A profile edit: the actor document again, public."""
    return {
        "id": update_id,
        "type": "Update",
        "actor": actor["id"],
        "to": [PUBLIC],
        "cc": [followers],
        "object": actor,
    }


def block_to_as2(block_id: str, actor_id: str, blocked_id: str) -> JsonObject:
    return {
        "id": block_id,
        "type": "Block",
        "actor": actor_id,
        "to": [blocked_id],
        "object": blocked_id,
    }


def flag_to_as2(
    flag_id: str, actor_id: str, reported_id: str, post_ids: list[str], comment: str
) -> JsonObject:
    """A report sent on to the reported person's server, as Mastodon sends it: from the instance
    actor, naming the person and their posts, with the comment. Nothing in it names who
    reported: a person's reporter is never told to another server."""
    return {
        "id": flag_id,
        "type": "Flag",
        "actor": actor_id,
        "content": comment,
        "object": [reported_id, *post_ids],
    }  # no `to`: a server might show a report addressed to the person to that person
