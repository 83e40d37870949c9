"""The inboxes (a resident's, a neighbourhood's, the instance's and the shared one).

An inbox checks, stores and answers, as Takahē and Mastodon do: it reads the activity, refuses
what comes from a suspended server before fetching any key, checks the HTTP signature and that the
signer is the activity's actor, and then, in one transaction, records the activity's id (so one sent
twice is processed once) and writes the `inbox.process` job that hands it to its handler. One kind
is taken in at once instead, in that same transaction: a `Create` whose post its author's own
server sent embedded. It is most of what arrives, it needs nothing from the network, and a job
would double its cost. The answer is 202; 400, 401, 403, 413 and 429 say what was wrong, always
as JSON with a reason.
"""

import functools
import logging
from typing import Any

from sqlalchemy import Insert, bindparam, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from buurtnet import jobs
from buurtnet.core.errors import NotAllowed, NotFound
from buurtnet.core.remote_accounts import domain_of
from buurtnet.db import is_postgresql
from buurtnet.federation import handlers, incoming_posts, parse, parse_values
from buurtnet.federation.context import Federation, federation_of
from buurtnet.federation.fetch import FetchError, parse_object
from buurtnet.federation.flood import FloodGuard
from buurtnet.federation.incoming_posts import Unwelcome
from buurtnet.federation.parse import ParseError, RemoteNote
from buurtnet.federation.signatures import SignedRequest
from buurtnet.federation.verify import Refusal, look_up_sender, signature_params, signer_of
from buurtnet.models import Account, ReceivedActivity, RemoteDomain, utcnow

log = logging.getLogger(__name__)

PROCESS_JOB = "inbox.process"


def signed_request(request: Request, body: bytes) -> SignedRequest:
    """The request as it was signed: the path still percent-encoded, the query as sent."""
    scope = request.scope
    path = scope.get("raw_path") or scope["path"].encode()
    return SignedRequest(
        method=request.method,
        path=path.decode("latin-1").partition("?")[0],
        query=scope.get("query_string", b"").decode("latin-1"),
        headers=request.headers,
        body=body,
    )


async def receive(federation: Federation, request: Request, guard: FloodGuard) -> None:
    """Check an incoming activity and queue it, or raise `Refusal`."""
    client = request.client.host if request.client else "unknown"
    if (wait := guard.hit(client)) is not None:
        raise Refusal(429, f"too many requests; try again in {wait} s")
    body = await request.body()
    try:
        document = parse_object(body)
        activity = parse.as2_to_activity(document)
    except (FetchError, ParseError) as error:
        raise Refusal(400, str(error)) from error
    if not parse_values.same_origin(activity.id, activity.actor):
        # Else a sender could take another server's activity ids in advance, and the real
        # activities would be dropped as seen before.
        raise Refusal(400, "the activity's id is not on its actor's server")
    signed = signed_request(request, body)
    params = signature_params(signed)
    sender = await look_up_sender(federation, activity.actor, params.key_id)
    signer = await signer_of(federation, signed, params, sender.known)
    if signer.actor_uri != activity.actor:
        raise Refusal(401, "the request is signed by someone else than the activity's actor")
    await _queue(federation, document, activity.id, signer, sender.domain_failing)


async def _queue(
    federation: Federation,
    document: dict[str, Any],
    activity_id: str,
    signer: Account,
    domain_failing: bool,
) -> None:
    note = _post_needing_no_fetch(document, signer)
    async with federation.database.transaction() as session:
        record = _record_statement(await is_postgresql(session))
        connection = await session.connection()  # Core, not the ORM: one plain INSERT
        added = await connection.execute(record, {"uri": activity_id, "at": utcnow()})
        if not added.rowcount:
            return  # seen before: answered 202 again, processed once
        if note is not None:
            await _store_at_once(session, federation, note, signer)
        else:
            payload = {"activity": document, "signer_id": signer.id}
            await jobs.enqueue_at_once(session, PROCESS_JOB, payload)
        if domain_failing:  # the server answers, so deliveries to it may start again
            await session.exec(
                update(RemoteDomain)
                .where(col(RemoteDomain.domain) == domain_of(activity_id))
                .values(failures=0, failing_since=None, unavailable=False)
            )


def _post_needing_no_fetch(document: dict[str, Any], signer: Account) -> RemoteNote | None:
    """The post of a `Create` that its author's own server sent embedded: the most common
    activity of all, and one that needs nothing from the network, so it is stored in the
    inbox's own transaction rather than by a job (a transaction and four statements fewer).
    Anything else, or anything that does not parse, goes the way of every other activity."""
    embedded = document.get("object")
    if document.get("type") != "Create" or not isinstance(embedded, dict):
        return None
    if embedded.get("type") not in parse.NOTE_TYPES or signer.actor_uri is None:
        return None
    try:
        note = parse.as2_to_note(embedded)
    except ParseError:
        return None
    return note if parse_values.same_origin(note.id, signer.actor_uri) else None


async def _store_at_once(
    session: AsyncSession, federation: Federation, note: RemoteNote, signer: Account
) -> None:
    """As `handlers.handle_create` would: what is refused is dropped, and its id kept. In a
    savepoint, so that the same post stored meanwhile by another way (a group's share of it)
    costs only this attempt."""
    try:
        async with session.begin_nested():
            await incoming_posts.store_note_in(session, federation, note, signer)
    except (Unwelcome, NotAllowed, NotFound, IntegrityError) as error:
        log.info("dropped the post %s: %s", note.id, type(error).__name__)


@functools.cache
def _record_statement(postgresql: bool) -> Insert:
    """The activity's id, unless it is there already; built once per database."""
    insert = postgresql_insert if postgresql else sqlite_insert
    values: dict[str, Any] = {"uri": bindparam("uri"), "received_at": bindparam("at")}
    return insert(ReceivedActivity).values(values).on_conflict_do_nothing(index_elements=["uri"])


def inbox_routes(guard: FloodGuard) -> list[BaseRoute]:
    """The inboxes; they all take the same activities, since addressing says who they are for."""

    async def inbox(request: Request) -> Response:
        try:
            await receive(federation_of(request), request, guard)
        except Refusal as refusal:
            retry = {"Retry-After": str(guard.window_seconds)} if refusal.status == 429 else None
            body = {"error": refusal.reason}
            return JSONResponse(body, status_code=refusal.status, headers=retry)
        return Response(status_code=202)

    paths = ("/inbox", "/users/{username}/inbox", "/n/{slug}/inbox", "/actor/inbox")
    return [Route(path, inbox, methods=["POST"]) for path in paths]


def register(registry: jobs.Registry, federation: Federation) -> None:
    async def run(payload: dict[str, Any]) -> None:
        await process(federation, payload)

    # One sender's activities in the order they came (a Delete after its Create).
    registry.register(PROCESS_JOB, run, ordered_by=lambda payload: payload.get("signer_id"))


async def process(federation: Federation, payload: dict[str, Any]) -> None:
    """The `inbox.process` job: hand a checked activity to its handler."""
    try:
        activity = parse.as2_to_activity(payload["activity"])
    except ParseError as error:
        raise jobs.PermanentFailure(str(error)) from error
    async with federation.database.reading() as session:
        signer = await session.get(Account, payload["signer_id"])
    if signer is None:
        return  # the sender's account was removed meanwhile
    await handlers.handle(federation, activity, signer)
