"""A new password by a link sent to the account's address ("wachtwoord vergeten?").

The request form answers the same whether or not the name or address belongs to an account, and
does the same database work either way: it looks the account up, counts the request against the
client's address (a limit it does tell about, with a 429) and against the account, or against
the name as typed when there is none (a limit it keeps quiet about: telling would say the account
exists). Only then, for an account, is a link stored and its mail queued; what remains of the
difference is an insert or two, within the same limit per address as sign-up's form, which
names a taken address outright.

Who gets a link: a local account that is active, waits for approval, or is suspended. The new
password does not get a suspended resident around the suspension: only an active account is
logged in by the reset, and logging in still refuses the others (a suspended resident then reads
the decision and can appeal, which needs the password). A deleted or refused account gets nothing.

Using the link sets the password, confirms the address (the mail reached it), ends every login of
the account, and voids its other reset links and any change of address that waits for its link:
whoever borrowed a session to ask for a new address loses it too.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import login, login_sessions, mail_tokens, passwords, ratelimit
from buurtnet.core.errors import NotFound, TooMany
from buurtnet.models import Account, MailTokenPurpose, utcnow

RESET_LIFETIME = timedelta(hours=1)
REQUEST_WINDOW = timedelta(hours=1)
REQUESTS_PER_ADDRESS = 10  # as many as sign-up attempts
REQUESTS_PER_ACCOUNT = 3  # mails a person can be sent without asking, an hour


@dataclass(frozen=True)
class ResetLink:
    """A link to put in a mail to the account's address."""

    account: Account
    token: str


@dataclass(frozen=True)
class NewPassword:
    """What the read-only half of a reset found, for the short write that follows: the link's
    account and the new password's hash, or the problems as form field -> message code."""

    token: str
    account: Account
    problems: dict[str, str] = field(default_factory=dict)
    new_hash: str = ""


async def request_reset(
    session: AsyncSession, login_name: str, *, client_address: str
) -> ResetLink | None:
    """A link for the account with this username or address, if there is one that may have it
    and it was not sent too many lately; `TooMany` when the client's address asked too often."""
    account = await login.find_by_login_name(session, login_name)
    target = str(account.id) if account is not None else login_name.strip().lower()
    from_address = _budget("reset-address", client_address, REQUESTS_PER_ADDRESS)
    for_target = _budget("reset-target", target, REQUESTS_PER_ACCOUNT)
    await ratelimit.lock(session, [from_address, for_target])
    if await ratelimit.any_spent(session, [from_address]):
        raise TooMany("password_resets", await ratelimit.seconds_until_room(session, from_address))
    ratelimit.record_hit(session, from_address.key)
    if await ratelimit.any_spent(session, [for_target]):
        return None
    ratelimit.record_hit(session, for_target.key)
    if account is None or not mail_tokens.may_use_links(account):
        return None
    return await link_for(session, account)


async def link_for(session: AsyncSession, account: Account) -> ResetLink:
    """A new reset link for the account's address (earlier ones keep working until used)."""
    assert account.id is not None and account.email and mail_tokens.may_use_links(account)
    token = await mail_tokens.issue(
        session, account.id, MailTokenPurpose.RESET, account.email, RESET_LIFETIME
    )
    return ResetLink(account, token)


async def usable_link(session: AsyncSession, token: str) -> Account:
    """The account whose unused reset link this is, for the form; `NotFound` when there is
    none (unknown, used, expired, another kind of link, or an account that may not reset)."""
    link = await mail_tokens.find_usable(session, token, MailTokenPurpose.RESET)
    account = None if link is None else await session.get(Account, link.account_id)
    if account is None or not mail_tokens.may_use_links(account):
        raise NotFound
    if link is None or link.email != account.email:
        raise NotFound
    return account


async def prepare(
    session: AsyncSession, token: str, password: str, password_again: str
) -> NewPassword:
    """The slow half, for a read session: check the link and the password (by the rules of
    every password form), and hash it; a password with problems costs no argon2 time."""
    account = await usable_link(session, token)
    email = account.email or ""
    if problem := passwords.password_problem(password, username=account.username, email=email):
        return NewPassword(token, account, {"password": problem})
    if password != password_again:
        return NewPassword(token, account, {"password_again": "password_mismatch"})
    return NewPassword(token, account, new_hash=await passwords.hash_password(password))


async def reset(session: AsyncSession, prepared: NewPassword) -> Account:
    """Use the link and set the password: the address is confirmed, every login ends and the
    account's other links stop working. `NotFound` when the link was used meanwhile."""
    assert prepared.new_hash and not prepared.problems
    link = await mail_tokens.redeem(session, prepared.token, MailTokenPurpose.RESET)
    account = await session.get(Account, prepared.account.id, with_for_update=True)
    if link is None or account is None or not mail_tokens.may_use_links(account):
        raise NotFound
    if link.account_id != account.id or link.email != account.email:  # the address changed
        raise NotFound
    account.password_hash = prepared.new_hash
    if account.email_confirmed_at is None:
        account.email_confirmed_at = utcnow()
    await login_sessions.end_all_sessions(session, account.id)
    await mail_tokens.void(session, account.id, MailTokenPurpose.RESET, MailTokenPurpose.CONFIRM)
    return account


def _budget(purpose: str, subject: str, limit: int) -> ratelimit.Budget:
    return ratelimit.Budget(ratelimit.rate_key(purpose, subject), limit, REQUEST_WINDOW)
