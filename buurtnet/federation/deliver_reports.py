"""A report sent on to the reported person's server (`outbound.REPORT_FORWARDED`), as Mastodon
forwards one: a `Flag` from the instance actor, signed with the instance's key, naming the
person and those of the reported posts that are on their server, with the reporter's comment.

The job's payload names only the report, and only the report's target, posts and comment are
read here: who reported is never looked at, so no Flag can carry it.
"""

from functools import partial

from sqlmodel import col, select

from buurtnet.core import outbound
from buurtnet.federation import keys
from buurtnet.federation.as2 import activities
from buurtnet.federation.as2.parse_values import same_origin
from buurtnet.federation.context import Federation
from buurtnet.federation.deliver_posts import Handler, number
from buurtnet.federation.delivery import deliver_later
from buurtnet.federation.recipients import account_inboxes
from buurtnet.job_queue import Payload
from buurtnet.models import Account, Report, ReportedPost


async def report_forwarded(federation: Federation, payload: Payload) -> None:
    report_id = number(payload, "report_id")
    async with federation.database.transaction() as session:
        report = await session.get(Report, report_id)
        if report is None or report.target_account_id is None:
            return  # the report or the person is gone: nothing to send
        target_id = report.target_account_id
        target = await session.get(Account, target_id)
        if target is None or target.actor_uri is None:
            return
        found = await session.exec(
            select(ReportedPost.post_uri)
            .where(col(ReportedPost.report_id) == report_id)
            .order_by(col(ReportedPost.id))
        )
        their_posts = [
            uri for uri in found.all() if uri is not None and same_origin(uri, target.actor_uri)
        ]
        actor = federation.uris.instance_actor()
        flag_id = federation.uris.activity(actor, "flags", str(report_id))
        flag = activities.flag_to_as2(flag_id, actor, target.actor_uri, their_posts, report.comment)
        deliver_later(session, keys.INSTANCE, flag, await account_inboxes(session, [target_id]))


def handlers(federation: Federation) -> dict[str, Handler]:
    return {outbound.REPORT_FORWARDED: partial(report_forwarded, federation)}
