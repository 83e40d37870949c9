"""Signing up for an activity (going, maybe, not going; a volunteer task), and the organiser's
side: who comes, closing and opening the sign-ups, one message to everyone who signed up.

An answer that cannot be taken (cancelled, over, closed, a full task) gets a page that says why
(400); every other answer leads back to the activity, which shows where one stands.
"""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import (
    event_access,
    event_summaries,
    event_tasks,
    events,
    participation,
    posts,
)
from buurtnet.core.errors import InvalidInput
from buurtnet.models import ParticipationStatus
from buurtnet.moderation import posting_limits
from buurtnet.web import forms
from buurtnet.web.auth import require_account
from buurtnet.web.event_messages import translate
from buurtnet.web.ids import path_id
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

# The organiser's list, in this order.
LISTED = (
    ParticipationStatus.GOING,
    ParticipationStatus.WAITING,
    ParticipationStatus.MAYBE,
    ParticipationStatus.NOT_GOING,
)


def _back(post_id: int) -> RedirectResponse:
    return RedirectResponse(f"/posts/{post_id}#event", status_code=303)


async def _refused(request: Request, post_id: int, reason: str) -> Response:
    """Why the answer was not taken, with the way back to the activity."""
    account = require_account(request)
    async with services(request).database.reading() as session:
        post, event = await event_access.visible_event(session, account, post_id)
    message = translate({"form": reason}, gettext_for(request))["form"]
    context = {"post": post, "event": event, "message": message}
    return render(request, "event_refused.html", context, status_code=400)


async def answer(request: Request) -> Response:
    """Going, maybe or not going."""
    account = require_account(request)
    form = await forms.read_form(request)
    post_id = path_id(request, "post_id")
    try:
        chosen = participation.parse_answer(forms.text(form, "answer", 20))
        async with services(request).database.transaction() as session:
            answered = await participation.respond(session, account, post_id, chosen)
    except InvalidInput as error:
        return await _refused(request, post_id, error.errors["answer"])
    if answered.refused and answered.reason:
        return await _refused(request, post_id, answered.reason)
    return _back(post_id)


async def task(request: Request) -> Response:
    """Take on a task (`take=1`) or give it back (`take=0`)."""
    account = require_account(request)
    form = await forms.read_form(request)
    post_id, task_id = path_id(request, "post_id"), path_id(request, "task_id")
    take = forms.text(form, "take", 2) == "1"
    async with services(request).database.transaction() as session:
        if not take:
            await event_tasks.let_go(session, account, post_id, task_id)
            return _back(post_id)
        taken = await event_tasks.volunteer(session, account, post_id, task_id)
    if not taken.taken and taken.reason:
        return await _refused(request, post_id, taken.reason)
    return _back(post_id)


async def sign_ups(request: Request) -> Response:
    """The organiser closes the sign-ups (`closed=1`) or opens them again (`closed=0`)."""
    account = require_account(request)
    form = await forms.read_form(request)
    post_id = path_id(request, "post_id")
    closed = forms.text(form, "closed", 2) == "1"
    async with services(request).database.transaction() as session:
        await events.set_sign_ups_closed(session, account, post_id, closed)
    return _back(post_id)


async def participants_page(request: Request) -> Response:
    """For the organiser: who comes, who waits (in order), who might, who will not; and who
    does which task."""
    account = require_account(request)
    post_id = path_id(request, "post_id")
    async with services(request).database.reading() as session:
        post, event = await event_access.own_event(session, account, post_id)
        people = await participation.participants(session, post_id, LISTED)
        tasks = (await event_summaries.tasks_of(session, [post_id], None)).get(post_id, [])
        volunteers = await event_tasks.volunteers_of(session, post_id)
    by_answer = {
        status.value: [who for row, who in people if row.status == status] for status in LISTED
    }
    context = {
        "post": post,
        "event": event,
        "by_answer": by_answer,
        "tasks": tasks,
        "volunteers": volunteers,
    }
    return render(request, "event_participants.html", context)


async def message_page(request: Request) -> Response:
    return await _render_message(request, {}, {})


async def send_message(request: Request) -> Response:
    """One private message, as a reply to the activity, to everyone who signed up."""
    account = require_account(request)
    form = await forms.read_form(request)
    post_id = path_id(request, "post_id")
    text = forms.text(form, "source", posts.MAX_LENGTH + 100)
    try:
        async with services(request).database.transaction() as session:
            await posting_limits.admit(session, account, text, is_reply=True)
            message = await events.message_participants(session, account, post_id, text)
    except InvalidInput as error:
        errors = translate(error.errors, gettext_for(request))
        return await _render_message(request, {"source": text}, errors, 400)
    return RedirectResponse(f"/posts/{post_id}#post-{message.id}", status_code=303)


async def _render_message(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    account = require_account(request)
    post_id = path_id(request, "post_id")
    async with services(request).database.reading() as session:
        post, event = await event_access.own_event(session, account, post_id)
        people = await event_access.participant_ids(session, post_id, event_access.TOLD_OF_CHANGES)
    context = {
        "post": post,
        "event": event,
        "count": len(people),
        "values": values,
        "errors": errors,
    }
    return render(request, "event_message.html", context, status_code=status_code)


routes = [
    Route("/events/{post_id}/participation", answer, methods=["POST"]),
    Route("/events/{post_id}/tasks/{task_id}", task, methods=["POST"]),
    Route("/events/{post_id}/sign-ups", sign_ups, methods=["POST"]),
    Route("/events/{post_id}/participants", participants_page, methods=["GET"]),
    Route("/events/{post_id}/message", message_page, methods=["GET"]),
    Route("/events/{post_id}/message", send_message, methods=["POST"]),
]
