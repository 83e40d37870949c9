"""Organising an activity: the form to make one (`/events/new`), to change it, and to cancel it.

Dates and times are typed on the instance's clock; the form says so. On a mistake the form
comes back with every field as typed and a message at each wrong one (400), and nothing is
written: a chosen photo is stored only once the rest is right, and removed again when the
activity cannot be written.
"""

from zoneinfo import ZoneInfo

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import (
    event_access,
    event_input,
    event_summaries,
    events,
    local_times,
    media,
    posts,
)
from buurtnet.core.errors import InvalidInput
from buurtnet.core.event_input import EventForm, TaskForm
from buurtnet.core.events import MAX_PHOTOS
from buurtnet.models import Event, Post, Visibility, utcnow
from buurtnet.moderation import posting_limits
from buurtnet.web import forms
from buurtnet.web.auth import require_account
from buurtnet.web.event_messages import ON_THE_EVENT_FORM, translate
from buurtnet.web.ids import path_id
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

FIELDS = (
    *("title", "category", "source", "start_date", "start_time", "end_date", "end_time"),
    *("place", "latitude", "longitude", "capacity", "visibility"),
)
EMPTY_TASK_ROWS = 3
PHOTO, PHOTO_ALT = "photo", "photo_alt"


def _values(form: FormData) -> dict[str, str]:
    values = {name: forms.text(form, name, 400) for name in FIELDS}
    values["source"] = forms.text(form, "source", posts.MAX_LENGTH + 100)
    return values


def _task_rows(form: FormData) -> list[TaskForm]:
    most = 2 * event_input.MAX_TASKS
    ids, titles, places = (
        [value for value in form.getlist(name) if isinstance(value, str)][:most]
        for name in ("task_id", "task_title", "task_places")
    )
    return [
        TaskForm(
            task_id=ids[number] if number < len(ids) else "",
            title=title[:200],
            places=places[number][:12] if number < len(places) else "",
        )
        for number, title in enumerate(titles)
    ]


def _event_form(values: dict[str, str], tasks: list[TaskForm]) -> EventForm:
    names = [field for field in FIELDS if field not in ("source", "visibility")]
    return EventForm(**{name: values[name] for name in names}, tasks=tuple(tasks))


def _draft(values: dict[str, str]) -> posts.Draft:
    return posts.Draft(
        source=values["source"], visibility=posts.parse_visibility(values["visibility"])
    )


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(services(request).settings.time_zone)


async def new_page(request: Request) -> Response:
    require_account(request)
    return _render_form(request, None, {"visibility": "neighbourhood"}, [], {})


async def create(request: Request) -> Response:
    """Make the activity, then show its page."""
    account = require_account(request)
    form = await forms.read_form_with_files(request, max_files=MAX_PHOTOS)
    values, tasks = _values(form), _task_rows(form)
    storage = services(request).storage
    stored: list[media.StoredImage] = []
    try:
        try:
            typed = _event_form(values, tasks)
            made = event_input.read(typed, _draft(values), _zone(request), utcnow())
            async with services(request).database.reading() as session:
                await posting_limits.check(session, account, values["source"], is_reply=False)
            uploads = await forms.uploaded_images(form, PHOTO, PHOTO_ALT, max_images=MAX_PHOTOS)
            stored = await media.store_images(storage, uploads)
        finally:
            await form.close()
        async with services(request).database.transaction() as session:
            await posting_limits.admit(session, account, values["source"], is_reply=False)
            post = await events.create_event(
                session,
                account,
                made,
                tuple(stored),
                time_zone=services(request).settings.time_zone,
            )
    except InvalidInput as error:
        await media.discard(storage, stored)
        messages = translate(error.errors, gettext_for(request), ON_THE_EVENT_FORM)
        return _render_form(request, None, values, tasks, messages, status_code=400)
    except BaseException:
        await media.discard(storage, stored)
        raise
    return RedirectResponse(f"/posts/{post.id}", status_code=303)


