"""Afterwards: the organiser fills in how the activity went (how many came, bags of litter for a
clean-up, a note, a photo).

The form with a photo is sent to one fixed address, `/events/outcome`, with the activity's
number in it: the larger bound on request bodies is set per exact path (`app.UPLOAD_BODY_BYTES`).
"""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import event_access, event_outcomes, media
from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.core.event_outcomes import OutcomeForm
from buurtnet.models import Account, utcnow
from buurtnet.web import forms
from buurtnet.web.auth import require_account
from buurtnet.web.event_messages import ON_THE_EVENT_FORM, translate
from buurtnet.web.ids import parse_id, path_id
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

OUTCOME_PATH = "/events/outcome"
FIELDS = ("attendance", "litter_bags", "note")


async def outcome_page(request: Request) -> Response:
    account = require_account(request)
    post_id = path_id(request, "post_id")
    async with services(request).database.reading() as session:
        _post, event = await event_access.own_event(session, account, post_id)
    values = {
        "attendance": "" if event.attendance is None else str(event.attendance),
        "litter_bags": "" if event.litter_bags is None else str(event.litter_bags),
        "note": event.outcome_note,
    }
    return await _render(request, account, post_id, values, {})


async def save_outcome(request: Request) -> Response:
    account = require_account(request)
    form = await forms.read_form_with_files(request, max_files=1)
    post_id = parse_id(forms.text(form, "post_id", 20))
    if post_id is None:
        await form.close()
        raise NotFound("post_id")
    values = {name: forms.text(form, name, event_outcomes.NOTE_LENGTH + 100) for name in FIELDS}
    storage = services(request).storage
    stored: list[media.StoredImage] = []
    try:
        try:
            outcome = event_outcomes.read(OutcomeForm(**values))
            async with services(request).database.reading() as session:
                await event_outcomes.check_may_record(session, account, post_id)
            uploads = await forms.uploaded_images(form, "photo", "photo_alt", max_images=1)
            stored = await media.store_images(storage, uploads)
        finally:
            await form.close()
        async with services(request).database.transaction() as session:
            photo = stored[0] if stored else None
            await event_outcomes.record_outcome(session, account, post_id, outcome, photo)
    except InvalidInput as error:
        await media.discard(storage, stored)
        messages = translate(error.errors, gettext_for(request), ON_THE_EVENT_FORM)
        return await _render(request, account, post_id, values, messages, status_code=400)
    except BaseException:
        await media.discard(storage, stored)
        raise
    return RedirectResponse(f"/posts/{post_id}#event", status_code=303)


async def _render(
    request: Request,
    account: Account,
    post_id: int,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Response:
    async with services(request).database.reading() as session:
        post, event = await event_access.own_event(session, account, post_id)
    context = {
        "post": post,
        "event": event,
        "ended": event_access.has_ended(event, utcnow()),
        "values": values,
        "errors": errors,
        "action": OUTCOME_PATH,
    }
    return render(request, "event_outcome.html", context, status_code=status_code)


routes = [
    Route("/events/{post_id}/outcome", outcome_page, methods=["GET"]),
    Route(OUTCOME_PATH, save_outcome, methods=["POST"]),
]
