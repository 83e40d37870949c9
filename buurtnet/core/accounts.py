"""Creating accounts, and changing what belongs to the account itself."""

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet import typed_text
from buurtnet.core import (
    mail_tokens,
    media,
    names,
    outbound,
    password_checks,
    passwords,
    permissions,
)
from buurtnet.core.errors import InvalidInput
from buurtnet.core.text import INVISIBLE_CHARACTERS, clean_line
from buurtnet.models import (
    Account,
    AccountStatus,
    Duty,
    MailTokenPurpose,
    Neighbourhood,
    Role,
    utcnow,
)

SUPPORTED_LOCALES = ("nl", "en")
DISPLAY_NAME_LENGTH = 60
BIO_LENGTH = 1000
TOO_MANY_GUESSES = "password_guesses_too_many"


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
    duty: Duty | None = None  # moderator or director of `neighbourhood_id`
    # Made by an admin (the command line, the demo): its address counts as confirmed. A person
    # who signs up confirms it with the link mailed to it (core/email_addresses).
    email_confirmed: bool = False


@dataclass(frozen=True)
class PasswordChange:
    """What the read-only half of a password change found, for the short write that follows."""

    current: password_checks.PasswordCheck
    problem: str | None = None  # what makes the new password unfit
    new_hash: str = ""


def detail_problems(new: NewAccount) -> dict[str, str]:
    """What is wrong with the details themselves, as form field -> message code.

    Pure, so it tells nothing about other accounts: sign-up shows these before any "taken".
    """
    errors: dict[str, str] = {}
    if problem := names.username_problem(new.username):
        errors["username"] = problem
    if problem := names.email_problem(names.normalise_email(new.email)):
        errors["email"] = problem
    if problem := passwords.password_problem(new.password, username=new.username, email=new.email):
        errors["password"] = problem
    return errors


async def taken_problems(session: AsyncSession, new: NewAccount) -> dict[str, str]:
    """Which of the username and e-mail address another account (or neighbourhood) has."""
    errors: dict[str, str] = {}
    if await names.name_is_taken(session, new.username):
        errors["username"] = "username_taken"
    if await names.email_is_taken(session, names.normalise_email(new.email)):
        errors["email"] = "email_taken"
    return errors


async def account_problems(session: AsyncSession, new: NewAccount) -> dict[str, str]:
    """Every problem with a new account's details; a detail problem hides a "taken" one."""
    return await taken_problems(session, new) | detail_problems(new)


async def create_account(session: AsyncSession, new: NewAccount) -> Account:
    """Check, hash and add in one go, or raise InvalidInput with every problem found at once.

    For the command line, the demo and tests; the web hashes before its write transaction starts.
    """
    if errors := await account_problems(session, new):
        raise InvalidInput(errors)
    return await add_account(session, new, await passwords.hash_password(new.password))


async def add_account(session: AsyncSession, new: NewAccount, password_hash: str) -> Account:
    """Add an account whose details were checked, with its password hashed beforehand.

    Two sign-ups with one name or address at the same moment: the database refuses the second,
    and InvalidInput then names the field that collided. A `duty` is granted without an entry
    in the audit log, for the demo and tests only: everywhere else `moderation/roles.appoint`
    gives duties.
    """
    account = Account(
        username=new.username,
        username_key=names.name_key(new.username),
        email=names.normalise_email(new.email),
        password_hash=password_hash,
        role=new.role,
        status=new.status,
        display_name=clean_line(new.display_name, DISPLAY_NAME_LENGTH),
        neighbourhood_id=new.neighbourhood_id,
        email_confirmed_at=utcnow() if new.email_confirmed else None,
    )
    try:
        async with session.begin_nested():
            session.add(account)
    except IntegrityError as error:
        if errors := await taken_problems(session, new):
            raise InvalidInput(errors) from error
        raise
    if new.duty is not None:
        if new.neighbourhood_id is None:
            raise InvalidInput({"neighbourhood": "duty_needs_neighbourhood"})
        assert account.id is not None
        await permissions.grant(session, account.id, new.neighbourhood_id, new.duty)
    return account


