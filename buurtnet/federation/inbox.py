"""The inboxes (a resident's, a neighbourhood's, the instance's and the shared one).

An inbox checks, stores and answers, as Takahē and Mastodon do: it checks the HTTP signature
before it reads the activity (refusing what comes from a suspended server before fetching any
key), then that the signer is the activity's actor, and hands it to `arrivals`, which records
its id and writes the `inbox.process` job that hands it to its handler, in a transaction shared
with the activities that came meanwhile. One kind is taken in at once instead, in that same
transaction: a `Create` whose post its author's own server sent embedded. It is most of what
arrives, it needs nothing from the network, and a job would double its cost. The answer is 202
once it is committed; 400, 401, 403, 413 and 429 say what was wrong, always as JSON with a
reason.
"""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from buurtnet import job_queue
from buurtnet.federation import handlers, incoming_flags
from buurtnet.federation.arrivals import PROCESS_JOB, Arrival, take_in, take_in_alone
from buurtnet.federation.as2 import parse, parse_values
from buurtnet.federation.as2.parse import ParseError
from buurtnet.federation.as2.parse_objects import OBJECT_TYPES, RemoteObject, as2_to_object
from buurtnet.federation.context import Federation, federation_of
from buurtnet.federation.fetch import FetchError, parse_object
from buurtnet.federation.flood import FloodGuard
from buurtnet.federation.verify import Refusal, signature_params, signed_request, signer_of
from buurtnet.group_commit import GroupCommit
from buurtnet.models import Account

# Batches under way at once: SQLite writes one at a time anyway, and a PostgreSQL batch mostly
# waits for answers.
WRITERS_ON_POSTGRESQL = 4


async def receive(
    federation: Federation,
    request: Request,
    guard: FloodGuard,
    arrivals: GroupCommit[Arrival, Refusal | None],
) -> None:
    """Check an incoming activity and take it in, or raise `Refusal`."""
    client = request.client.host if request.client else "unknown"
    if (wait := guard.hit(client)) is not None:
        raise Refusal(429, f"too many requests; try again in {wait} s")
    body = await request.body()
    signed = signed_request(request, body)
    params = signature_params(signed)
    try:
        document = parse_object(body)
    except FetchError as error:
        raise Refusal(400, str(error)) from error
    claimed_actor = parse_values.claimed_id(document, "actor")
    if claimed_actor is None:  # it could never be taken: no need to look for its key
        raise Refusal(400, "actor is missing")
    signer = await signer_of(federation, signed, params, claimed_actor)
    try:
        activity = parse.as2_to_activity(document)
        if activity.type == "Flag":  # one that names nothing of ours is refused, with the reason
            incoming_flags.read_flag(federation.uris, activity)
    except ParseError as error:
        raise Refusal(400, str(error)) from error
    if signer.actor_uri != activity.actor:
        raise Refusal(401, "the request is signed by someone else than the activity's actor")
    if not parse_values.same_origin(activity.id, activity.actor):
        # Else a sender could take another server's activity ids in advance, and the real
        # activities would be dropped as seen before.
        raise Refusal(400, "the activity's id is not on its actor's server")
    if activity.type == "Flag":  # signed by its server: only now may it spend that budget
        await incoming_flags.admit_flag(federation, activity)
    note = _post_needing_no_fetch(activity)
    handled = activity.type in handlers.HANDLERS
    arrival = Arrival(federation, document, activity.id, signer, note, handled)
    writers = 1 if federation.database.is_sqlite else WRITERS_ON_POSTGRESQL
    if (refusal := await arrivals.submit(arrival, writers=writers)) is not None:
        raise refusal


def _post_needing_no_fetch(activity: parse.Activity) -> RemoteObject | None:
    """The post of a `Create` that its author's own server sent embedded: the most common
    activity of all, and one that needs nothing from the network, so it is stored in the
    inbox's own transaction rather than by a job (a transaction and four statements fewer). It
    is read and stored as a job would read and store it (`incoming_posts`: a vote in a poll is
    counted there, never stored as a post); anything else goes the way of every other activity.
    A post or event that does not read as its type (an event without a start, say) is refused
    here with the reason, rather than dropped later without a word."""
    embedded = activity.embedded
    if activity.type != "Create" or embedded is None or activity.embedded_type not in OBJECT_TYPES:
        return None
    try:
        found = as2_to_object(embedded)
    except ParseError as error:
        raise Refusal(400, f"the {activity.embedded_type} cannot be read: {error}") from error
    return found if parse_values.same_origin(found.id, activity.actor) else None


def inbox_routes(guard: FloodGuard) -> list[BaseRoute]:
    """The inboxes; they all take the same activities, since addressing says who they are for."""
    # One sender's activities are committed in the order they came (a Delete after its Create).
    arrivals = GroupCommit(take_in, take_in_alone, key=lambda arrival: arrival.signer.account_id)

    async def inbox(request: Request) -> Response:
        try:
            await receive(federation_of(request), request, guard, arrivals)
        except Refusal as refusal:
            wait = refusal.retry_after or guard.window_seconds
            retry = {"Retry-After": str(wait)} if refusal.status == 429 else None
            body = {"error": refusal.reason}
            return JSONResponse(body, status_code=refusal.status, headers=retry)
        return Response(status_code=202)

    paths = ("/inbox", "/users/{username}/inbox", "/n/{slug}/inbox", "/actor/inbox")
    return [Route(path, inbox, methods=["POST"]) for path in paths]


def register(registry: job_queue.Registry, federation: Federation) -> None:
    async def run(payload: dict[str, Any]) -> None:
        await process(federation, payload)

    # One sender's activities in the order they came (a Delete after its Create).
    registry.register(PROCESS_JOB, run, ordered_by=lambda payload: payload.get("signer_id"))


async def process(federation: Federation, payload: dict[str, Any]) -> None:
    """The `inbox.process` job: hand a checked activity to its handler."""
    try:
        activity = parse.as2_to_activity(payload["activity"])
    except ParseError as error:
        raise job_queue.PermanentFailure(str(error)) from error
    async with federation.database.reading() as session:
        signer = await session.get(Account, payload["signer_id"])
    if signer is None:
        return  # the sender's account was removed meanwhile
    await handlers.handle(federation, activity, signer)
