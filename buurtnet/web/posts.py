"""Writing posts and replies, a post's own page, editing and deleting."""

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import media, posts, threads
from buurtnet.core.errors import InvalidInput
from buurtnet.models import Account, Post
from buurtnet.moderation import posting_limits
from buurtnet.web import forms
from buurtnet.web.auth import current_account, require_account
from buurtnet.web.ids import parse_id, path_id
from buurtnet.web.messages import translate_errors
from buurtnet.web.polls import poll_draft, poll_values
from buurtnet.web.posted import address_after_posting, just_posted
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

FIELDS = ("source", "summary", "kind", "visibility", "language", "in_reply_to", "neighbourhood")


def _values(form: FormData) -> dict[str, str]:
    values = {name: forms.text(form, name, posts.MAX_LENGTH + 100) for name in FIELDS}
    values["summary"] = values["summary"][: posts.SUMMARY_LENGTH + 10]
    return values | poll_values(form)


def draft_from(values: dict[str, str]) -> posts.Draft:
    return posts.Draft(
        source=values["source"],
        kind=posts.parse_kind(values["kind"]),
        visibility=posts.parse_visibility(values["visibility"]),
        summary=values["summary"],
        language=values["language"] or None,
        in_reply_to_id=parse_id(values.get("in_reply_to", "")),
        poll=poll_draft(values),
        neighbourhood_id=parse_id(values.get("neighbourhood", "")),
    )


async def create(request: Request) -> Response:
    """Post from the composer or a reply form; on a mistake the form comes back, text kept."""
    account = require_account(request)
    form = await forms.read_form_with_files(request, max_files=media.MAX_IMAGES_PER_POST)
    values = _values(form)
    draft = draft_from(values)
    try:
        post = await _write_post(request, account, draft, form)
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        if draft.in_reply_to_id is not None:
            return await render_thread(request, draft.in_reply_to_id, values, errors, 400)
        return await render_new_post(request, values, errors, status_code=400)
    return RedirectResponse(address_after_posting(post), status_code=303)


async def new_post_page(request: Request) -> Response:
    """The composer on a page of its own: on a phone the home page starts with the neighbours'
    posts, and one line there leads here."""
    return await render_new_post(request)


async def render_new_post(
    request: Request,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    """The composer, with a choice of neighbourhood for a director of others than their own."""
    account = require_account(request)
    async with services(request).database.reading() as session:
        places = await posts.places_to_post(session, account)
    context = {"values": values or {}, "errors": errors or {}, "places": places}
    return render(request, "post_new.html", context, status_code=status_code)


async def _write_post(
    request: Request, account: Account, draft: posts.Draft, form: FormData
) -> Post:
    """Store the photos, then the post; the photos go again when the post cannot be written.

    The posting limits are checked before the photos are decoded, and again (counting this
    post) in the transaction that writes it."""
    storage = services(request).storage
    is_reply = draft.in_reply_to_id is not None
    try:
        if problems := posts.draft_problems(draft):
            raise InvalidInput(problems)
        async with services(request).database.reading() as session:
            await posting_limits.check(session, account, draft.source, is_reply=is_reply)
        stored = await media.store_images(storage, await forms.uploaded_images(form))
    finally:
        await form.close()
    try:
        async with services(request).database.transaction() as session:
            await posting_limits.admit(session, account, draft.source, is_reply=is_reply)
            return await posts.create_post(session, account, draft, stored)
    except BaseException:
        await media.discard(storage, stored)
        raise


async def post_page(request: Request) -> Response:
    return await render_thread(request, path_id(request, "post_id"))


async def render_thread(
    request: Request,
    post_id: int,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    viewer = current_account(request)
    async with services(request).database.reading() as session:
        thread = await threads.thread_of(session, viewer, post_id)
        history = await posts.edit_history(session, post_id)
    context = {
        "thread": thread,
        "history": history,
        "values": values or {"visibility": thread.focus.post.visibility},
        "errors": errors or {},
        "can_reply": viewer is not None,
        "posted": just_posted(request, viewer, thread.replies),
    }
    return render(request, "post.html", context, status_code=status_code)


async def edit_page(request: Request) -> Response:
    account = require_account(request)
    async with services(request).database.reading() as session:
        post = await posts.own_post(session, account, path_id(request, "post_id"))
    values = {"source": post.source, "summary": post.summary, "kind": post.kind}
    values["language"] = post.language or ""
    return render(request, "post_edit.html", {"post": post, "values": values})


async def save_edit(request: Request) -> Response:
    account = require_account(request)
    form = await forms.read_form(request)
    values = _values(form)
    post_id = path_id(request, "post_id")
    try:
        async with services(request).database.transaction() as session:
            await posts.edit_post(session, account, post_id, draft_from(values))
    except InvalidInput as error:
        async with services(request).database.reading() as session:
            post = await posts.own_post(session, account, post_id)
        errors = translate_errors(error.errors, gettext_for(request))
        context = {"post": post, "values": values, "errors": errors}
        return render(request, "post_edit.html", context, status_code=400)
    return RedirectResponse(f"/posts/{post_id}", status_code=303)


async def delete_page(request: Request) -> Response:
    """Ask before deleting: a deleted post cannot come back."""
    account = require_account(request)
    async with services(request).database.reading() as session:
        post = await posts.get_visible(session, account, path_id(request, "post_id"))
    return render(request, "post_delete.html", {"post": post})


async def delete(request: Request) -> Response:
    account = require_account(request)
    await forms.read_form(request)
    async with services(request).database.transaction() as session:
        post = await posts.delete_post(session, account, path_id(request, "post_id"))
    if post.in_reply_to_id is not None:
        return RedirectResponse(f"/posts/{post.in_reply_to_id}", status_code=303)
    return RedirectResponse("/?deleted=1", status_code=303)


# Before federation's routes (`create_app`): its `/posts/{post_id}` would take this path.
composer_routes = [Route("/posts/new", new_post_page, methods=["GET"])]
routes = [
    Route("/posts", create, methods=["POST"]),
    Route("/posts/{post_id}", post_page, methods=["GET"]),
    Route("/posts/{post_id}/edit", edit_page, methods=["GET"]),
    Route("/posts/{post_id}/edit", save_edit, methods=["POST"]),
    Route("/posts/{post_id}/delete", delete_page, methods=["GET"]),
    Route("/posts/{post_id}/delete", delete, methods=["POST"]),
]
