"""Asking a logged-in person for their password again before a change that needs it: deleting
the account (`account_deletion`), a new e-mail address (`email_addresses`).

The session might be borrowed, so the password is checked first, while only reading (argon2 is
slow); the short write that follows counts a wrong one as a failed login from that address (see
`login`), and refuses once the account has had too many wrong passwords from anywhere.
"""

from dataclasses import dataclass
from enum import Enum

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import login, passwords, ratelimit
from buurtnet.models import Account


class Verdict(Enum):
    RIGHT = "right"
    WRONG = "wrong"  # counted
    TOO_MANY = "too_many"  # not checked: too many wrong passwords lately


@dataclass(frozen=True)
class PasswordCheck:
    """What the read-only half found, for the short write that follows."""

    account_id: int
    guesses: login.AccountGuesses
    is_right: bool = False
    too_many: bool = False


async def check(
    session: AsyncSession, account: Account, password: str, *, client_address: str
) -> PasswordCheck:
    """The slow half, for a read session: is this really the person, by their password?"""
    assert account.id is not None
    guesses = login.account_guesses(account.id, client_address)
    if await guesses.under_attack(session):
        return PasswordCheck(account.id, guesses, too_many=True)
    stored = await session.get(Account, account.id)
    assert stored is not None
    is_right = await passwords.verify_password(stored.password_hash, password)
    return PasswordCheck(account.id, guesses, is_right=is_right)


async def settle(session: AsyncSession, found: PasswordCheck) -> Verdict:
    """The start of the short write: count a wrong password, or refuse when the account had too
    many (also those counted since the check). Commit the transaction whatever it says."""
    await ratelimit.lock(session, found.guesses.budgets)
    if found.too_many or await found.guesses.under_attack(session):
        return Verdict.TOO_MANY
    if not found.is_right:
        found.guesses.count_wrong(session)
        return Verdict.WRONG
    return Verdict.RIGHT
