"""Reporting a person and some of their posts to the moderators: the form, and filing it.
Rules: `moderation.reportable` (what the form offers) and `moderation.reports.file_report`."""

from collections.abc import Mapping

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.db import parse_row_id
from buurtnet.models import Account, Neighbourhood
from buurtnet.moderation import reportable, reports
from buurtnet.web import forms
from buurtnet.web.auth import require_account
from buurtnet.web.ids import path_id
from buurtnet.web.messages import translate_errors
from buurtnet.web.moderation_labels import LABELS
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

REPORT = "/report/{account_id}"


async def report_page(request: Request) -> Response:
    reporter = require_account(request)
    chosen = request.query_params.get("post")
    post_id = None if chosen is None else parse_row_id(chosen)
    if chosen is not None and post_id is None:
        raise NotFound(chosen)
    sent = request.query_params.get("sent") == "1"
    values = {"posts": [] if post_id is None else [post_id]}
    return await _render(request, reporter, post_id, values, {}, sent=sent)


async def file_report(request: Request) -> Response:
    reporter = require_account(request)
    person_id = path_id(request, "account_id")
    form = await forms.read_form(request)
    draft = reports.ReportDraft(
        category=forms.text(form, "category", 20),
        comment=forms.text(form, "comment", reports.COMMENT_LENGTH + 1),
        post_ids=_chosen_posts(form),
    )
    try:
        async with services(request).database.transaction() as session:
            await reports.file_report(session, reporter, person_id, draft)
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        values = {"category": draft.category, "comment": draft.comment, "posts": draft.post_ids}
        return await _render(request, reporter, None, values, errors, status_code=400)
    return RedirectResponse(f"/report/{person_id}?sent=1", status_code=303)


def _chosen_posts(form: FormData) -> tuple[int, ...]:
    """The ticked posts; a value that is no id is a post that is not there."""
    ticked = [value for value in form.getlist("post") if isinstance(value, str)]
    ids = [parse_row_id(value) for value in ticked[: 2 * reports.MAX_POSTS]]
    if None in ids:
        raise NotFound("post")
    return tuple(post_id for post_id in ids if post_id is not None)


async def _render(
    request: Request,
    reporter: Account,
    post_id: int | None,
    values: Mapping[str, object],
    errors: dict[str, str],
    *,
    sent: bool = False,
    status_code: int = 200,
) -> Response:
    async with services(request).database.reading() as session:
        offered = await reportable.reportable(
            session, reporter, path_id(request, "account_id"), post_id
        )
        handling = reports.handling_neighbourhood(reporter, offered.person)
        handled_in = await session.get(Neighbourhood, handling or 0)
    context = {
        "offered": offered,
        "person": offered.person,
        "handled_in": handled_in,
        "sent": sent,
        "values": values,
        "errors": errors,
        **LABELS,
    }
    return render(request, "report.html", context, status_code=status_code)


routes = [
    Route(REPORT, report_page, methods=["GET"]),
    Route(REPORT, file_report, methods=["POST"]),
]
