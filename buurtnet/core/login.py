"""Logging in: a slow password check while only reading, then a short write that counts failures.

The argon2 check runs outside the write transaction, so it never holds SQLite's write lock. The
write that follows serialises on the rate-limit keys, checks them again, and only then tells
whether the password was right: parallel guesses get no more answers than the budgets allow.

The budgets belong to an address, as on GitHub and Mastodon, so that nobody can lock someone else
out by guessing wrong on purpose: an address gets 20 failed logins whatever the name, 5 per name
as typed (names of nobody too), and 5 per account (its username and e-mail address share them;
the price is that someone who spends that budget can tell the two names belong together).
Wrong passwords for an account are also counted from all addresses together. At 5, the account
is under attack: an address that has not guessed wrong for it yet still has its password checked,
so its owner gets in, but each address gets one wrong guess instead of five; a guesser with many
addresses is slowed down that way, and nobody is locked out.

The password-change form and the deletion confirmation are for someone logged in, whose session
might be borrowed: they refuse once the account has had 5 wrong passwords from anywhere (failed
logins included), and a wrong one there counts like a failed login from that address.
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import passwords, ratelimit
from buurtnet.models import Account, AccountStatus

LOGIN_WINDOW = timedelta(minutes=15)
FAILED_LOGINS_PER_ADDRESS = 20
FAILED_LOGINS_PER_NAME = 5  # from one address
WRONG_PASSWORDS_PER_ADDRESS = 5  # for one account, from one address
WRONG_PASSWORDS_PER_ACCOUNT = 5  # from all addresses: from then on the account is under attack
WRONG_PASSWORDS_UNDER_ATTACK = 1  # for one account, from one address, while it is under attack


class LoginRefusal(StrEnum):
    """Why a login was refused; the values are message codes for the form."""

    WRONG = "login_wrong"
    PENDING = "login_pending"
    TOO_MANY = "login_too_many"
    # The password was right, but a moderator suspended the account: only then is this told,
    # with the reason and a way to appeal (`PasswordCheck.account_id` says whose).
    SUSPENDED = "login_suspended"


@dataclass(frozen=True)
class LoginOutcome:
    """The account that may log in, or why not; a value, so the failure count gets committed."""

    account: Account | None = None
    refusal: LoginRefusal | None = None


@dataclass(frozen=True)
class AccountGuesses:
    """Wrong passwords for one account: from the address at hand, and from all addresses."""

    from_address: ratelimit.Budget
    from_all: ratelimit.Budget

    @property
    def budgets(self) -> tuple[ratelimit.Budget, ...]:
        """The keys to lock, and to count a wrong password on."""
        return self.from_address, self.from_all

    async def refuse_address(self, session: AsyncSession) -> bool:
        """Whether this address may not try the password now: it used its own budget, or the
        account is under attack and this address has guessed wrong once already."""
        own = self.from_address
        made = await ratelimit.hits_within(session, own.key, own.window)
        if made >= own.limit:
            return True
        return made >= WRONG_PASSWORDS_UNDER_ATTACK and await self.under_attack(session)

    async def under_attack(self, session: AsyncSession) -> bool:
        """Whether the account had its budget of wrong passwords, from all addresses together."""
        return await ratelimit.any_spent(session, [self.from_all])

    def count_wrong(self, session: AsyncSession) -> None:
        """Count a wrong password, after `ratelimit.lock` on `budgets`."""
        for budget in self.budgets:
            ratelimit.record_hit(session, budget.key)


@dataclass(frozen=True)
class PasswordCheck:
    """What the read-only half of a login found, for the short write that follows."""

    budgets: tuple[ratelimit.Budget, ...]  # of the address, whatever the name
    guesses: AccountGuesses | None = None  # when the name belongs to an account
    account_id: int | None = None
    password_is_right: bool = False
    fresh_hash: str = ""  # made when the stored hash uses older parameters
    too_many: bool = False


def account_guesses(account_id: int, client_address: str) -> AccountGuesses:
    """The wrong passwords that count for one account, through any form and any of its names."""
    address_key = ratelimit.rate_key("password-guess-address", client_address, str(account_id))
    return AccountGuesses(
        ratelimit.Budget(address_key, WRONG_PASSWORDS_PER_ADDRESS, LOGIN_WINDOW),
        ratelimit.Budget(
            ratelimit.rate_key("password-guess", str(account_id)),
            WRONG_PASSWORDS_PER_ACCOUNT,
            LOGIN_WINDOW,
        ),
    )


def name_and_address_budgets(login_name: str, client_address: str) -> list[ratelimit.Budget]:
    """The budgets every attempt has, whether or not the name belongs to an account."""
    return [
        ratelimit.Budget(
            ratelimit.rate_key("login-address-name", client_address, login_name.strip().lower()),
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
    budgets = tuple(name_and_address_budgets(login_name, client_address))
    if await ratelimit.any_spent(session, budgets):
        return PasswordCheck(budgets, too_many=True)
    account = await find_by_login_name(session, login_name)
    if account is None:
        await passwords.waste_time_like_a_check()
        return PasswordCheck(budgets)
    assert account.id is not None
    guesses = account_guesses(account.id, client_address)
    if await guesses.refuse_address(session):
        return PasswordCheck(budgets, guesses, account.id, too_many=True)
    is_right = await passwords.verify_password(account.password_hash, password)
    fresh_hash = ""
    if is_right and passwords.needs_rehash(account.password_hash):
        fresh_hash = await passwords.hash_password(password)
    return PasswordCheck(budgets, guesses, account.id, is_right, fresh_hash)


async def finish_login(session: AsyncSession, check: PasswordCheck) -> LoginOutcome:
    """The short write after `check_password`: count a failure, or let the person in.

    Returns an outcome rather than raising, so the transaction commits the counted failure.
    """
    guesses = check.guesses
    await ratelimit.lock(session, [*check.budgets, *(guesses.budgets if guesses else ())])
    if (
        check.too_many
        or await ratelimit.any_spent(session, check.budgets)
        or (guesses is not None and await guesses.refuse_address(session))
    ):
        return LoginOutcome(refusal=LoginRefusal.TOO_MANY)
    account = None if check.account_id is None else await session.get(Account, check.account_id)
    if account is None or not check.password_is_right:
        for budget in check.budgets:
            ratelimit.record_hit(session, budget.key)
        if guesses is not None:
            guesses.count_wrong(session)
        return LoginOutcome(refusal=LoginRefusal.WRONG)
    if account.status == AccountStatus.PENDING:
        return LoginOutcome(refusal=LoginRefusal.PENDING)
    if account.status == AccountStatus.SUSPENDED:
        return LoginOutcome(refusal=LoginRefusal.SUSPENDED)
    if account.status != AccountStatus.ACTIVE:
        return LoginOutcome(refusal=LoginRefusal.WRONG)
    if check.fresh_hash:
        account.password_hash = check.fresh_hash
    return LoginOutcome(account=account)