async def edit_page(request: Request) -> Response:
    account = require_account(request)
    zone = _zone(request)
    async with services(request).database.reading() as session:
        post, event = await event_access.own_event(session, account, path_id(request, "post_id"))
        tasks = (await event_summaries.tasks_of(session, [event.post_id], account.id)).get(
            event.post_id, []
        )
    values = {"title": event.title, "category": event.category, "source": post.source}
    values |= {"place": event.place, "capacity": str(event.capacity or "")}
    values |= _coordinates(event) | _local_times(event, zone)
    rows = [TaskForm(str(view.task.id), view.task.title, str(view.task.places)) for view in tasks]
    return _render_form(request, (post, event), values, rows, {})


async def save_edit(request: Request) -> Response:
    account = require_account(request)
    form = await forms.read_form(request)
    values, tasks = _values(form), _task_rows(form)
    post_id = path_id(request, "post_id")
    try:
        async with services(request).database.transaction() as session:
            post, event = await event_access.own_event(session, account, post_id)
            draft = posts.Draft(source=values["source"], visibility=Visibility(post.visibility))
            changed = event_input.read(
                _event_form(values, tasks),
                draft,
                _zone(request),
                utcnow(),
                keep=(local_times.utc(event.starts_at), local_times.utc(event.ends_at)),
            )
            await events.edit_event(session, account, post_id, changed)
    except InvalidInput as error:
        async with services(request).database.reading() as session:
            found = await event_access.own_event(session, account, post_id)
        messages = translate(error.errors, gettext_for(request), ON_THE_EVENT_FORM)
        return _render_form(request, found, values, tasks, messages, status_code=400)
    return RedirectResponse(f"/posts/{post_id}", status_code=303)


async def cancel_page(request: Request) -> Response:
    """Ask before cancelling: everyone who signed up hears of it."""
    account = require_account(request)
    async with services(request).database.reading() as session:
        post, event = await event_access.own_event(session, account, path_id(request, "post_id"))
    return render(request, "event_cancel.html", {"post": post, "event": event})


async def cancel(request: Request) -> Response:
    account = require_account(request)
    await forms.read_form(request)
    post_id = path_id(request, "post_id")
    try:
        async with services(request).database.transaction() as session:
            await events.cancel_event(session, account, post_id)
    except InvalidInput as error:
        async with services(request).database.reading() as session:
            post, event = await event_access.own_event(session, account, post_id)
        messages = translate(error.errors, gettext_for(request))
        context = {"post": post, "event": event, "errors": messages}
        return render(request, "event_cancel.html", context, status_code=400)
    return RedirectResponse(f"/posts/{post_id}", status_code=303)


def _render_form(
    request: Request,
    editing: tuple[Post, Event] | None,
    values: dict[str, str],
    tasks: list[TaskForm],
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Response:
    context = {
        "editing": editing,
        "values": values,
        "task_rows": [*tasks, *[TaskForm() for _blank in range(EMPTY_TASK_ROWS)]],
        "errors": _in_form_order(errors),
        "time_zone": services(request).settings.time_zone,
    }
    return render(request, "event_form.html", context, status_code=status_code)


def _in_form_order(errors: dict[str, str]) -> dict[str, str]:
    """The summary lists the mistakes in the order of the form."""
    order = [*FIELDS, "images", "tasks"]

    def position(name: str) -> tuple[int, str]:
        return (order.index(name), "") if name in order else (len(order), name)

    return dict(sorted(errors.items(), key=lambda item: position(item[0])))


def _local_times(event: Event, zone: ZoneInfo) -> dict[str, str]:
    start = local_times.utc(event.starts_at).astimezone(zone)
    end = local_times.utc(event.ends_at).astimezone(zone)
    return {
        "start_date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_date": "" if end.date() == start.date() else end.date().isoformat(),
        "end_time": end.strftime("%H:%M"),
    }


def _coordinates(event: Event) -> dict[str, str]:
    if event.latitude is None or event.longitude is None:
        return {"latitude": "", "longitude": ""}
    return {"latitude": f"{event.latitude:.6f}", "longitude": f"{event.longitude:.6f}"}


routes = [
    Route("/events/new", new_page, methods=["GET"]),
    Route("/events", create, methods=["POST"]),
    Route("/events/{post_id}/edit", edit_page, methods=["GET"]),
    Route("/events/{post_id}/edit", save_edit, methods=["POST"]),
    Route("/events/{post_id}/cancel", cancel_page, methods=["GET"]),
    Route("/events/{post_id}/cancel", cancel, methods=["POST"]),
]
