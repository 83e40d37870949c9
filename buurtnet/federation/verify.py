"""Who signed an incoming request: the check returns the signer or a refusal; the route answers.

The key comes from the accounts we know (by key id), else it is fetched. When a known key fails,
the sender may have rotated it: the actor is fetched once more and the check repeated, but no more
than once a minute per actor, so that a sender cannot make us fetch in a loop (GoToSocial once
made hundreds of key fetches a minute for one reply).
"""

from datetime import datetime, timedelta
from functools import lru_cache

from buurtnet.core import remote_accounts
from buurtnet.federation import signatures
from buurtnet.federation.context import Federation
from buurtnet.federation.remote_actors import (
    ActorUnavailable,
    actor_by_key_id,
    domain_of,
    fetch_actor,
)
from buurtnet.federation.signatures import SignatureParams, SignedRequest, Verdict
from buurtnet.models import Account, utcnow

REFETCH_COOL_DOWN = timedelta(minutes=1)


class Refusal(Exception):
    """Why a request is not taken: the status to answer and a reason the sender may read."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@lru_cache(maxsize=4096)
def public_key(pem: str) -> signatures.PublicKey:
    """Parsed keys, kept: parsing costs about as much as the check itself."""
    return signatures.load_public_key(pem)


def signature_params(request: SignedRequest) -> SignatureParams:
    try:
        return signatures.parse_signature(request.headers)
    except signatures.MissingSignature as error:
        raise Refusal(401, "a draft-cavage HTTP signature is required") from error
    except signatures.MalformedSignature as error:
        raise Refusal(400, f"malformed signature: {error}") from error


async def refuse_suspended(federation: Federation, url: str) -> None:
    """Before any key fetch: nothing from a suspended server is even looked at."""
    async with federation.database.reading() as session:
        if await remote_accounts.domain_is_suspended(session, domain_of(url)):
            raise Refusal(403, "this server does not federate with yours")


async def signer_of(
    federation: Federation, request: SignedRequest, params: SignatureParams
) -> Account:
    """The remote account whose key signed the request, or `Refusal(401)`."""
    async with federation.database.reading() as session:
        known = await remote_accounts.by_key_id(session, params.key_id)
    try:
        account = known or await actor_by_key_id(federation, params.key_id)
    except ActorUnavailable as error:
        raise Refusal(401, f"the signing key could not be fetched: {error}") from error
    verdict = _check(request, params, account, utcnow())
    if verdict is Verdict.BAD_SIGNATURE and known is not None and _may_refetch(known):
        account = await _refetched(federation, known)
        verdict = _check(request, params, account, utcnow())
    if verdict is not Verdict.OK:
        raise Refusal(401, f"signature refused: {verdict.value}")
    return account


def _check(
    request: SignedRequest, params: SignatureParams, account: Account, now: datetime
) -> Verdict:
    if account.public_key_pem is None or account.key_id != params.key_id:
        return Verdict.BAD_SIGNATURE
    try:
        key = public_key(account.public_key_pem)
    except signatures.InvalidKey:
        return Verdict.BAD_SIGNATURE
    return signatures.verify(request, params, key, now)


def _may_refetch(account: Account) -> bool:
    return account.fetched_at is None or utcnow() - account.fetched_at > REFETCH_COOL_DOWN


async def _refetched(federation: Federation, account: Account) -> Account:
    assert account.actor_uri is not None
    try:
        return await fetch_actor(federation, account.actor_uri)
    except ActorUnavailable:
        return account