async def check_password_change(
    session: AsyncSession, account: Account, current: str, new: str, *, client_address: str
) -> PasswordChange:
    """The slow half of a password change, for a read session: check the current password and
    hash the new one, so the write transaction that follows stays short."""
    found = await password_checks.check(session, account, current, client_address=client_address)
    if not found.is_right:
        return PasswordChange(found)
    stored = await session.get(Account, found.account_id)
    assert stored is not None
    email = stored.email or ""
    if problem := passwords.password_problem(new, username=stored.username, email=email):
        return PasswordChange(found, problem=problem)
    return PasswordChange(found, new_hash=await passwords.hash_password(new))


async def save_password_change(session: AsyncSession, change: PasswordChange) -> dict[str, str]:
    """The short write after `check_password_change`: count a wrong current password (as a wrong
    login from the same address, see `login`), or store the new hash. A reset link mailed
    earlier stops working: it would undo the change, for whoever reads that mailbox.

    Returns the problems rather than raising, so the transaction commits the counted failure.
    """
    verdict = await password_checks.settle(session, change.current)
    if verdict == password_checks.Verdict.TOO_MANY:
        return {"current_password": TOO_MANY_GUESSES}
    if verdict == password_checks.Verdict.WRONG:
        return {"current_password": "password_current_wrong"}
    if change.problem:
        return {"new_password": change.problem}
    stored = await session.get(Account, change.current.account_id)
    assert stored is not None
    stored.password_hash = change.new_hash
    await mail_tokens.void(session, change.current.account_id, MailTokenPurpose.RESET)
    return {}


async def update_profile(
    session: AsyncSession,
    account: Account,
    *,
    display_name: str,
    locale: str | None,
    bio: str | None = None,
) -> Account:
    """Save the name others see, the language of the pages (None: follow the browser) and,
    when given, the few lines about oneself on the profile page."""
    cleaned_bio = None if bio is None else checked_bio(bio)
    stored = await set_locale(session, account, locale)
    stored.display_name = clean_line(display_name, DISPLAY_NAME_LENGTH)
    if cleaned_bio is not None:
        stored.bio = cleaned_bio
    await outbound.profile_updated(session, stored)  # other servers show the new name and bio too
    return stored


def checked_bio(bio: str) -> str:
    """The bio to store (`clean_bio`); `InvalidInput` when it is too long."""
    cleaned = clean_bio(bio)
    if len(cleaned) > BIO_LENGTH:
        raise InvalidInput.single("bio", "bio_too_long")
    return cleaned


def clean_bio(bio: str) -> str:
    """Text of several lines, kept as typed, but without control or invisible characters (which
    could reverse or hide text around them) and without blank lines at the ends."""
    return INVISIBLE_CHARACTERS.sub("", typed_text.clean_source(bio)).strip()


async def set_avatar(session: AsyncSession, account: Account, key: str | None) -> Account:
    """Put a stored image (or none) on the profile; the old file is removed after the commit.

    The row is locked, so two uploads at once cannot both replace the same old file."""
    stored = await session.get(Account, account.id, with_for_update=True)
    assert stored is not None
    if stored.avatar_key and stored.avatar_key != key:
        media.enqueue_removal(session, [stored.avatar_key])
    stored.avatar_key = key
    await outbound.profile_updated(session, stored)
    return stored


async def set_locale(session: AsyncSession, account: Account, locale: str | None) -> Account:
    """Change only the language, so the language buttons never touch the rest of the profile."""
    if locale not in (None, *SUPPORTED_LOCALES):
        raise InvalidInput.single("locale", "locale_invalid")
    stored = await session.get(Account, account.id)
    assert stored is not None
    stored.locale = locale
    return stored


async def home_neighbourhood(session: AsyncSession, account: Account) -> Neighbourhood | None:
    """The neighbourhood a person belongs to, if any."""
    if account.neighbourhood_id is None:
        return None
    return await session.get(Neighbourhood, account.neighbourhood_id)
