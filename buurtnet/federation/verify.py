"""Who signed an incoming request: the check returns the signer or a refusal; the route answers.

The key comes from the accounts we know (by key id), else it is fetched. When a known key fails,
the sender may have rotated it: the actor is fetched once more and the check repeated, but no more
than once a minute per actor, so that a sender cannot make us fetch in a loop (GoToSocial once
made hundreds of key fetches a minute for one reply).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, update
from sqlmodel import col, select

from buurtnet.core.remote_accounts import domain_of, suspension_names
from buurtnet.federation import signatures
from buurtnet.federation.context import Federation
from buurtnet.federation.remote_actors import ActorUnavailable, actor_by_key_id, fetch_actor
from buurtnet.federation.signatures import SignatureParams, SignedRequest, Verdict
from buurtnet.models import Account, RemoteDomain, utcnow

REFETCH_COOL_DOWN = timedelta(minutes=1)
# Built once: every incoming activity runs both.
_DOMAINS = select(RemoteDomain).where(
    col(RemoteDomain.domain).in_(bindparam("domains", expanding=True))
)
_KEY_HOLDER = select(Account).where(col(Account.key_id) == bindparam("key_id"))


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


@dataclass(frozen=True)
class Sender:
    """What we already know of a request's sender, read before anything is fetched."""

    known: Account | None  # the holder of the signing key, if we have it
    domain_failing: bool  # deliveries to the sender's server have failed lately


async def look_up_sender(federation: Federation, actor_id: str, key_id: str) -> Sender:
    """One read for every check that needs no network: a suspended server (the actor's or the
    key's) is refused here, before any key is fetched."""
    actor_domain = domain_of(actor_id)
    names = {*suspension_names(actor_domain), *suspension_names(domain_of(key_id))}
    async with federation.database.reading() as session:
        records = list((await session.exec(_DOMAINS, params={"domains": sorted(names)})).all())
        if any(record.suspended for record in records):
            raise Refusal(403, "this server does not federate with yours")
        known = (await session.exec(_KEY_HOLDER, params={"key_id": key_id})).first()
    failing = any(record.failures > 0 for record in records if record.domain == actor_domain)
    return Sender(known, failing)


async def signer_of(
    federation: Federation, request: SignedRequest, params: SignatureParams, known: Account | None
) -> Account:
    """The remote account whose key signed the request, or `Refusal(401)`."""
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
    """The actor fetched again; when that fails, the attempt still counts for the cool-down,
    or a sender could make us wait on a server that is down with every forged request."""
    assert account.actor_uri is not None
    try:
        return await fetch_actor(federation, account.actor_uri)
    except ActorUnavailable:
        async with federation.database.transaction() as session:
            await session.exec(
                update(Account).where(col(Account.id) == account.id).values(fetched_at=utcnow())
            )
        return account
