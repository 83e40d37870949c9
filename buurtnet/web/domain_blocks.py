"""The admin's page of blocked servers: the list, a form to block a server or change its block,
removing one after a confirmation, and block lists in and out as Mastodon's CSV."""

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.models import BlockSeverity, DomainBlock
from buurtnet.moderation import block_lists, domain_blocks
from buurtnet.moderation.block_lists import LineProblem
from buurtnet.moderation.domain_blocks import BlockTerms
from buurtnet.web import forms
from buurtnet.web.auth import require_admin
from buurtnet.web.messages import FORM_MESSAGES, translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import NO_STORE, gettext_for, render

PAGE = "/admin/domains"
FILE_FIELD = "file"
FIELDS = (
    "domain",
    "severity",
    "reject_media",
    "reject_reports",
    "private_comment",
    "public_comment",
    "obfuscate",
)


async def blocks_page(request: Request) -> Response:
    """The list and the form; `?edit=DOMAIN` fills the form with that server's block."""
    require_admin(request)
    editing = request.query_params.get("edit", "")[:300]
    async with services(request).database.reading() as session:
        block = await domain_blocks.block_of(session, editing) if editing.strip() else None
    return await _render(request, values=_values(block) if block else None)


async def save_block(request: Request) -> Response:
    admin = require_admin(request)
    form = await forms.read_form(request)
    terms = _terms_from(form)
    try:
        async with services(request).database.transaction() as session:
            await domain_blocks.set_block(session, admin, terms)
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        return await _render(request, values=_values(terms), errors=errors, status_code=400)
    return RedirectResponse(f"{PAGE}?saved=1", status_code=303)


async def remove_page(request: Request) -> Response:
    """Ask before lifting a block: the server may federate again at once."""
    require_admin(request)
    async with services(request).database.reading() as session:
        block = await domain_blocks.block_of(session, request.path_params["domain"])
    if block is None:
        raise NotFound(request.path_params["domain"])
    return await _render(request, removing=block)


async def remove(request: Request) -> Response:
    admin = require_admin(request)
    form = await forms.read_form(request)
    reason = forms.text(form, "reason", domain_blocks.COMMENT_LENGTH)
    async with services(request).database.transaction() as session:
        domain = request.path_params["domain"]
        if not await domain_blocks.remove_block(session, admin, domain, reason):
            raise NotFound(domain)
    return RedirectResponse(f"{PAGE}?removed=1", status_code=303)


async def export(request: Request) -> Response:
    require_admin(request)
    async with services(request).database.reading() as session:
        blocks = await domain_blocks.all_blocks(session)
    headers = {**NO_STORE, "Content-Disposition": 'attachment; filename="domain_blocks.csv"'}
    return Response(block_lists.to_csv(blocks), media_type="text/csv", headers=headers)


async def import_list(request: Request) -> Response:
    """Import a block list: the good lines all at once, the others reported by their number."""
    admin = require_admin(request)
    form = await forms.read_form_with_files(request, max_files=1)
    try:
        data = await forms.uploaded_file(
            form, FILE_FIELD, max_bytes=block_lists.MAX_BYTES, too_large="block_list_too_large"
        )
        if not data:
            raise InvalidInput.single(FILE_FIELD, "block_list_missing")
        read = block_lists.read_csv(data)
        async with services(request).database.transaction() as session:
            changed = await domain_blocks.set_blocks(session, admin, read.blocks)
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        return await _render(request, import_errors=errors, status_code=400)
    report = {
        "read": len(read.blocks),
        "changed": changed,
        "problems": [_line_message(request, problem) for problem in read.problems],
    }
    return await _render(request, report=report)


def _terms_from(form: FormData) -> BlockTerms:
    return BlockTerms(
        domain=forms.text(form, "domain", 300),
        severity=forms.text(form, "severity", 20),
        reject_media=bool(forms.text(form, "reject_media", 10)),
        reject_reports=bool(forms.text(form, "reject_reports", 10)),
        private_comment=forms.text(form, "private_comment", 2000),
        public_comment=forms.text(form, "public_comment", 2000),
        obfuscate=bool(forms.text(form, "obfuscate", 10)),
    )


def _values(block: DomainBlock | BlockTerms) -> dict[str, Any]:
    """What the form shows: a stored block, or what was typed."""
    return {name: getattr(block, name) for name in FIELDS}


def _line_message(request: Request, problem: LineProblem) -> str:
    _ = gettext_for(request)
    what = _(FORM_MESSAGES.get(problem.code, problem.code))
    if problem.domain:
        return _("Line %(line)s (%(domain)s): %(problem)s") % {
            "line": problem.line,
            "domain": problem.domain,
            "problem": what,
        }
    return _("Line %(line)s: %(problem)s") % {"line": problem.line, "problem": what}


async def _render(
    request: Request,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    import_errors: dict[str, str] | None = None,
    report: dict[str, Any] | None = None,
    removing: DomainBlock | None = None,
    status_code: int = 200,
) -> Response:
    async with services(request).database.reading() as session:
        blocks = await domain_blocks.all_blocks(session)
    context = {
        "blocks": blocks,
        "severities": list(BlockSeverity),
        "values": values or {"severity": BlockSeverity.SUSPEND},
        "errors": errors or {},
        "import_errors": import_errors or {},
        "report": report,
        "removing": removing,
        "saved": request.query_params.get("saved", ""),
        "removed": request.query_params.get("removed", ""),
    }
    return render(request, "domain_blocks.html", context, status_code=status_code)


routes = [
    Route(PAGE, blocks_page, methods=["GET"]),
    Route(PAGE, save_block, methods=["POST"]),
    Route(PAGE + "/export.csv", export, methods=["GET"]),
    Route(PAGE + "/import", import_list, methods=["POST"]),
    Route(PAGE + "/{domain}/remove", remove_page, methods=["GET"]),
    Route(PAGE + "/{domain}/remove", remove, methods=["POST"]),
]
