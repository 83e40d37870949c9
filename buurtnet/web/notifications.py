"""The notifications page: what others did, newest first; seeing them marks them read."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from buurtnet.core import notifications
from buurtnet.moderation import appeals
from buurtnet.web import notification_sentences
from buurtnet.web.auth import require_account
from buurtnet.web.ids import cursor
from buurtnet.web.services import services
from buurtnet.web.templating import render


async def notifications_page(request: Request) -> Response:
    account = require_account(request)
    assert account.id is not None
    database = services(request).database
    async with database.reading() as session:
        found = await notifications.newest(session, account, before=cursor(request))
    unread = {item.notification.id for item in found if item.notification.read_at is None}
    if newest_unread := max((i for i in unread if i is not None), default=None):
        async with database.transaction() as session:
            await notifications.mark_read(session, account.id, newest_unread)
    more = found[-1].notification.id if len(found) == notifications.PAGE_SIZE else None
    context = {
        "notifications": found,
        "unread": unread,
        "next_before": more,
        "unread_notifications": 0,  # read now
        "from_moderation": notifications.FROM_MODERATION,
        "sentence_of": notification_sentences.sentence_of,
        "appealable": appeals.APPEALABLE,
    }
    return render(request, "notifications.html", context)


routes = [
    Route("/notifications", notifications_page, methods=["GET"]),
]
