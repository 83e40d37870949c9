"""Polls between servers (INTEROP.md section 3): votes and Questions in, votes and
`Update(Question)` out.

- A vote from elsewhere is a `Create` of a Note with a `name` that answers a post with a poll
  (Mastodon's `poll_vote?`). It comes through the one Create path (`incoming_posts.store_note_in`,
  from the inbox at once or from a job) and never becomes a post: it is counted in a poll of
  ours, and dropped (logged) when it is late, for an answer the poll does not have, a second
  vote, or in a poll that is not ours. Dropping is no error: the sender is not asked again.
- A Question from elsewhere is stored as a post with its poll (`core.remote_polls`); an Update
  that leaves its text as it is only brings new counts, and is no edit.
- A resident's vote in a poll from elsewhere goes to its author, a Create per answer.
- New counts of a poll of ours go as `Update(Question)` to whom the post went, its group's
  followers, and those elsewhere who voted (as Mastodon's DistributePollUpdateWorker).
"""

import logging
from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import polls, remote_polls, remote_posts
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.core.poll_news import COUNTS_CHANGED, VOTED
from buurtnet.core.remote_posts import IncomingPost
from buurtnet.core.visibility import OPEN
from buurtnet.federation.as2 import activities, objects
from buurtnet.federation.as2.parse_objects import RemoteObject
from buurtnet.federation.as2.parse_polls import RemotePoll, RemoteQuestion, RemoteVote
from buurtnet.federation.context import Federation
from buurtnet.federation.deliver_posts import Handler, news_of_post, number
from buurtnet.federation.delivery import deliver_later
from buurtnet.federation.keys import account_owner
from buurtnet.federation.local_ids import local_post_id
from buurtnet.federation.recipients import account_inboxes, group_inboxes
from buurtnet.job_queue import Payload
from buurtnet.models import Account, Poll, Post, utcnow

log = logging.getLogger(__name__)


async def take_vote(
    session: AsyncSession, federation: Federation, found: RemoteObject, voter: Account
) -> bool:
    """Count the Note as a vote if it is one (it names an answer and answers a post with a
    poll): True then, counted or dropped; False when it is a post after all."""
    if not isinstance(found, RemoteVote) or found.in_reply_to is None:
        return False
    post_id = local_post_id(federation.uris, found.in_reply_to)
    if post_id is None:
        answered = await remote_posts.by_uri(session, found.in_reply_to)
        post_id = answered.id if answered is not None else None
    if post_id is None or await session.get(Poll, post_id) is None:
        return False
    try:
        await polls.vote_from_elsewhere(session, voter, post_id, found.choice, found.id)
    except (InvalidInput, NotAllowed, NotFound) as error:
        log.info("dropped the vote %s: %s", found.id, error or type(error).__name__)
    return True


def poll_from_elsewhere(poll: RemotePoll) -> remote_polls.PollFromElsewhere:
    closed_at = poll.closed_at or (utcnow() if poll.closed else None)
    return remote_polls.PollFromElsewhere(
        multiple=poll.multiple,
        answers=tuple((answer.name, answer.votes) for answer in poll.answers),
        ends_at=poll.end_time,
        closed_at=closed_at,
        voters_count=poll.voters_count,
    )


async def keep_question(session: AsyncSession, post_id: int, found: RemoteObject) -> None:
    """The poll of a post from elsewhere, as its Question describes it now."""
    if isinstance(found, RemoteQuestion):
        await remote_polls.keep(session, post_id, poll_from_elsewhere(found.poll))


async def only_counts(
    session: AsyncSession, found: RemoteObject, incoming: IncomingPost, sender: Account
) -> bool:
    """An Update of a Question that changes only its counts (or closes it): the poll is
    brought up to date, and True. Anything else is an edit, for the caller."""
    if not isinstance(found, RemoteQuestion):
        return False
    try:
        post = await remote_posts.own_remote_post(session, sender, found.id)
    except (NotFound, NotAllowed):
        return False
    if post.id is None or not remote_polls.only_counts_changed(post, incoming):
        return False
    await keep_question(session, post.id, found)
    return True


async def counts_changed(federation: Federation, payload: Payload) -> None:
    """The `Update(Question)` of a poll of ours, with its counts as they are now."""
    async with federation.database.transaction() as session:
        news = await news_of_post(federation, session, number(payload, "post_id"))
        if news is None or news.note["type"] != "Question":
            return
        assert news.author.id is not None and news.post.id is not None
        now = utcnow()
        actor = federation.uris.actor(news.author.username)
        update_id = federation.uris.activity(news.note["id"], "updates", activities.stamp(now))
        update = activities.update_question_to_as2(
            news.note, actor, update_id, objects.timestamp(now)
        )
        inboxes = news.inboxes
        if news.group is not None and news.group.id is not None:
            inboxes |= await group_inboxes(session, news.group.id)
        if news.post.visibility in OPEN:  # those who voted may see it, and saw it
            inboxes |= await account_inboxes(session, await polls.voter_ids(session, news.post.id))
        deliver_later(session, account_owner(news.author.id), update, inboxes)


async def voted(federation: Federation, payload: Payload) -> None:
    """A resident's vote in a poll from elsewhere, to its author: a Create per answer."""
    async with federation.database.transaction() as session:
        voter = await session.get(Account, number(payload, "account_id"))
        post = await session.get(Post, number(payload, "post_id"))
        if voter is None or voter.domain is not None or post is None or post.uri is None:
            return
        author = await session.get(Account, post.author_id)
        if author is None or author.actor_uri is None or post.id is None or voter.id is None:
            return
        wanted = payload.get("option_ids")
        chosen = (
            [item for item in wanted if isinstance(item, int)] if isinstance(wanted, list) else []
        )
        inboxes = await account_inboxes(session, [post.author_id])
        actor = federation.uris.actor(voter.username)
        for option_id, name in await polls.names_of(session, post.id, chosen):
            vote_id = federation.uris.activity(actor, "votes", f"{post.id}-{option_id}")
            vote = activities.vote_to_as2(vote_id, actor, post.uri, author.actor_uri, name)
            deliver_later(session, account_owner(voter.id), vote, inboxes)


def handlers(federation: Federation) -> dict[str, Handler]:
    """The jobs of `core.poll_news`, by name."""
    return {
        COUNTS_CHANGED: partial(counts_changed, federation),
        VOTED: partial(voted, federation),
    }
