"""The moderation logs: the admins' audit log with its filters, and each neighbourhood's public
log, which its residents read (what was done and why, never who or the text)."""

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from buurtnet.core import neighbourhoods
from buurtnet.core.errors import NotAllowed
from buurtnet.db import parse_row_id
from buurtnet.models import ActionKind
from buurtnet.moderation import audit, log_views
from buurtnet.web.auth import current_roles, require_account, require_admin
from buurtnet.web.ids import cursor
from buurtnet.web.services import services
from buurtnet.web.templating import render

AUDIT = "/admin/audit"
FILTERS = ("kind", "moderator", "neighbourhood", "person")
FILTER_LENGTH = 300


async def audit_page(request: Request) -> Response:
    require_admin(request)
    chosen = {name: request.query_params.get(name, "")[:FILTER_LENGTH].strip() for name in FILTERS}
    person = chosen["person"]
    async with services(request).database.reading() as session:
        person_id = await log_views.account_id_by_handle(session, person) if person else None
        wanted = audit.AuditFilter(
            kind=chosen["kind"] if chosen["kind"] in set(ActionKind) else "",
            moderator=chosen["moderator"].removeprefix("@"),
            neighbourhood_id=parse_row_id(chosen["neighbourhood"]),
            target_account_id=person_id,
            before_id=cursor(request),
        )
        nobody = bool(person) and person_id is None
        entries = [] if nobody else await audit.entries(session, wanted)
        handles = await log_views.handles_of(session, entries)
        all_neighbourhoods = await neighbourhoods.list_all(session)
    older = ""
    if len(entries) == audit.PAGE_SIZE:
        kept = {name: value for name, value in chosen.items() if value}
        older = f"{AUDIT}?{urlencode({**kept, 'before': entries[-1].id})}"
    context = {
        "entries": entries,
        "handles": handles,
        "neighbourhoods": all_neighbourhoods,
        "names": {n.id: n.name for n in all_neighbourhoods},
        "kinds": list(ActionKind),
        "chosen": chosen,
        "nobody": nobody,
        "older": older,
    }
    return render(request, "audit.html", context)


async def public_log_page(request: Request) -> Response:
    account = require_account(request)
    async with services(request).database.reading() as session:
        neighbourhood = await neighbourhoods.get_by_slug(session, request.path_params["slug"])
        assert neighbourhood.id is not None
        if not log_views.may_read_public_log(account, current_roles(request), neighbourhood.id):
            raise NotAllowed
        entries = await audit.public_log(session, neighbourhood.id)
    context = {"neighbourhood": neighbourhood, "entries": entries}
    return render(request, "moderation_log.html", context)


routes = [
    Route(AUDIT, audit_page, methods=["GET"]),
    Route("/n/{slug}/moderation", public_log_page, methods=["GET"]),
]
