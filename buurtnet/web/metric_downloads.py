"""The dashboard's download: a neighbourhood's figures as CSV or JSON, for its director or an
admin (docs/liveability.md, "Partners").

A download is made to be shared, so it holds what a partner's key gets (`Audience.PARTNER`):
never care signals, which stay on the dashboard. Without `format` the page is a small GET form
that chooses the range; with it, the file. Each file is an entry in the audit log.
"""

from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from buurtnet.core import dashboard, export_requests, metric_exports
from buurtnet.core.errors import InvalidInput
from buurtnet.core.metric_figures import Audience
from buurtnet.models import Neighbourhood, PeriodKind
from buurtnet.web.auth import require_duty
from buurtnet.web.messages import translate_errors
from buurtnet.web.metrics_api import export_context, file_response, read_parameters
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

AUDIENCE = Audience.PARTNER  # a file travels: never care signals
FIELDS = ("period", "from", "to", "format")


async def download(request: Request) -> Response:
    account, roles = require_duty(request, dashboard.opens_dashboard)
    context = export_context(request)
    async with services(request).database.reading() as session:
        place = await dashboard.viewable(session, roles, request.path_params["slug"])
    if "format" not in request.query_params:
        return _render_form(request, place, _defaults(context.today))
    try:
        wanted, file_format = read_parameters(request, context.today)
    except InvalidInput as error:
        values = {name: request.query_params.get(name, "")[:20] for name in FIELDS}
        values["period"] = values["period"] or PeriodKind.MONTH.value  # as the API reads it
        errors = translate_errors(error.errors, gettext_for(request))
        return _render_form(request, place, values, errors, status_code=400)
    exporter = metric_exports.by_account(account, "dashboard download")
    async with services(request).database.transaction() as session:
        exported = await metric_exports.export(
            session, [place], wanted, file_format, AUDIENCE, exporter, context
        )
    return file_response(exported)


def _defaults(today: date) -> dict[str, str]:
    """The last twelve months that are over, as a CSV file."""
    wanted = export_requests.parse_range("", "", "", today)
    return {
        "period": PeriodKind.MONTH.value,
        "from": f"{wanted.first:%Y-%m}",
        "to": f"{wanted.last:%Y-%m}",
        "format": "csv",
    }


def _render_form(
    request: Request,
    place: Neighbourhood,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    context = {"place": place, "values": values, "errors": errors or {}}
    return render(request, "metric_export.html", context, status_code=status_code)


routes = [
    Route("/dashboard/{slug}/export", download, methods=["GET"]),
]
