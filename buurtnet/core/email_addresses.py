"""An account's e-mail address, confirmed by a link sent to it: at sign-up and when it changes.

Mail other than a confirmation or a password reset goes only to a confirmed address. A new
address takes the old one's place only when its link is used, so a typo or a borrowed session
cannot send the account's mail (and its password resets) elsewhere; the old address is told at
once. Only the newest confirmation link of an account works: each new one voids the earlier ones,
a change that waits included. The link confirms on a button (a POST), not on opening: mail
scanners open links by themselves.

The change form asks for the current password (`password_checks`) and tells whether an address
is taken, as sign-up does; its attempts are counted per account, whatever their outcome.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import mail_tokens, names, password_checks, ratelimit
from buurtnet.core.accounts import TOO_MANY_GUESSES
from buurtnet.core.errors import InvalidInput, NotFound, TooMany
from buurtnet.models import Account, MailTokenPurpose, utcnow

CONFIRM_LIFETIME = timedelta(days=7)
RESENDS_PER_ACCOUNT = 3
CHANGES_PER_ACCOUNT = 5  # attempts, as each can tell whether an address is taken
MAIL_WINDOW = timedelta(hours=1)
PASSWORD_PROBLEMS = {
    password_checks.Verdict.WRONG: "password_current_wrong",
    password_checks.Verdict.TOO_MANY: TOO_MANY_GUESSES,
}


@dataclass(frozen=True)
class Confirmation:
    """A link to put in a mail to `email`: the account's address, or the one it changes to."""

    account: Account
    email: str
    token: str

    @property
    def is_change(self) -> bool:
        return self.email != self.account.email


@dataclass(frozen=True)
class ChangeOutcome:
    """The link for the new address, or the problems as form field -> message code; a value,
    so the transaction commits the counted attempt either way."""

    confirmation: Confirmation | None = None
    old_email_confirmed: bool = False  # only then is the old address told
    errors: dict[str, str] = field(default_factory=dict)


async def start_confirmation(
    session: AsyncSession, account: Account, email: str | None = None
) -> Confirmation:
    """A link that confirms the account's address (or `email`, a new one); earlier links stop."""
    assert account.id is not None
    await mail_tokens.void(session, account.id, MailTokenPurpose.CONFIRM)
    address = email or account.email
    assert address, "a local account has an address"
    token = await mail_tokens.issue(
        session, account.id, MailTokenPurpose.CONFIRM, address, CONFIRM_LIFETIME
    )
    return Confirmation(account, address, token)


async def confirm_again(session: AsyncSession, account: Account) -> Confirmation | None:
    """A new link for an address not yet confirmed (None when it is); `TooMany` after a few."""
    assert account.id is not None
    stored = await session.get(Account, account.id)
    assert stored is not None
    if stored.email_confirmed_at is not None:
        return None
    budget = _budget("confirm-again", stored, RESENDS_PER_ACCOUNT)
    if not await ratelimit.spend(session, [budget]):
        raise TooMany("confirmations", await ratelimit.seconds_until_room(session, budget))
    return await start_confirmation(session, stored)


async def request_change(
    session: AsyncSession, checked: password_checks.PasswordCheck, new_email: str
) -> ChangeOutcome:
    """The short write after `password_checks.check`: count the attempt and the password, then
    send a link to the new address (`TooMany` when the account tried too often lately)."""
    stored = await session.get(Account, checked.account_id)
    assert stored is not None
    budget = _budget("change-address", stored, CHANGES_PER_ACCOUNT)
    if not await ratelimit.spend(session, [budget]):
        raise TooMany("address_changes", await ratelimit.seconds_until_room(session, budget))
    verdict = await password_checks.settle(session, checked)
    if verdict != password_checks.Verdict.RIGHT:
        return ChangeOutcome(errors={"current_password": PASSWORD_PROBLEMS[verdict]})
    email = names.normalise_email(new_email)
    if problem := await _new_address_problem(session, stored, email):
        return ChangeOutcome(errors={"email": problem})
    confirmation = await start_confirmation(session, stored, email)
    return ChangeOutcome(confirmation, old_email_confirmed=stored.email_confirmed_at is not None)


async def confirm(session: AsyncSession, token: str) -> Account:
    """Use a confirmation link: the address it was sent to is the account's, and confirmed.

    `NotFound` for a link that is unknown, used, expired or replaced; `InvalidInput` when its
    new address went to another account meanwhile."""
    used = await mail_tokens.redeem(session, token, MailTokenPurpose.CONFIRM)
    if used is None:
        raise NotFound
    account = await session.get(Account, used.account_id, with_for_update=True)
    if account is None or not mail_tokens.may_use_links(account):
        raise NotFound
    if used.email != account.email:
        await _move_to(session, account, used.email)
    account.email_confirmed_at = utcnow()
    return account


async def _move_to(session: AsyncSession, account: Account, email: str) -> None:
    """The new address becomes the account's; links sent to the old one stop working."""
    assert account.id is not None
    if await names.email_is_taken(session, email):
        raise InvalidInput.single("email", "email_taken")
    try:
        async with session.begin_nested():
            account.email = email
            await session.flush()
    except IntegrityError as error:  # taken at this very moment
        raise InvalidInput.single("email", "email_taken") from error
    await mail_tokens.void(session, account.id, MailTokenPurpose.CONFIRM, MailTokenPurpose.RESET)


async def _new_address_problem(session: AsyncSession, account: Account, email: str) -> str | None:
    if problem := names.email_problem(email):
        return problem
    if email == account.email:
        return "email_unchanged"
    if await names.email_is_taken(session, email):
        return "email_taken"
    return None


def _budget(purpose: str, account: Account, limit: int) -> ratelimit.Budget:
    key = ratelimit.rate_key(purpose, str(account.id))
    return ratelimit.Budget(key, limit, MAIL_WINDOW)
