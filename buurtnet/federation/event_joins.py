"""Taking part in activities between servers (INTEROP.md section 3, as Mobilizon does it).

In: a `Join` of one of our activities is a sign-up through the same core function as a
resident's (`participation.respond`, without a waiting list: a server elsewhere cannot be told
later that a place came free), answered by the organiser with an `Accept` that embeds the Join,
or a `Reject` when the activity is full, cancelled, over or closed. A `Leave` (or an Undo of the
Join) gives the place back, and the first on the waiting list moves up.

Out: a resident's "I will come" for an activity elsewhere is a `Join` to its organiser, and a
step back a `Leave` (jobs of `core.remote_events`); the answer to that Join comes back as an
Accept or Reject, matched by the Join's id.
"""

import uuid
from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import participation, remote_events
from buurtnet.federation.as2 import activities, parse
from buurtnet.federation.as2.parse import Activity
from buurtnet.federation.context import Federation
from buurtnet.federation.deliver_posts import Handler, number, text
from buurtnet.federation.delivery import deliver_later
from buurtnet.federation.keys import account_owner
from buurtnet.federation.local_ids import local_post_id
from buurtnet.federation.recipients import account_inboxes
from buurtnet.job_queue import Payload
from buurtnet.models import Account, ParticipationStatus, Post

JOINS = "joins"  # our Join ids: `…/users/NAME#joins/…`
JOIN_ID_PART = f"#{JOINS}/"


async def handle_join(federation: Federation, activity: Activity, sender: Account) -> None:
    """A sign-up from elsewhere for one of our activities: Accept when a place is the sender's,
    Reject otherwise. A Join of anything else (a group elsewhere) is not ours to answer."""
    post_id = local_post_id(federation.uris, parse.object_id(activity))
    if post_id is None:
        return
    message = activity.content or ""
    async with federation.database.transaction() as session:
        answered = await participation.respond(
            session,
            sender,
            post_id,
            ParticipationStatus.GOING,
            waiting_list=False,
            join_uri=activity.id,
            message=message,
        )
        post = await session.get(Post, post_id)
        organiser = await session.get(Account, post.author_id) if post else None
        if organiser is None or organiser.id is None or sender.inbox_url is None:
            return
        actor = federation.uris.actor(organiser.username)
        # The Join as it came, by its four fields, as an Accept embeds a Follow.
        join = activities.join_to_as2(activity.id, activity.actor, activity.objects[0])
        kind = "rejects" if answered.refused else "accepts"
        answer_id = federation.uris.activity(actor, kind, uuid.uuid4().hex)
        build = activities.reject_to_as2 if answered.refused else activities.accept_to_as2
        deliver_later(
            session, account_owner(organiser.id), build(answer_id, actor, join), [sender.inbox_url]
        )


async def handle_leave(federation: Federation, activity: Activity, sender: Account) -> None:
    """Someone elsewhere steps back from one of our activities (a `Leave`, or an Undo of their
    Join, whose object is the activity too)."""
    post_id = local_post_id(federation.uris, parse.object_id(activity))
    if post_id is None:
        return
    async with federation.database.transaction() as session:
        await participation.withdraw(session, sender, post_id)


async def join_answered(
    federation: Federation, activity: Activity, sender: Account, *, accepted: bool
) -> bool:
    """An Accept or Reject of a resident's Join: True when it was one. Only an id in the shape
    of our Joins (`joined`) is looked for, so an Accept of a follow costs no search."""
    answered = parse.answered_id(activity)
    if not answered.startswith(federation.uris.base_url) or JOIN_ID_PART not in answered:
        return False
    async with federation.database.transaction() as session:
        return await remote_events.join_answered(session, sender, answered, accepted=accepted)


async def joined(federation: Federation, payload: Payload) -> None:
    """A resident's Join of an activity elsewhere, to its organiser; its id is kept on the
    resident's answer, so the Accept or Reject that comes back finds it."""
    async with federation.database.transaction() as session:
        found = await _resident_and_event(session, payload)
        if found is None:
            return
        account, post, organiser = found
        assert post.id is not None and account.id is not None
        row = await participation.answer_of(session, post.id, account.id)
        if row is None or row.status != ParticipationStatus.PENDING:
            return  # stepped back before the Join went
        actor = federation.uris.actor(account.username)
        row.uri = federation.uris.activity(actor, JOINS, uuid.uuid4().hex)
        session.add(row)
        join = activities.join_to_as2(row.uri, actor, post.uri or "", organiser)
        await _send(session, account, post, join)


async def left(federation: Federation, payload: Payload) -> None:
    """A resident's Leave of an activity elsewhere."""
    async with federation.database.transaction() as session:
        found = await _resident_and_event(session, payload)
        if found is None:
            return
        account, post, organiser = found
        actor = federation.uris.actor(account.username)
        join_uri = text(payload, "join_uri")
        leave_id = f"{join_uri}/leave"
        leave = activities.leave_to_as2(leave_id, actor, post.uri or "", organiser)
        await _send(session, account, post, leave)


async def _resident_and_event(
    session: AsyncSession, payload: Payload
) -> tuple[Account, Post, str] | None:
    """The resident, the activity elsewhere and its organiser's id; None when any is gone."""
    account = await session.get(Account, number(payload, "account_id"))
    post = await session.get(Post, number(payload, "post_id"))
    if account is None or account.domain is not None or post is None or post.uri is None:
        return None
    organiser = await session.get(Account, post.author_id)
    if organiser is None or organiser.actor_uri is None:
        return None
    return account, post, organiser.actor_uri


async def _send(
    session: AsyncSession, resident: Account, post: Post, activity: dict[str, object]
) -> None:
    """From the resident to the activity's organiser."""
    assert resident.id is not None
    inboxes = await account_inboxes(session, [post.author_id])
    deliver_later(session, account_owner(resident.id), activity, inboxes)


def handlers(federation: Federation) -> dict[str, Handler]:
    """The jobs of `core.remote_events`, by name."""
    return {
        remote_events.JOINED: partial(joined, federation),
        remote_events.LEFT: partial(left, federation),
    }
