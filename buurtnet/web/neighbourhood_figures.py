"""A neighbourhood's CBS buurt code and number of homes: the form for an admin or its director,
and the admin's import of the numbers from a CBS file (docs/liveability.md, "CBS data")."""

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import cbs_import, neighbourhoods
from buurtnet.core.cbs_import import LineProblem
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.models import Neighbourhood
from buurtnet.moderation import figure_settings
from buurtnet.web import forms
from buurtnet.web.auth import current_roles, require_account, require_admin
from buurtnet.web.messages import FORM_MESSAGES, translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

IMPORT_PATH = "/admin/cbs-import"
FILE_FIELD = "file"
FILE_MISSING = "cbs_file_missing"


async def figures_page(request: Request) -> Response:
    require_account(request)
    async with services(request).database.reading() as session:
        neighbourhood = await settable_neighbourhood(request, session)
    return _render_form(request, neighbourhood)


async def save_figures(request: Request) -> Response:
    account = require_account(request)
    form = await forms.read_form(request)
    values = {name: forms.text(form, name, 40) for name in ("cbs_code", "homes")}
    try:
        async with services(request).database.transaction() as session:
            neighbourhood = await settable_neighbourhood(request, session)
            assert neighbourhood.id is not None
            await figure_settings.set_figures(
                session,
                account,
                current_roles(request),
                neighbourhood.id,
                values["cbs_code"],
                values["homes"],
            )
    except InvalidInput as error:
        async with services(request).database.reading() as session:
            neighbourhood = await settable_neighbourhood(request, session)
        errors = translate_errors(error.errors, gettext_for(request))
        return _render_form(request, neighbourhood, values, errors, status_code=400)
    return RedirectResponse(f"/n/{neighbourhood.slug}/figures-settings?saved=1", status_code=303)


async def import_file(request: Request) -> Response:
    """The numbers of homes from a CBS file, for every neighbourhood with a CBS code, at once."""
    admin = require_admin(request)
    form = await forms.read_form_with_files(request, max_files=1)
    try:
        data = await forms.uploaded_file(
            form, FILE_FIELD, max_bytes=cbs_import.MAX_BYTES, too_large=cbs_import.FILE_TOO_LARGE
        )
        if not data:
            raise InvalidInput.single(FILE_FIELD, FILE_MISSING)
        # Tens of megabytes take a while to read: not on the event loop.
        read = await run_in_threadpool(cbs_import.read_cbs_csv, data)
        async with services(request).database.transaction() as session:
            report = await figure_settings.import_homes(session, admin, read)
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        return render(request, "cbs_import.html", {"import_errors": errors}, status_code=400)
    context = {
        "read": read,
        "report": report,
        "problems": [_line_message(request, problem) for problem in read.problems],
    }
    return render(request, "cbs_import.html", context)


async def settable_neighbourhood(request: Request, session: AsyncSession) -> Neighbourhood:
    """The neighbourhood of the path, if the person may change its settings (also its places:
    `web/neighbourhood_places`)."""
    neighbourhood = await neighbourhoods.get_by_slug(session, request.path_params["slug"])
    assert neighbourhood.id is not None
    if not figure_settings.may_set(current_roles(request), neighbourhood.id):
        raise NotAllowed
    return neighbourhood


def _render_form(
    request: Request,
    neighbourhood: Neighbourhood,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    stored = {"cbs_code": neighbourhood.cbs_code or "", "homes": str(neighbourhood.homes or "")}
    context = {
        "neighbourhood": neighbourhood,
        "values": values or stored,
        "errors": errors or {},
        "saved": request.query_params.get("saved", ""),
    }
    return render(request, "neighbourhood_figures.html", context, status_code=status_code)


def _line_message(request: Request, problem: LineProblem) -> str:
    _ = gettext_for(request)
    what = _(FORM_MESSAGES.get(problem.problem, problem.problem))
    if problem.code:
        return _("Line %(line)s (%(code)s): %(problem)s") % {
            "line": problem.line,
            "code": problem.code,
            "problem": what,
        }
    return _("Line %(line)s: %(problem)s") % {"line": problem.line, "problem": what}


routes = [
    Route("/n/{slug}/figures-settings", figures_page, methods=["GET"]),
    Route("/n/{slug}/figures-settings", save_figures, methods=["POST"]),
    Route(IMPORT_PATH, import_file, methods=["POST"]),
]
