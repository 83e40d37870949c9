"""Reports from other servers: a `Flag` about people and posts here becomes a report for the
moderators of the reported person's neighbourhood, with the server as its reporter, never a
person (Mastodon sends it from its instance actor; Misskey from whoever reported, whose name
we do not keep).

Only our own ids count: what a Flag names elsewhere is not ours to judge and is passed over. A
Flag that names nothing of ours is refused by the inbox with the reason (`read_flag` is
pure, so the inbox can ask before it answers); whether the people and posts named still exist
is the job's to find out, so that the answer never tells what exists here. A server that
sent more Flags than its budget (`flags.spend_flag_budget`) lately is answered 429 (`admit_flag`).
"""

import logging
from dataclasses import dataclass

from buurtnet.core import ratelimit
from buurtnet.core.remote_accounts import domain_of
from buurtnet.federation.as2.parse import Activity
from buurtnet.federation.as2.parse_flags import as2_to_flag
from buurtnet.federation.as2.parse_values import ParseError
from buurtnet.federation.context import Federation
from buurtnet.federation.local_ids import local_id, local_post_id
from buurtnet.federation.uris import Uris
from buurtnet.federation.verify import Refusal
from buurtnet.models import Account
from buurtnet.moderation import flags

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FlagHere:
    """What a Flag names of ours: people by username, posts by number."""

    usernames: tuple[str, ...]
    post_ids: tuple[int, ...]
    comment: str


def read_flag(uris: Uris, activity: Activity) -> FlagHere:
    """The people and posts of ours a Flag names; ParseError when it names none."""
    flag = as2_to_flag(activity)
    usernames: dict[str, None] = {}  # each once, in order: `/users/anna` is `/@anna`
    post_ids: dict[int, None] = {}
    for url in flag.objects:
        if (post_id := local_post_id(uris, url)) is not None:
            post_ids[post_id] = None
        elif (found := local_id(uris, url)) is not None and found.kind == "person":
            usernames[found.name] = None
    if not usernames and not post_ids:
        raise ParseError("the Flag names no person or post of this server")
    return FlagHere(tuple(usernames), tuple(post_ids), flag.comment)


async def admit_flag(federation: Federation, activity: Activity) -> None:
    """Count a signed Flag against its server's budget, or raise `Refusal` (429) when spent."""
    domain, limit = domain_of(activity.actor), federation.settings.flag_limit
    async with federation.database.transaction() as session:
        if await flags.spend_flag_budget(session, domain, limit):
            return
        wait = await ratelimit.seconds_until_room(session, flags.flag_budget(domain, limit))
    raise Refusal(429, f"too many reports from {domain}; try again in {wait} s", retry_after=wait)


async def handle_flag(federation: Federation, activity: Activity, sender: Account) -> None:
    """File the report; the server that sent it is its reporter."""
    flag = read_flag(federation.uris, activity)
    async with federation.database.transaction() as session:
        report = await flags.take_flag(
            session,
            uri=activity.id,
            reporter_domain=domain_of(activity.actor),
            usernames=flag.usernames,
            post_ids=flag.post_ids,
            comment=flag.comment,
        )
    if report is None:
        log.info("no report from the Flag %s of %s", activity.id, sender.actor_uri)
