"""The moderators' queue of reports at /moderation, and a report's page with what a moderator
does about it: take it on, write notes, act on the person or their posts (each with a reason),
close it, or send it on to the person's server. Rules: `moderation.reports`, `actions`."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.core.permissions import Roles, is_moderator
from buurtnet.models import Account, ModerationAction, ReportStatus
from buurtnet.moderation import actions, held_posts, reports
from buurtnet.web import forms
from buurtnet.web.auth import require_duty
from buurtnet.web.ids import path_id
from buurtnet.web.messages import N_, translate_errors
from buurtnet.web.moderation_labels import LABELS, read_measure, read_suspension_end
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

QUEUE = "/moderation"
DETAIL = "/moderation/reports/{report_id}"
# The queue's tabs: `?status=` and what it lists (None: open and in progress together).
TABS: dict[str, ReportStatus | None] = {
    "open": None,
    "resolved": ReportStatus.RESOLVED,
    "dismissed": ReportStatus.DISMISSED,
}
# What the report's page says after each step (`?done=`).
DONE = {
    "taken": N_("You have taken on this report."),
    "noted": N_("Your note has been saved."),
    "removed": N_("The message has been removed. Its author has been told why."),
    "sensitive": N_("The message is now shown folded, as sensitive."),
    "warned": N_("The warning has been sent."),
    "limited": N_("The account is limited now."),
    "suspended": N_("The account is suspended now."),
    "lifted": N_("The limit or suspension has been lifted."),
    "closed": N_("The report is closed. The reporter has been told the outcome."),
    "forwarded": N_("The report has been sent on to the other server, without the reporter."),
}
# The fields a step's form may have, kept when the page is shown again with messages.
FORM_FIELDS = ("reason", "category", "note", "outcome", "decision", "length")


async def queue_page(request: Request) -> Response:
    _, roles = require_duty(request, is_moderator)
    tab = request.query_params.get("status", "open")
    tab = tab if tab in TABS else "open"
    async with services(request).database.reading() as session:
        items = await reports.queue(session, roles, TABS[tab])
        held = await held_posts.held_posts(session, roles)
    context = {"items": items, "tab": tab, "held_count": len(held), **LABELS}
    return render(request, "moderation.html", context)


async def detail_page(request: Request) -> Response:
    require_duty(request, is_moderator)
    return await _render_detail(request, "", {}, {})


async def _render_detail(
    request: Request,
    failed: str,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Response:
    _, roles = require_duty(request, is_moderator)
    report_id = path_id(request, "report_id")
    async with services(request).database.reading() as session:
        detail = await reports.detail(session, roles, report_id)
    target = detail.item.target
    done = request.query_params.get("done", "")
    context = {
        "detail": detail,
        "report": detail.item.report,
        "target": target,
        "done": DONE.get(done, ""),
        "failed": failed,
        "values": values,
        "errors": errors,
        **LABELS,
    }
    return render(request, "moderation_report.html", context, status_code=status_code)


@dataclass(frozen=True)
class Asked:
    """A moderator's step on a report, as posted."""

    moderator: Account
    roles: Roles
    report_id: int
    form: FormData
    post_id: int | None  # for a step on one of the reported posts


# A step does its work and names its confirmation in `DONE`.
Step = Callable[[AsyncSession, Asked], Awaitable[str]]


def step_route(path: str, step: Step) -> Route:
    """A POST on a report: the step, then back to the report's page with its confirmation; or
    the page again with the step's form messages, in the form that was sent (`failed`)."""

    async def endpoint(request: Request) -> Response:
        account, roles = require_duty(request, is_moderator)
        report_id = path_id(request, "report_id")
        post_id = path_id(request, "post_id") if "post_id" in request.path_params else None
        form = await forms.read_form(request)
        try:
            async with services(request).database.transaction() as session:
                done = await step(session, Asked(account, roles, report_id, form, post_id))
        except InvalidInput as error:
            errors = translate_errors(error.errors, gettext_for(request))
            values = {name: forms.text(form, name) for name in FORM_FIELDS}
            failed = path.strip("/").replace("/", "-").format(post_id=post_id)
            return await _render_detail(request, failed, values, errors, status_code=400)
        return RedirectResponse(f"/moderation/reports/{report_id}?done={done}", status_code=303)

    return Route(DETAIL + path, endpoint, methods=["POST"])


