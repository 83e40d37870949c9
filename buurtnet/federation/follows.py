"""Incoming follows and their answers: `Follow` of a resident or a neighbourhood, `Accept` and
`Reject` of our residents' follows, and `Undo` of a follow.

A resident accepts followers at once (as on this instance); a neighbourhood does so unless its
moderators approve remote followers one by one. The answer goes out as a delivery job written in
the same transaction as the follow.
"""

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import neighbourhoods, relations, remote_relations
from buurtnet.core.errors import NotAllowed, NotFound
from buurtnet.federation import delivery, keys
from buurtnet.federation.as2 import activities, parse
from buurtnet.federation.as2.parse import Activity
from buurtnet.federation.context import Federation
from buurtnet.federation.local_ids import local_id
from buurtnet.federation.uris import Uris
from buurtnet.models import Account, Neighbourhood


async def handle_follow(federation: Federation, activity: Activity, sender: Account) -> None:
    target = local_id(federation.uris, parse.object_id(activity))
    if target is None or target.kind not in ("person", "neighbourhood"):
        return
    async with federation.database.transaction() as session:
        if target.kind == "person":
            await _follow_person(federation, session, activity, sender, target.name)
        else:
            neighbourhood = await neighbourhoods.get_by_slug(session, target.name)
            await _follow_neighbourhood(federation, session, activity, sender, neighbourhood)


async def _follow_person(
    federation: Federation,
    session: AsyncSession,
    activity: Activity,
    sender: Account,
    username: str,
) -> None:
    followed = await relations.active_account_by_username(session, username)
    assert followed.id is not None
    uris = federation.uris
    try:
        await remote_relations.add_remote_follower(session, sender, followed, activity.id)
        accepted = True
    except NotAllowed:
        accepted = False
    answer = _answer(uris, activity, uris.actor(followed.username), accepted)
    _send(session, keys.account_owner(followed.id), answer, sender)


async def _follow_neighbourhood(
    federation: Federation,
    session: AsyncSession,
    activity: Activity,
    sender: Account,
    neighbourhood: Neighbourhood,
) -> None:
    assert neighbourhood.id is not None
    let_in = await remote_relations.add_neighbourhood_follower(
        session, neighbourhood, sender, activity.id
    )
    if let_in:  # otherwise a moderator answers later
        group = federation.uris.neighbourhood(neighbourhood.slug)
        _send(
            session,
            keys.neighbourhood_owner(neighbourhood.id),
            _answer(federation.uris, activity, group, True),
            sender,
        )


def _answer(uris: Uris, follow: Activity, actor_id: str, accepted: bool) -> dict[str, object]:
    """Accept or Reject with the Follow embedded as Mastodon does: by its four fields."""
    return _answer_follow(
        uris, follow.id, follow.actor, parse.object_id(follow), actor_id, accepted
    )


def _answer_follow(
    uris: Uris, follow_id: str, follower_id: str, followed_id: str, actor_id: str, accepted: bool
) -> dict[str, object]:
    embedded = activities.follow_to_as2(follow_id, follower_id, followed_id)
    builder = activities.accept_to_as2 if accepted else activities.reject_to_as2
    kind = "accepts" if accepted else "rejects"
    answer_id = uris.activity(actor_id, kind, uuid.uuid4().hex)
    return builder(answer_id, actor_id, embedded)


def _send(session: AsyncSession, owner: str, activity: dict[str, object], to: Account) -> None:
    inbox = to.inbox_url
    if inbox is not None:
        delivery.deliver_later(session, owner, activity, [inbox])


async def answer_neighbourhood_follow(federation: Federation, payload: dict[str, Any]) -> None:
    """The `outbox.neighbourhood_follow_answered` job: the group's Accept or Reject, sent once
    a moderator has decided."""
    async with federation.database.transaction() as session:
        neighbourhood = await session.get(Neighbourhood, payload["neighbourhood_id"])
        follower = await session.get(Account, payload["account_id"])
        if neighbourhood is None or neighbourhood.id is None or follower is None:
            return  # gone meanwhile: nobody left to tell, or nobody to tell it
        assert follower.actor_uri is not None
        group = federation.uris.neighbourhood(neighbourhood.slug)
        accepted = payload["accepted"]
        answer = _answer_follow(
            federation.uris, payload["uri"], follower.actor_uri, group, group, accepted
        )
        _send(session, keys.neighbourhood_owner(neighbourhood.id), answer, follower)


async def handle_accept(federation: Federation, activity: Activity, sender: Account) -> None:
    """A yes to a resident's follow, found by its id. An id we never sent, or sent to someone
    else, is nothing."""
    answered = parse.answered_id(activity)
    async with federation.database.transaction() as session:
        await remote_relations.follow_accepted(session, sender, answered)


async def handle_reject(federation: Federation, activity: Activity, sender: Account) -> None:
    answered = parse.answered_id(activity)
    async with federation.database.transaction() as session:
        await remote_relations.follow_rejected(session, sender, answered)


async def undo_follow(federation: Federation, follow: Activity, sender: Account) -> None:
    """The sender stops following a resident or a neighbourhood."""
    assert sender.id is not None
    target = local_id(federation.uris, parse.object_id(follow))
    if target is None:
        return
    async with federation.database.transaction() as session:
        try:
            if target.kind == "person":
                followed = await relations.active_account_by_username(session, target.name)
                assert followed.id is not None
                await remote_relations.remove_remote_follower(session, sender.id, followed.id)
            elif target.kind == "neighbourhood":
                neighbourhood = await neighbourhoods.get_by_slug(session, target.name)
                assert neighbourhood.id is not None
                await remote_relations.remove_neighbourhood_follower(
                    session, neighbourhood.id, sender.id
                )
        except NotFound:
            return


async def undo_follow_by_id(federation: Federation, sender: Account, follow_id: str) -> None:
    """An Undo that names the Follow by id only (as some servers send it)."""
    assert sender.id is not None
    async with federation.database.transaction() as session:
        await remote_relations.remove_follows_by_uri(session, sender.id, follow_id)
