"""Who signed an incoming request: the check returns the signer or a refusal; the route answers.

A key that verified lately is checked from memory (`known_keys`); else the key comes from the
accounts we know (by key id), else it is fetched. When a known key fails, the sender may have
rotated it: the actor is fetched once more and the check repeated, but no more than once a
minute per actor, so that a sender cannot make us fetch in a loop (GoToSocial once made hundreds
of key fetches a minute for one reply).
"""

from datetime import timedelta
from functools import lru_cache

from sqlalchemy import bindparam
from sqlmodel import col, select
from starlette.requests import Request

from buurtnet.core import remote_accounts
from buurtnet.core.remote_accounts import domain_is_suspended, domain_of
from buurtnet.federation import signatures
from buurtnet.federation.context import Federation
from buurtnet.federation.known_keys import KnownKey
from buurtnet.federation.remote_actors import ActorUnavailable, actor_by_key_id, fetch_actor
from buurtnet.federation.signatures import SignatureParams, SignedRequest, Verdict
from buurtnet.models import Account, utcnow

REFETCH_COOL_DOWN = timedelta(minutes=1)
# Built once: every activity from a sender not met lately runs it.
_KEY_HOLDER = select(Account).where(col(Account.key_id) == bindparam("key_id"))


class Refusal(Exception):
    """Why a request is not taken: the status to answer and a reason the sender may read."""

    def __init__(self, status: int, reason: str, retry_after: int | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after  # seconds, for a 429 that knows when there is room


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


@lru_cache(maxsize=4096)
def public_key(pem: str) -> signatures.PublicKey:
    """Parsed keys, kept: parsing costs about as much as the check itself."""
    return signatures.load_public_key(pem)


def signature_params(request: SignedRequest) -> SignatureParams:
    """The request's signature, once everything that needs no key checks out (algorithm, signed
    headers, Date, Digest): a stale, replayed or tampered request is refused before its key is
    looked up, let alone fetched."""
    try:
        params = signatures.parse_signature(request.headers)
    except signatures.MissingSignature as error:
        raise Refusal(401, "a draft-cavage HTTP signature is required") from error
    except signatures.MalformedSignature as error:
        raise Refusal(400, f"malformed signature: {error}") from error
    verdict = signatures.check_without_key(request, params, utcnow())
    if verdict is not Verdict.OK:
        raise Refusal(401, f"signature refused: {verdict.value}")
    return params


async def signer_of(
    federation: Federation, request: SignedRequest, params: SignatureParams, actor_id: str
) -> KnownKey:
    """The key that signed the request (whose other checks `signature_params` made), and whose it
    is; or `Refusal`. A key verified before is checked from memory, and forgotten only when the
    signature fails with it; else the key is read from the accounts we know, or fetched.
    `actor_id` is the actor the request claims: its server's suspension is checked before any
    fetch, as the key's is."""
    kept = federation.known_keys.get(params.key_id)
    if kept is not None:
        if _check(request, params, kept.key_id, kept.public_key_pem) is Verdict.OK:
            return kept
        federation.known_keys.forget(params.key_id)
    known = await look_up_sender(federation, actor_id, params.key_id)
    key = KnownKey.of(await _verified_signer(federation, request, params, known))
    federation.known_keys.keep(key)
    return key


async def fetcher_of(federation: Federation, request: Request) -> Account | None:
    """Who fetches a document: the account elsewhere that signed the GET (a server in secure
    mode signs as the person who asked), or None for a fetch without a signature. A signature
    that is there but does not check out is a `Refusal`, as in the inbox."""
    if "signature" not in request.headers:
        return None
    signed = signed_request(request, b"")
    params = signature_params(signed)
    # A GET claims no actor: the key's own server is the one whose suspension counts.
    signer = await signer_of(federation, signed, params, params.key_id)
    async with federation.database.reading() as session:
        account = await session.get(Account, signer.account_id)
    if account is None or not signer.held_by(account):
        raise Refusal(401, "signature refused: the key is no longer the signer's; try again")
    return account


async def look_up_sender(federation: Federation, actor_id: str, key_id: str) -> Account | None:
    """The holder of the key, if we know it. A suspended server (the actor's or the key's) is
    refused here, before any key is fetched."""
    async with federation.database.reading() as session:
        if await domain_is_suspended(session, domain_of(actor_id), domain_of(key_id)):
            raise Refusal(403, "this server does not federate with yours")
        return (await session.exec(_KEY_HOLDER, params={"key_id": key_id})).first()


async def _verified_signer(
    federation: Federation, request: SignedRequest, params: SignatureParams, known: Account | None
) -> Account:
    """The remote account whose key signed the request, or `Refusal(401)`."""
    try:
        account = known or await actor_by_key_id(federation, params.key_id)
    except ActorUnavailable as error:
        raise Refusal(401, f"the signing key could not be fetched: {error}") from error
    verdict = _check_account(request, params, account)
    if verdict is Verdict.BAD_SIGNATURE and known is not None and _may_refetch(known):
        account = await _refetched(federation, known)
        verdict = _check_account(request, params, account)
    if verdict is not Verdict.OK:
        raise Refusal(401, f"signature refused: {verdict.value}")
    return account


def _check_account(request: SignedRequest, params: SignatureParams, account: Account) -> Verdict:
    if account.public_key_pem is None or account.key_id is None:
        return Verdict.BAD_SIGNATURE
    return _check(request, params, account.key_id, account.public_key_pem)


def _check(request: SignedRequest, params: SignatureParams, key_id: str, pem: str) -> Verdict:
    if key_id != params.key_id:
        return Verdict.BAD_SIGNATURE
    try:
        key = public_key(pem)
    except signatures.InvalidKey:
        return Verdict.BAD_SIGNATURE
    return signatures.check_with_key(request, params, key)


def _may_refetch(account: Account) -> bool:
    return account.fetched_at is None or utcnow() - account.fetched_at > REFETCH_COOL_DOWN


async def _refetched(federation: Federation, account: Account) -> Account:
    """The actor fetched again; when that fails, the attempt still counts for the cool-down,
    or a sender could make us wait on a server that is down with every forged request."""
    assert account.actor_uri is not None
    try:
        return await fetch_actor(federation, account.actor_uri)
    except ActorUnavailable:
        async with federation.database.transaction() as session:
            await remote_accounts.fetch_attempted(session, account)
        return account
