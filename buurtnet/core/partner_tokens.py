"""Partners' read-only tokens for the liveability figures (docs/liveability.md, "Partners").

An admin issues a token for a partner (gemeente, politie, buurthuis) and some neighbourhoods; the
token is shown once, and the table keeps only its SHA-256, so a copy of the database holds no
working token. A token is found by its hash: no secret is compared byte by byte, so the time an
answer takes tells nothing about a token. Revoking keeps the row, for the list and the audit log.
"""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import ratelimit
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound, TooMany
from buurtnet.core.local_times import utc
from buurtnet.core.permissions import Roles, is_admin
from buurtnet.core.text import clean_text
from buurtnet.models import (
    Account,
    ActionKind,
    Neighbourhood,
    PartnerToken,
    PartnerTokenNeighbourhood,
    utcnow,
)
from buurtnet.moderation import audit

TOKEN_BYTES = 32  # 256 bits: not to be guessed
PARTNER_LENGTH = 100  # PartnerToken.partner
MAX_TOKEN_LENGTH = 200  # what a header may hand `verify`; an issued token has 43 characters
USE_NOTED_EVERY = timedelta(minutes=1)  # `last_used_at`: not a write on every request
# The API's budgets: a partner fetches a few neighbourhoods now and then, never thousands.
REQUESTS_PER_TOKEN = 120
REQUESTS_PER_ADDRESS = 300
API_WINDOW = timedelta(hours=1)
API_BUDGET = "metrics requests"  # `TooMany.what`


@dataclass(frozen=True)
class Listed:
    """A token as the admin's list shows it: never the token itself, which nobody has."""

    token: PartnerToken
    neighbourhoods: tuple[Neighbourhood, ...]


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


async def issue(
    session: AsyncSession, roles: Roles, partner: str, neighbourhood_ids: Iterable[int]
) -> tuple[PartnerToken, str]:
    """A new token for the partner, limited to these neighbourhoods: the row and the token,
    which is shown once and kept nowhere. Admins only; logged."""
    if not is_admin(roles):
        raise NotAllowed("only admins issue partner tokens")
    name = clean_text(partner, PARTNER_LENGTH + 1).replace("\n", " ")
    wanted = sorted(set(neighbourhood_ids))
    errors = {}
    if not name:
        errors["partner"] = "partner_name_missing"
    elif len(name) > PARTNER_LENGTH:
        errors["partner"] = "partner_name_too_long"
    places = await _neighbourhoods(session, wanted)
    if not wanted:
        errors["neighbourhoods"] = "partner_neighbourhoods_missing"
    elif len(places) != len(wanted):
        errors["neighbourhoods"] = "partner_neighbourhood_unknown"
    if errors:
        raise InvalidInput(errors)
    plain = secrets.token_urlsafe(TOKEN_BYTES)
    token = PartnerToken(partner=name, token_hash=hash_token(plain), issued_by_id=roles.account_id)
    session.add(token)
    await session.flush()
    assert token.id is not None
    session.add_all(
        PartnerTokenNeighbourhood(token_id=token.id, neighbourhood_id=place_id)
        for place_id in wanted
    )
    where = ", ".join(place.name for place in places)
    reason = f"partner token {token.id} issued to {name!r} for {where}"
    await audit.record(
        session, ActionKind.CHANGE_SETTING, await _actor(session, roles), reason=reason
    )
    await session.flush()
    return token, plain


async def all_tokens(session: AsyncSession, roles: Roles) -> list[Listed]:
    """Every token, the newest first, with its neighbourhoods. Admins only."""
    if not is_admin(roles):
        raise NotAllowed("only admins see partner tokens")
    tokens = (await session.exec(select(PartnerToken).order_by(col(PartnerToken.id).desc()))).all()
    grants = await session.exec(
        select(PartnerTokenNeighbourhood.token_id, Neighbourhood)
        .join(Neighbourhood, col(Neighbourhood.id) == PartnerTokenNeighbourhood.neighbourhood_id)
        .order_by(col(Neighbourhood.name))
    )
    places: dict[int, list[Neighbourhood]] = {}
    for token_id, place in grants.all():
        places.setdefault(token_id, []).append(place)
    return [Listed(token, tuple(places.get(token.id or 0, ()))) for token in tokens]


async def revoke(session: AsyncSession, roles: Roles, token_id: int) -> bool:
    """Stop a token from working, at once; False when it was revoked already. Admins only;
    logged."""
    if not is_admin(roles):
        raise NotAllowed("only admins revoke partner tokens")
    locked = select(PartnerToken).where(col(PartnerToken.id) == token_id).with_for_update()
    token = (await session.exec(locked)).first()
    if token is None:
        raise NotFound("no such partner token")
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    session.add(token)
    reason = f"partner token {token.id} of {token.partner!r} revoked"
    await audit.record(
        session, ActionKind.CHANGE_SETTING, await _actor(session, roles), reason=reason
    )
    await session.flush()
    return True


async def verify(session: AsyncSession, plain: str) -> PartnerToken | None:
    """The token that `plain` is, if it exists and is not revoked; None otherwise. Notes when it
    was used, at most once a minute (so call it in a write transaction)."""
    if not plain or len(plain) > MAX_TOKEN_LENGTH:
        return None
    query = select(PartnerToken).where(col(PartnerToken.token_hash) == hash_token(plain))
    token = (await session.exec(query)).first()
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or utc(token.last_used_at) <= now - USE_NOTED_EVERY:
        token.last_used_at = now
        session.add(token)
        await session.flush()
    return token


async def granted(session: AsyncSession, token: PartnerToken) -> frozenset[int]:
    """The ids of the neighbourhoods the token may read."""
    query = select(PartnerTokenNeighbourhood.neighbourhood_id).where(
        col(PartnerTokenNeighbourhood.token_id) == token.id
    )
    return frozenset((await session.exec(query)).all())


def api_budgets(address: str, token: PartnerToken | None) -> list[ratelimit.Budget]:
    """What one request to the API spends: from its address, and from its token when it has
    one, so that a script with a wrong token and a partner's runaway loop both stop."""
    by_address = ratelimit.rate_key(API_BUDGET, address)
    budgets = [ratelimit.Budget(by_address, REQUESTS_PER_ADDRESS, API_WINDOW)]
    if token is not None:
        by_token = ratelimit.rate_key(API_BUDGET, "token", str(token.id))
        budgets.append(ratelimit.Budget(by_token, REQUESTS_PER_TOKEN, API_WINDOW))
    return budgets


async def spend_api_budget(session: AsyncSession, address: str, token: PartnerToken | None) -> None:
    """Count one request to the API; `TooMany` (counting nothing) when a budget is used up."""
    budgets = api_budgets(address, token)
    if await ratelimit.spend(session, budgets):
        return
    waits = [
        await ratelimit.seconds_until_room(session, budget)
        for budget in budgets
        if await ratelimit.any_spent(session, [budget])
    ]
    raise TooMany(API_BUDGET, max(waits, default=1))


async def _neighbourhoods(session: AsyncSession, ids: list[int]) -> list[Neighbourhood]:
    if not ids:
        return []
    query = select(Neighbourhood).where(col(Neighbourhood.id).in_(ids))
    return list((await session.exec(query.order_by(col(Neighbourhood.name)))).all())


async def _actor(session: AsyncSession, roles: Roles) -> Account | None:
    """Who the audit log names: the admin, or nobody for the command line."""
    return None if roles.account_id is None else await session.get(Account, roles.account_id)
