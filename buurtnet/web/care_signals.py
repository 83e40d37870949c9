"""Care signal pages: a resident's form (after a screen that says who reads it), the director's
list and follow-up, and the admin's choice of how long signals are kept (the admin never sees
one). Rules: `moderation.care_signals`, `care_counts`, `care_retention`."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.models import Account, CareConcern, CareOutcome
from buurtnet.moderation import care_counts, care_retention, care_signals
from buurtnet.web import forms
from buurtnet.web.auth import current_roles, require_account, require_admin, require_duty
from buurtnet.web.ids import path_id
from buurtnet.web.messages import N_, translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

NEW = "/care/new"
LIST = "/care"
RETENTION = "/admin/care-retention"

CONCERN_LABELS = {
    CareConcern.ISOLATION: N_("Lonely or cut off: hardly sees anyone any more"),
    CareConcern.NEGLECT: N_("Neglect: of themselves or of their home"),
    CareConcern.DISTRESS: N_("Nuisance that seems to come from distress"),
    CareConcern.OTHER: N_("Something else"),
}
OUTCOME_LABELS = {
    CareOutcome.PASSED_ON: N_("Passed on to the neighbourhood team"),
    CareOutcome.TALKED: N_("Had a conversation"),
    CareOutcome.NO_ACTION: N_("No action"),
    CareOutcome.OTHER: N_("Something else (explain in the note)"),
}
LABELS = {"concern_labels": CONCERN_LABELS, "outcome_labels": OUTCOME_LABELS}


async def new_signal_page(request: Request) -> Response:
    return await _render_new(request, _resident(request), {}, {})


async def raise_signal(request: Request) -> Response:
    account = _resident(request)
    form = await forms.read_form(request)
    values = {
        "concern": forms.text(form, "concern", 20),
        "about": forms.text(form, "about", 2 * care_signals.ABOUT_LENGTH),
        "text": forms.text(form, "text"),
        "may_contact": "yes" if form.get("may_contact") == "yes" else "",
    }
    draft = care_signals.CareDraft(
        values["concern"], values["about"], values["text"], bool(values["may_contact"])
    )
    try:
        async with services(request).database.transaction() as session:
            await care_signals.raise_signal(session, account, draft)
    except InvalidInput as error:
        status = 429 if "care_too_many" in error.errors.values() else 400
        errors = translate_errors(error.errors, gettext_for(request))
        return await _render_new(request, account, values, errors, status_code=status)
    return RedirectResponse(NEW + "?sent=1", status_code=303)


async def list_page(request: Request) -> Response:
    _, roles = require_duty(request, care_signals.is_director)
    async with services(request).database.reading() as session:
        listed = await care_signals.signals_for_director(session, roles)
        counts = await care_counts.counts_for_director(session, roles)
        months = await care_retention.retention_months(session)
    context = {"listed": listed, "counts": counts, "months": months, **LABELS}
    return render(request, "care_list.html", context)


async def signal_page(request: Request) -> Response:
    require_account(request)
    return await _render_signal(request, {}, {})


async def add_note(request: Request) -> Response:
    return await _follow_up(request, closes=False)


async def close(request: Request) -> Response:
    return await _follow_up(request, closes=True)


async def _follow_up(request: Request, *, closes: bool) -> Response:
    """A note, or a note that closes the signal: one form, two buttons."""
    account = require_account(request)
    signal_id = path_id(request, "signal_id")
    form = await forms.read_form(request)
    values = {"outcome": forms.text(form, "outcome", 20), "text": forms.text(form, "text")}
    roles = current_roles(request)
    try:
        async with services(request).database.transaction() as session:
            await care_signals.follow_up(
                session, roles, account, signal_id, values["outcome"], values["text"], closes=closes
            )
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        return await _render_signal(request, values, errors, status_code=400)
    return RedirectResponse(f"{LIST}/{signal_id}", status_code=303)


async def retention_page(request: Request) -> Response:
    require_admin(request)
    async with services(request).database.reading() as session:
        months = await care_retention.retention_months(session)
    return _render_retention(request, {"months": str(months)}, {})


async def save_retention(request: Request) -> Response:
    admin = require_admin(request)
    form = await forms.read_form(request)
    values = {"months": forms.text(form, "months", 6).strip()}
    try:
        async with services(request).database.transaction() as session:
            await care_retention.set_retention_months(
                session, admin, forms.number(form, "months", 0)
            )
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        return _render_retention(request, values, errors, status_code=400)
    return RedirectResponse(RETENTION + "?saved=1", status_code=303)


def _resident(request: Request) -> Account:
    """Only someone who lives in a neighbourhood raises a signal, and only there."""
    account = require_account(request)
    if account.neighbourhood_id is None:
        raise NotAllowed
    return account


async def _render_new(
    request: Request,
    account: Account,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Response:
    assert account.neighbourhood_id is not None
    async with services(request).database.reading() as session:
        directors = await care_signals.directors_of(session, account.neighbourhood_id)
        months = await care_retention.retention_months(session)
    context = {
        "directors": directors,
        "months": months,
        "sent": request.query_params.get("sent") == "1",
        "values": values,
        "errors": errors,
        **LABELS,
    }
    return render(request, "care_new.html", context, status_code=status_code)


async def _render_signal(
    request: Request, values: dict[str, str], errors: dict[str, str], *, status_code: int = 200
) -> Response:
    signal_id = path_id(request, "signal_id")
    async with services(request).database.reading() as session:
        detail = await care_signals.signal_for_director(session, current_roles(request), signal_id)
    context = {"detail": detail, "values": values, "errors": errors, **LABELS}
    return render(request, "care_signal.html", context, status_code=status_code)


def _render_retention(
    request: Request, values: dict[str, str], errors: dict[str, str], *, status_code: int = 200
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "saved": request.query_params.get("saved") == "1",
        "min_months": care_retention.MIN_MONTHS,
        "max_months": care_retention.MAX_MONTHS,
    }
    return render(request, "care_retention.html", context, status_code=status_code)


routes = [
    Route(NEW, new_signal_page, methods=["GET"]),
    Route(LIST, raise_signal, methods=["POST"]),
    Route(LIST, list_page, methods=["GET"]),
    Route(LIST + "/{signal_id}", signal_page, methods=["GET"]),
    Route(LIST + "/{signal_id}/notes", add_note, methods=["POST"]),
    Route(LIST + "/{signal_id}/close", close, methods=["POST"]),
    Route(RETENTION, retention_page, methods=["GET"]),
    Route(RETENTION, save_retention, methods=["POST"]),
]
