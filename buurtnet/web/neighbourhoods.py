"""Each neighbourhood's own page (its public face for visitors), its invite codes, and for a
new-build neighbourhood the day its keys are handed over."""

from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import (
    disclosure,
    event_listings,
    feeds,
    invites,
    neighbourhoods,
    new_build,
    permissions,
    public_summary,
)
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.models import Account, Neighbourhood, utcnow
from buurtnet.moderation import log_views
from buurtnet.web import forms
from buurtnet.web.auth import current_account, current_roles, require_account
from buurtnet.web.ids import cursor, path_id
from buurtnet.web.messages import translate_errors
from buurtnet.web.pins import pinned_atop
from buurtnet.web.services import local_today, services
from buurtnet.web.templating import gettext_for, render


async def neighbourhood_home(request: Request) -> Response:
    account = current_account(request)
    settings = services(request).settings
    async with services(request).database.reading() as session:
        neighbourhood = await neighbourhoods.get_by_slug(session, request.path_params["slug"])
        assert neighbourhood.id is not None
        count = await neighbourhoods.member_count(session, neighbourhood.id)
        is_member = account is not None and account.neighbourhood_id == neighbourhood.id
        newest = await neighbourhoods.newest_members(session, neighbourhood.id) if is_member else []
        page = await feeds.neighbourhood_feed(session, neighbourhood, account, cursor(request))
        pinned, page = await pinned_atop(session, request, page, neighbourhood.id, account)
        upcoming = await event_listings.upcoming(
            session, account, neighbourhood.id, limit=event_listings.UPCOMING_SHORT
        )
        last_month = await public_summary.last_month(
            session,
            neighbourhood.id,
            utcnow(),
            ZoneInfo(settings.time_zone),
            settings.disclosure_threshold,
        )
    roles = current_roles(request)
    context = {
        "neighbourhood": neighbourhood,
        # Through the disclosure rule: a live exact count would show every join and departure.
        "member_count": disclosure.suppress(count, settings.disclosure_threshold),
        "newest_members": newest,
        "is_member": is_member,
        "page": page,
        "pinned": pinned,
        "upcoming": upcoming,
        "last_month": last_month,
        "threshold": disclosure.threshold(settings.disclosure_threshold),
        "can_invite": permissions.can_manage_invites(roles, neighbourhood.id),
        "may_read_log": account is not None
        and log_views.may_read_public_log(account, roles, neighbourhood.id),
    }
    return render(request, "neighbourhood.html", context)


async def invites_page(request: Request) -> Response:
    account = require_account(request)
    async with services(request).database.reading() as session:
        neighbourhood = await _managed_neighbourhood(session, request, account)
    return await _render_invites(request, neighbourhood)


async def create_invite(request: Request) -> Response:
    account = require_account(request)
    form = await forms.read_form(request)
    values = {
        "max_uses": forms.text(form, "max_uses", 6),
        "valid_days": forms.text(form, "valid_days", 6),
    }
    try:
        async with services(request).database.transaction() as session:
            neighbourhood = await _managed_neighbourhood(session, request, account)
            await invites.create_invite(
                session,
                neighbourhood,
                account,
                max_uses=forms.number(form, "max_uses", 0),
                valid_days=forms.number(form, "valid_days", 0),
            )
    except InvalidInput as error:
        async with services(request).database.reading() as session:
            neighbourhood = await _managed_neighbourhood(session, request, account)
        messages = translate_errors(error.errors, gettext_for(request))
        return await _render_invites(request, neighbourhood, values, messages, status_code=400)
    return RedirectResponse(f"/n/{neighbourhood.slug}/invites", status_code=303)


async def save_handover(request: Request) -> Response:
    """The director marks the neighbourhood as new-build, with the day the keys are handed
    over; an empty date ends that."""
    account = require_account(request)
    form = await forms.read_form(request)
    raw = forms.text(form, "handover_on", 20).strip()
    today = local_today(request)
    try:
        handover_on = date.fromisoformat(raw) if raw else None
    except ValueError:
        handover_on = date.min  # refused below, with the same message as any other bad date
    try:
        async with services(request).database.transaction() as session:
            neighbourhood = await _managed_neighbourhood(session, request, account)
            assert neighbourhood.id is not None
            await new_build.set_handover(session, account, neighbourhood.id, handover_on, today)
    except InvalidInput as error:
        async with services(request).database.reading() as session:
            neighbourhood = await _managed_neighbourhood(session, request, account)
        messages = translate_errors(error.errors, gettext_for(request))
        values = {"handover_on": raw}
        return await _render_invites(request, neighbourhood, values, messages, status_code=400)
    return RedirectResponse(f"/n/{neighbourhood.slug}/invites?saved=handover", status_code=303)


async def revoke_invite(request: Request) -> Response:
    account = require_account(request)
    await forms.read_form(request)
    async with services(request).database.transaction() as session:
        neighbourhood = await _managed_neighbourhood(session, request, account)
        assert neighbourhood.id is not None
        await invites.revoke_invite(session, neighbourhood.id, path_id(request, "invite_id"))
    return RedirectResponse(f"/n/{neighbourhood.slug}/invites", status_code=303)


async def _managed_neighbourhood(
    session: AsyncSession, request: Request, account: Account
) -> Neighbourhood:
    neighbourhood = await neighbourhoods.get_by_slug(session, request.path_params["slug"])
    assert neighbourhood.id is not None
    if not permissions.can_manage_invites(current_roles(request), neighbourhood.id):
        raise NotAllowed
    return neighbourhood


async def _render_invites(
    request: Request,
    neighbourhood: Neighbourhood,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    assert neighbourhood.id is not None
    async with services(request).database.reading() as session:
        codes = await invites.list_invites(session, neighbourhood.id)
    context = {
        "neighbourhood": neighbourhood,
        "invites": [(code, invites.is_usable(code)) for code in codes],
        "base_url": services(request).settings.base_url,
        "values": {
            "max_uses": str(invites.DEFAULT_MAX_USES),
            "valid_days": str(invites.DEFAULT_VALID_DAYS),
            "handover_on": neighbourhood.handover_on.isoformat()
            if neighbourhood.handover_on
            else "",
        }
        | (values or {}),
        "errors": errors or {},
        "saved": request.query_params.get("saved"),
    }
    return render(request, "invites.html", context, status_code=status_code)


routes = [
    Route("/n/{slug}", neighbourhood_home, methods=["GET"]),
    Route("/n/{slug}/invites", invites_page, methods=["GET"]),
    Route("/n/{slug}/invites", create_invite, methods=["POST"]),
    Route("/n/{slug}/invites/{invite_id}/revoke", revoke_invite, methods=["POST"]),
    Route("/n/{slug}/new-build", save_handover, methods=["POST"]),
]
