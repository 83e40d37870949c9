"""Signing up in the mode the admin chose: by invite code, with approval, or not at all."""

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import accounts, invites, neighbourhoods, ratelimit, site
from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.models import Account, AccountStatus, RegistrationMode

SIGN_UPS_PER_ADDRESS = 5
SIGN_UP_WINDOW = timedelta(hours=1)


class RegistrationClosed(Exception):
    """The instance takes no new accounts."""


class TooManySignUps(Exception):
    """Too many accounts were made from this address recently."""


@dataclass(frozen=True)
class SignUp:
    username: str
    email: str
    password: str
    password_again: str
    display_name: str = ""
    invite_code: str = ""
    neighbourhood_slug: str = ""  # only in approval mode: the person picks their neighbourhood


async def register(session: AsyncSession, sign_up: SignUp, *, client_address: str) -> Account:
    """Create the account: active with a valid invite code, pending in approval mode."""
    mode = await site.registration_mode(session)
    if mode == RegistrationMode.CLOSED:
        raise RegistrationClosed
    address_key = ratelimit.rate_key("sign-up", client_address)
    if await ratelimit.is_limited(
        session, address_key, limit=SIGN_UPS_PER_ADDRESS, window=SIGN_UP_WINDOW
    ):
        raise TooManySignUps
    new = accounts.NewAccount(
        username=sign_up.username,
        email=sign_up.email,
        password=sign_up.password,
        display_name=sign_up.display_name,
        status=AccountStatus.ACTIVE if mode == RegistrationMode.INVITE else AccountStatus.PENDING,
    )
    errors = await accounts.account_problems(session, new)
    if "password" not in errors and sign_up.password != sign_up.password_again:
        errors["password_again"] = "password_mismatch"
    if mode == RegistrationMode.APPROVAL:
        try:
            chosen = await neighbourhoods.get_by_slug(session, sign_up.neighbourhood_slug)
        except NotFound:
            errors["neighbourhood"] = "neighbourhood_missing"
        else:
            new = replace(new, neighbourhood_id=chosen.id)
    if errors:
        raise InvalidInput(errors)
    if mode == RegistrationMode.INVITE:
        invite = await invites.use_invite(session, sign_up.invite_code)
        new = replace(new, neighbourhood_id=invite.neighbourhood_id)
    account = await accounts.create_account(session, new)
    await ratelimit.record_hit(session, address_key)
    return account
