"""Creating accounts, logging in, and changing what belongs to the account itself."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import names, passwords, ratelimit
from buurtnet.core.errors import InvalidInput
from buurtnet.core.text import clean_line
from buurtnet.models import Account, AccountStatus, Neighbourhood, Role

SUPPORTED_LOCALES = ("nl", "en")
DISPLAY_NAME_LENGTH = 60
LOGIN_WINDOW = timedelta(minutes=15)
FAILED_LOGINS_PER_NAME = 5
FAILED_LOGINS_PER_ADDRESS = 20


@dataclass(frozen=True)
class NewAccount:
    """What a person (or an admin on the command line) fills in for a new account."""

    username: str
    email: str
    password: str
    display_name: str = ""
    role: Role = Role.RESIDENT
    status: AccountStatus = AccountStatus.ACTIVE
    neighbourhood_id: int | None = None


class LoginRefusal(StrEnum):
    WRONG = "login_wrong"
    PENDING = "login_pending"
    REJECTED = "login_rejected"
    TOO_MANY = "login_too_many"


@dataclass(frozen=True)
class LoginOutcome:
    account: Account | None = None
    refusal: LoginRefusal | None = None


async def account_problems(session: AsyncSession, new: NewAccount) -> dict[str, str]:
    """Every problem with a new account's details, as form field -> message code."""
    errors: dict[str, str] = {}
    if problem := names.username_problem(new.username):
        errors["username"] = problem
    elif await names.name_is_taken(session, new.username):
        errors["username"] = "username_taken"
    email = names.normalise_email(new.email)
    if problem := names.email_problem(email):
        errors["email"] = problem
    elif await names.email_is_taken(session, email):
        errors["email"] = "email_taken"
    if problem := passwords.password_problem(new.password, username=new.username, email=new.email):
        errors["password"] = problem
    return errors


async def create_account(session: AsyncSession, new: NewAccount) -> Account:
    """Create an account, or raise InvalidInput with every problem found at once."""
    if errors := await account_problems(session, new):
        raise InvalidInput(errors)
    account = Account(
        username=new.username,
        username_key=names.name_key(new.username),
        email=names.normalise_email(new.email),
        password_hash=passwords.hash_password(new.password),
        role=new.role,
        status=new.status,
        display_name=clean_line(new.display_name, DISPLAY_NAME_LENGTH),
        neighbourhood_id=new.neighbourhood_id,
    )
    try:
        async with session.begin_nested():  # two sign-ups with one name at the same moment
            session.add(account)
    except IntegrityError as error:
        raise InvalidInput.single("username", "username_taken") from error
    return account


async def find_by_login_name(session: AsyncSession, login_name: str) -> Account | None:
    """Find an account by username or e-mail address, ignoring case."""
    key = login_name.strip().lower()
    column = Account.email if "@" in key else Account.username_key
    return (await session.exec(select(Account).where(column == key))).first()


async def log_in(
    session: AsyncSession, login_name: str, password: str, *, client_address: str
) -> LoginOutcome:
    """Check a password, counting failures per name and per address.

    Returns an outcome rather than raising, so the caller's transaction commits the counted failure.
    """
    name_key = ratelimit.rate_key("login-name", login_name.strip().lower())
    address_key = ratelimit.rate_key("login-address", client_address)
    too_many = await ratelimit.is_limited(
        session, name_key, limit=FAILED_LOGINS_PER_NAME, window=LOGIN_WINDOW
    ) or await ratelimit.is_limited(
        session, address_key, limit=FAILED_LOGINS_PER_ADDRESS, window=LOGIN_WINDOW
    )
    if too_many:
        return LoginOutcome(refusal=LoginRefusal.TOO_MANY)
    account = await find_by_login_name(session, login_name)
    if account is None:
        passwords.waste_time_like_a_check()
    if account is None or not passwords.verify_password(account.password_hash, password):
        await ratelimit.record_hit(session, name_key)
        await ratelimit.record_hit(session, address_key)
        return LoginOutcome(refusal=LoginRefusal.WRONG)
    if account.status == AccountStatus.PENDING:
        return LoginOutcome(refusal=LoginRefusal.PENDING)
    if account.status == AccountStatus.REJECTED:
        return LoginOutcome(refusal=LoginRefusal.REJECTED)
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    return LoginOutcome(account=account)


async def change_password(session: AsyncSession, account: Account, current: str, new: str) -> None:
    """Set a new password after checking the current one."""
    if not passwords.verify_password(account.password_hash, current):
        raise InvalidInput.single("current_password", "password_current_wrong")
    if problem := passwords.password_problem(new, username=account.username, email=account.email):
        raise InvalidInput.single("new_password", problem)
    stored = await session.get(Account, account.id)
    assert stored is not None
    stored.password_hash = passwords.hash_password(new)


async def update_profile(
    session: AsyncSession, account: Account, *, display_name: str, locale: str | None
) -> Account:
    if locale not in (None, *SUPPORTED_LOCALES):
        raise InvalidInput.single("locale", "locale_invalid")
    stored = await session.get(Account, account.id)
    assert stored is not None
    stored.display_name = clean_line(display_name, DISPLAY_NAME_LENGTH)
    stored.locale = locale
    return stored


async def home_neighbourhood(session: AsyncSession, account: Account) -> Neighbourhood | None:
    if account.neighbourhood_id is None:
        return None
    return await session.get(Neighbourhood, account.neighbourhood_id)
