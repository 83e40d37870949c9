"""Polls in the browser: the poll part of the composer (fixed answer boxes, empty ones ignored,
no JavaScript), and voting, a small form per poll that leads back to where one was.

A vote that cannot be taken (nothing chosen, the poll ended meanwhile, a tampered form) shows
the post again with its poll and what to do, with status 400, and nothing is written.
"""

from datetime import timedelta

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import polls, threads
from buurtnet.core.errors import InvalidInput
from buurtnet.models import Account
from buurtnet.web import forms
from buurtnet.web.auth import require_account
from buurtnet.web.ids import parse_id, path_id
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

OPTION = "poll_option"  # every answer box has this name: the answers come in their order
MULTIPLE = "poll_multiple"
DURATION = "poll_duration"  # in seconds


def poll_values(form: FormData) -> dict[str, str]:
    """The poll part as typed, as `poll_option_1`, `poll_option_2`, … to show it again."""
    answers = [value for value in form.getlist(OPTION) if isinstance(value, str)]
    values = {
        f"{OPTION}_{number}": answer.replace("\x00", "")[: polls.OPTION_LENGTH + 50]
        for number, answer in enumerate(answers, start=1)
    }
    values[MULTIPLE] = forms.text(form, MULTIPLE, 10)
    values[DURATION] = forms.text(form, DURATION, 12)
    return values


def poll_draft(values: dict[str, str]) -> polls.PollDraft | None:
    """The poll, when any answer was filled in; None for a post without one."""
    answers: list[str] = []
    while (answer := values.get(f"{OPTION}_{len(answers) + 1}")) is not None:
        answers.append(answer)
    if not any(answer.strip() for answer in answers):
        return None
    return polls.PollDraft(
        options=tuple(answers),
        multiple=values.get(MULTIPLE) == "1",
        duration=_duration(values.get(DURATION, "")),
    )


def _duration(text: str) -> timedelta:
    """The chosen duration; one that is no number is too short, and the form says so."""
    if not text:
        return polls.DEFAULT_DURATION
    try:
        return timedelta(seconds=int(text))
    except ValueError:
        return timedelta()


async def vote(request: Request) -> Response:
    account = require_account(request)
    form = await forms.read_form(request)
    post_id = path_id(request, "post_id")
    chosen = [parse_id(value) for value in form.getlist("option") if isinstance(value, str)]
    try:
        if None in chosen:
            raise InvalidInput.single(polls.VOTE, "poll_option_unknown")
        async with services(request).database.transaction() as session:
            await polls.vote(session, account, post_id, [found for found in chosen if found])
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        return await _refused(request, account, post_id, errors)
    back = forms.safe_next(forms.text(form, "next", 500), f"/posts/{post_id}")
    return RedirectResponse(f"{back.split('#')[0]}#post-{post_id}", status_code=303)


async def _refused(
    request: Request, account: Account, post_id: int, errors: dict[str, str]
) -> Response:
    async with services(request).database.reading() as session:
        thread = await threads.thread_of(session, account, post_id)
    # Voting again from here leads to the post's page, not back to this form's address.
    context = {"view": thread.focus, "errors": errors, "this_page": f"/posts/{post_id}"}
    return render(request, "poll_vote.html", context, status_code=400)


routes = [Route("/posts/{post_id}/vote", vote, methods=["POST"])]
