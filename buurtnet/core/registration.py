"""Signing up in the mode the admin chose: by invite code, with approval, or not at all.

Every attempt counts against the client's address, whatever its outcome, because the form tells
whether a username or e-mail address is taken. In invite mode it only says so once the invite
code is valid, so without a code nobody can probe for addresses. A taken username must be named,
or people cannot choose another; naming a taken e-mail address too is the trade-off we accept for
a clear form, for people who hold a code (or, in approval mode, within the limit per address).
"""

from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import accounts, invites, neighbourhoods, passwords, ratelimit, site, welcome
from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.models import Account, AccountStatus, RegistrationMode, utcnow

SIGN_UP_ATTEMPTS_PER_ADDRESS = 10  # failed attempts count too, so leave room for typing errors
SIGN_UP_WINDOW = timedelta(hours=1)
RULES_NOT_ACCEPTED = "rules_not_accepted"


class RegistrationClosed(Exception):
    """The instance takes no new accounts."""


class TooManySignUps(Exception):
    """Too many sign-ups were tried from this address recently."""


@dataclass(frozen=True)
class SignUp:
    username: str
    email: str
    password: str
    password_again: str
    display_name: str = ""
    invite_code: str = ""
    neighbourhood_slug: str = ""  # only in approval mode: the person picks their neighbourhood
    rules_accepted: bool = False  # the house rules: an account is made only when they are


@dataclass(frozen=True)
class SignUpOutcome:
    """The new account, or the problems as form field -> message code.

    Returned rather than raised, so the transaction commits the counted attempt either way.
    """

    account: Account | None = None
    errors: dict[str, str] = field(default_factory=dict)


def address_budget(client_address: str) -> ratelimit.Budget:
    """Sign-up attempts from one address."""
    key = ratelimit.rate_key("sign-up", client_address)
    return ratelimit.Budget(key, SIGN_UP_ATTEMPTS_PER_ADDRESS, SIGN_UP_WINDOW)


async def prepare_sign_up(session: AsyncSession, sign_up: SignUp, *, client_address: str) -> str:
    """The slow part, for a read session before the write: the password's hash.

    Raises early when sign-up is closed or the address is over its limit, and returns "" for a
    sign-up that `register` will refuse anyway (its password, or the house rules not accepted),
    so neither costs argon2 time.
    """
    await _refuse_when_closed(session)
    if await ratelimit.any_spent(session, [address_budget(client_address)]):
        raise TooManySignUps
    if _password_errors(sign_up) or not sign_up.rules_accepted:
        return ""
    return await passwords.hash_password(sign_up.password)


async def register(
    session: AsyncSession, sign_up: SignUp, *, password_hash: str, client_address: str
) -> SignUpOutcome:
    """Count the attempt, then create the account: active with a valid invite code, pending in
    approval mode; either only with the house rules accepted (and when, kept). `password_hash`
    comes from `prepare_sign_up`."""
    mode = await _refuse_when_closed(session)
    if not await ratelimit.spend(session, [address_budget(client_address)]):
        raise TooManySignUps
    new = accounts.NewAccount(
        username=sign_up.username,
        email=sign_up.email,
        password=sign_up.password,
        display_name=sign_up.display_name,
        status=AccountStatus.ACTIVE if mode == RegistrationMode.INVITE else AccountStatus.PENDING,
    )
    errors = accounts.detail_problems(new) | _password_errors(sign_up)
    if not sign_up.rules_accepted:
        errors["accept_rules"] = RULES_NOT_ACCEPTED
    if mode == RegistrationMode.INVITE:
        try:
            invite = await invites.usable_invite(session, sign_up.invite_code)
        except InvalidInput as error:  # nothing about taken names without a valid code
            return SignUpOutcome(errors=errors | error.errors)
        new = replace(new, neighbourhood_id=invite.neighbourhood_id)
    else:
        try:
            chosen = await neighbourhoods.get_by_slug(session, sign_up.neighbourhood_slug)
        except NotFound:
            errors["neighbourhood"] = "neighbourhood_missing"
        else:
            new = replace(new, neighbourhood_id=chosen.id)
    if errors := await accounts.taken_problems(session, new) | errors:
        return SignUpOutcome(errors=errors)
    invite_code = sign_up.invite_code if mode == RegistrationMode.INVITE else None
    return await _create(session, new, password_hash, invite_code=invite_code)


async def _create(
    session: AsyncSession, new: accounts.NewAccount, password_hash: str, *, invite_code: str | None
) -> SignUpOutcome:
    """Claim the invite (when there is one) and add the account, or neither."""
    assert password_hash, "register() found no problem with a password prepare_sign_up refused"
    try:
        async with session.begin_nested():
            if invite_code is not None:
                await invites.use_invite(session, invite_code)
            account = await accounts.add_account(session, new, password_hash)
            account.rules_accepted_at = utcnow()
    except InvalidInput as error:  # the last use of the code, or the name, went to someone else
        return SignUpOutcome(errors=error.errors)
    await welcome.announce_newcomer(session, account)  # active at once with an invite code
    return SignUpOutcome(account=account)


async def _refuse_when_closed(session: AsyncSession) -> RegistrationMode:
    mode = await site.registration_mode(session)
    if mode == RegistrationMode.CLOSED:
        raise RegistrationClosed
    return mode


def _password_errors(sign_up: SignUp) -> dict[str, str]:
    problem = passwords.password_problem(
        sign_up.password, username=sign_up.username, email=sign_up.email
    )
    if problem:
        return {"password": problem}
    if sign_up.password != sign_up.password_again:
        return {"password_again": "password_mismatch"}
    return {}
