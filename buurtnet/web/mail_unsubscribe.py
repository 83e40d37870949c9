"""Stopping mail from the link in the mail itself, without logging in (RFC 8058).

GET shows what will stop and a button, and changes nothing: mail scanners open links. POST
stops it, whether it comes from that button or from the mail client's one-click unsubscribe
(`List-Unsubscribe=One-Click`, sent without cookies). A token that is not ours is a 404.
"""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from buurtnet.core import mail_choices
from buurtnet.core.errors import NotFound
from buurtnet.mail.unsubscribe import Topic, read_unsubscribe_token
from buurtnet.web.services import services
from buurtnet.web.templating import render

PATH = "/mail/unsubscribe/{token}"
STOPS = {
    Topic.NOTIFICATIONS: mail_choices.stop_notifications,
    Topic.DIGEST: mail_choices.stop_digest,
}


def _read_token(request: Request) -> tuple[int, Topic]:
    found = read_unsubscribe_token(
        services(request).settings.secret_key, request.path_params["token"]
    )
    if found is None:
        raise NotFound
    return found


async def unsubscribe_page(request: Request) -> Response:
    account_id, topic = _read_token(request)
    async with services(request).database.reading() as session:
        await mail_choices.local_account(session, account_id)
    return render(request, "unsubscribe.html", {"topic": topic, "stopped": False})


async def unsubscribe(request: Request) -> Response:
    """Without a CSRF check (`forms.read_form`), on purpose: the mail client posts without the
    browser's cookie or a form of ours, so there is no token to check. The HMAC token in the
    path is the authorisation instead: only the recipient of the mail has it, it names one
    account and one topic, and all it can do is switch that mail off. The body says nothing
    more ("List-Unsubscribe=One-Click") and is not read."""
    account_id, topic = _read_token(request)
    async with services(request).database.transaction() as session:
        await STOPS[topic](session, account_id)
    return render(request, "unsubscribe.html", {"topic": topic, "stopped": True})


routes = [
    Route(PATH, unsubscribe_page, methods=["GET"]),
    Route(PATH, unsubscribe, methods=["POST"]),
]