async def take(session: AsyncSession, asked: Asked) -> str:
    await reports.take(session, asked.moderator, asked.roles, asked.report_id)
    return "taken"


async def add_note(session: AsyncSession, asked: Asked) -> str:
    note = forms.text(asked.form, "note", reports.NOTE_LENGTH + 1)
    await reports.add_note(session, asked.moderator, asked.roles, asked.report_id, note)
    return "noted"


async def close(session: AsyncSession, asked: Asked) -> str:
    decision = forms.text(asked.form, "decision", 20)
    if decision not in (ReportStatus.RESOLVED, ReportStatus.DISMISSED):
        raise InvalidInput.single("decision", "report_decision_missing")
    await reports.close(
        session,
        asked.moderator,
        asked.roles,
        asked.report_id,
        resolved=decision == ReportStatus.RESOLVED,
        outcome=forms.text(asked.form, "outcome", reports.OUTCOME_LENGTH + 1),
    )
    return "closed"


async def forward(session: AsyncSession, asked: Asked) -> str:
    await reports.forward(session, asked.moderator, asked.roles, asked.report_id)
    return "forwarded"


# An action of `moderation.actions` on a post's or an account's id.
MeasureOn = Callable[
    [AsyncSession, Account, Roles, int, actions.Measure], Awaitable[ModerationAction]
]


def on_post(measure_of: MeasureOn, done: str) -> Step:
    """A measure on one of the reported posts, with the form's reason and category."""

    async def step(session: AsyncSession, asked: Asked) -> str:
        assert asked.post_id is not None
        measure = read_measure(asked.form, asked.report_id)
        await measure_of(session, asked.moderator, asked.roles, asked.post_id, measure)
        return done

    return step


def on_person(measure_of: MeasureOn, done: str) -> Step:
    """A measure on the reported person, with the form's reason and category."""

    async def step(session: AsyncSession, asked: Asked) -> str:
        target_id = await _reported_person(session, asked)
        measure = read_measure(asked.form, asked.report_id)
        await measure_of(session, asked.moderator, asked.roles, target_id, measure)
        return done

    return step


async def suspend(session: AsyncSession, asked: Asked) -> str:
    measure = read_measure(asked.form, asked.report_id)
    until = read_suspension_end(asked.form)
    target_id = await _reported_person(session, asked)
    await actions.suspend(session, asked.moderator, asked.roles, target_id, measure, until)
    return "suspended"


async def _reported_person(session: AsyncSession, asked: Asked) -> int:
    report = await reports.handled_report(session, asked.roles, asked.report_id)
    if report.target_account_id is None:
        raise NotFound(asked.report_id)  # the account is gone: nobody left to act on
    return report.target_account_id


routes = [
    Route(QUEUE, queue_page, methods=["GET"]),
    Route(DETAIL, detail_page, methods=["GET"]),
    step_route("/take", take),
    step_route("/notes", add_note),
    step_route("/close", close),
    step_route("/forward", forward),
    step_route("/posts/{post_id}/remove", on_post(actions.remove_post, "removed")),
    step_route("/posts/{post_id}/sensitive", on_post(actions.mark_sensitive, "sensitive")),
    step_route("/warn", on_person(actions.warn, "warned")),
    step_route("/limit", on_person(actions.limit, "limited")),
    step_route("/suspend", suspend),
    step_route("/lift", on_person(actions.lift_measures, "lifted")),
]
