"""Logging in: a slow password check while only reading, then a short write that counts failures.

The argon2 check runs outside the write transaction, so it never holds SQLite's write lock. The
write that follows serialises on the rate-limit keys, checks them again, and only then tells
whether the password was right: parallel guesses get no more answers than the budget allows.

Failures count against the name as typed, the client's address and, when the name belongs to an
account, the account itself: its username and e-mail address then share one budget. The price is
that someone who spends that budget can tell the two names belong together.
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import passwords, ratelimit
from buurtnet.models import Account, AccountStatus

LOGIN_WINDOW = timedelta(minutes=15)
FAILED_LOGINS_PER_NAME = 5
FAILED_LOGINS_PER_ADDRESS = 20
WRONG_PASSWORDS_PER_ACCOUNT = 5  # logging in and changing the password together


class LoginRefusal(StrEnum):
    """Why a login was refused; the values are message codes for the form."""

    WRONG = "login_wrong"
    PENDING = "login_pending"
    TOO_MANY = "login_too_many"


@dataclass(frozen=True)
class LoginOutcome:
    """The account that may log in, or why not; a value, so the failure count gets committed."""

    account: Account | None = None
    refusal: LoginRefusal | None = None


@dataclass(frozen=True)
class PasswordCheck:
    """What the read-only half of a login found, for the short write that follows."""

    budgets: tuple[ratelimit.Budget, ...]
    account_id: int | None = None
    password_is_right: bool = False
    fresh_hash: str = ""  # made when the stored hash uses older parameters
    too_many: bool = False


def account_budget(account_id: int) -> ratelimit.Budget:
    """Wrong guesses of one account's password, through any form and any of its names."""
    key = ratelimit.rate_key("password-guess", str(account_id))
    return ratelimit.Budget(key, WRONG_PASSWORDS_PER_ACCOUNT, LOGIN_WINDOW)


def name_and_address_budgets(login_name: str, client_address: str) -> list[ratelimit.Budget]:
    """The budgets every attempt has, whether or not the name belongs to an account."""
    return [
        ratelimit.Budget(
            ratelimit.rate_key("login-name", login_name.strip().lower()),
            FAILED_LOGINS_PER_NAME,
            LOGIN_WINDOW,
        ),
        ratelimit.Budget(
            ratelimit.rate_key("login-address", client_address),
            FAILED_LOGINS_PER_ADDRESS,
            LOGIN_WINDOW,
        ),
    ]


async def find_by_login_name(session: AsyncSession, login_name: str) -> Account | None:
    """Find a local account by username or e-mail address, ignoring case."""
    key = login_name.strip().lower()
    column = Account.email if "@" in key else Account.username_key
    local = col(Account.domain).is_(None)  # accounts from other servers cannot log in here
    return (await session.exec(select(Account).where(column == key, local))).first()


async def check_password(
    session: AsyncSession, login_name: str, password: str, *, client_address: str
) -> PasswordCheck:
    """The slow half of a login, for a read session: find the account and check the password.

    A used-up budget skips the check, so a flood of guesses costs no argon2 time.
    """
    budgets = name_and_address_budgets(login_name, client_address)
    if await ratelimit.any_spent(session, budgets):
        return PasswordCheck(tuple(budgets), too_many=True)
    account = await find_by_login_name(session, login_name)
    if account is None:
        await passwords.waste_time_like_a_check()
        return PasswordCheck(tuple(budgets))
    assert account.id is not None
    budgets.append(account_budget(account.id))
    if await ratelimit.any_spent(session, budgets[-1:]):
        return PasswordCheck(tuple(budgets), account.id, too_many=True)
    is_right = await passwords.verify_password(account.password_hash, password)
    fresh_hash = ""
    if is_right and passwords.needs_rehash(account.password_hash):
        fresh_hash = await passwords.hash_password(password)
    return PasswordCheck(tuple(budgets), account.id, is_right, fresh_hash)


async def finish_login(session: AsyncSession, check: PasswordCheck) -> LoginOutcome:
    """The short write after `check_password`: count a failure, or let the person in.

    Returns an outcome rather than raising, so the transaction commits the counted failure.
    """
    await ratelimit.lock(session, check.budgets)
    if check.too_many or await ratelimit.any_spent(session, check.budgets):
        return LoginOutcome(refusal=LoginRefusal.TOO_MANY)
    account = None if check.account_id is None else await session.get(Account, check.account_id)
    if account is None or not check.password_is_right:
        for budget in check.budgets:
            ratelimit.record_hit(session, budget.key)
        return LoginOutcome(refusal=LoginRefusal.WRONG)
    if account.status == AccountStatus.PENDING:
        return LoginOutcome(refusal=LoginRefusal.PENDING)
    if account.status != AccountStatus.ACTIVE:
        return LoginOutcome(refusal=LoginRefusal.WRONG)
    if check.fresh_hash:
        account.password_hash = check.fresh_hash
    return LoginOutcome(account=account)
