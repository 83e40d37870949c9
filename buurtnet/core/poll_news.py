"""Core's news of polls for other servers, as jobs in the voting transaction (the outbox pattern,
as `outbound`): a vote here in a poll from elsewhere goes to that poll's author; new counts of a
poll of ours go to those who got it, as `Update(Question)`.

New counts are not sent for every vote: the first vote after a quiet spell queues the Update a
few minutes ahead (`COUNTS_DELAY`), and the votes until then ride along with it, as Mastodon
does (DistributePollUpdateWorker, 3 minutes). A poll of a hundred voters then costs a few
Updates to each server, not a hundred. When the poll ends, its final counts go at once.
"""

import json
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import exists, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import outbound
from buurtnet.core.audience import audience_for, elsewhere, reaches_elsewhere
from buurtnet.job_queue import enqueue
from buurtnet.models import Job, JobStatus, PollVote, Post, utcnow

VOTED = "outbox.poll_voted"
COUNTS_CHANGED = "outbox.poll_counts"
COUNTS_DELAY = timedelta(minutes=3)


async def vote_cast(
    session: AsyncSession, post: Post, voter_id: int, option_ids: Sequence[int]
) -> None:
    """A resident voted: in a poll from elsewhere their vote goes to its author (each answer
    once: such a vote is final); in one of ours the counts changed."""
    if post.uri is None:
        await counts_changed(session, post)
    elif option_ids and outbound.is_federated(post):
        payload = {"account_id": voter_id, "post_id": post.id, "option_ids": list(option_ids)}
        enqueue(session, VOTED, payload)


async def counts_changed(session: AsyncSession, post: Post, *, at_once: bool = False) -> None:
    """The counts of a poll of ours changed (or it ended: `at_once`): an Update for those
    elsewhere who have it, unless one is waiting to go already, which then carries them."""
    if post.uri is not None or not await _known_elsewhere(session, post):
        return
    payload = {"post_id": post.id}
    waiting = (
        col(Job.name) == COUNTS_CHANGED,
        col(Job.payload) == json.dumps(payload),  # as `enqueue` writes it
        col(Job.status) == JobStatus.QUEUED,
    )
    if at_once:
        moved = await session.exec(update(Job).where(*waiting).values(run_after=utcnow()))
        if moved.rowcount == 0:
            enqueue(session, COUNTS_CHANGED, payload)
    elif not (await session.exec(select(exists().where(*waiting)))).one():
        enqueue(session, COUNTS_CHANGED, payload, delay=COUNTS_DELAY)


async def _known_elsewhere(session: AsyncSession, post: Post) -> bool:
    """Someone elsewhere is in the post's audience, or voted in its poll."""
    if not outbound.is_federated(post):
        return False
    if await reaches_elsewhere(session, await audience_for(session, post)):
        return True
    voted = exists().where(col(PollVote.post_id) == post.id, elsewhere(col(PollVote.account_id)))
    return bool((await session.exec(select(voted))).one())
