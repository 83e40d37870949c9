"""Accounts in core: names, passwords, logins and their limits."""

import pytest

from buurtnet.core import accounts, neighbourhoods, passwords
from buurtnet.core.accounts import LoginRefusal, NewAccount
from buurtnet.core.errors import InvalidInput
from buurtnet.core.text import clean_line
from buurtnet.db import Database
from buurtnet.models import AccountStatus, Neighbourhood
from tests.conftest import PASSWORD, make_account


async def create(database: Database, **fields: str) -> None:
    values = {"username": "bram", "email": "bram@example.org", "password": PASSWORD} | fields
    async with database.transaction() as session:
        await accounts.create_account(session, NewAccount(**values))


async def errors_of(database: Database, **fields: str) -> dict[str, str]:
    with pytest.raises(InvalidInput) as raised:
        await create(database, **fields)
    return raised.value.errors


async def test_password_is_stored_as_argon2id(database: Database) -> None:
    account = await make_account(database, "anna")
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash


async def test_usernames_are_unique_ignoring_case(database: Database) -> None:
    await create(database, username="Bram")
    errors = await errors_of(database, username="bRAM", email="other@example.org")
    assert errors == {"username": "username_taken"}


async def test_emails_are_unique_ignoring_case(database: Database) -> None:
    await create(database, email="Bram@Example.org")
    errors = await errors_of(database, username="bram2", email="bram@EXAMPLE.org")
    assert errors == {"email": "email_taken"}


async def test_usernames_share_the_namespace_of_neighbourhoods(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    assert await errors_of(database, username="Vogelwijk") == {"username": "username_taken"}
    await make_account(database, "anna")
    async with database.transaction() as session:
        with pytest.raises(InvalidInput) as raised:
            await neighbourhoods.create_neighbourhood(session, "Anna", "Anna")
    assert raised.value.errors == {"slug": "slug_taken"}


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("a", "username_invalid"),
        ("with space", "username_invalid"),
        ("x" * 31, "username_invalid"),
        ("anna!", "username_invalid"),
        ("ánna", "username_invalid"),
        ("admin", "username_reserved"),
        ("Inbox", "username_reserved"),
    ],
)
async def test_bad_usernames(database: Database, username: str, code: str) -> None:
    assert (await errors_of(database, username=username))["username"] == code


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("kort", "password_too_short"),
        ("wachtwoord123", "password_too_common"),
        ("aaaaaaaaaaaa", "password_too_common"),
        ("bram-is-mijn-naam", "password_contains_name"),
        ("x" * 201, "password_too_long"),
    ],
)
async def test_weak_passwords(database: Database, password: str, code: str) -> None:
    assert (await errors_of(database, password=password))["password"] == code


async def test_all_problems_are_reported_at_once(database: Database) -> None:
    errors = await errors_of(database, username="!", email="no-address", password="short")
    assert errors == {
        "username": "username_invalid",
        "email": "email_invalid",
        "password": "password_too_short",
    }


def test_names_lose_invisible_and_reversing_characters() -> None:
    assert clean_line("An\u200bna\u202e evil\u2066", 60) == "Anna evil"
    assert clean_line("  Anna \n\t de   Vries ", 60) == "Anna de Vries"
    assert clean_line("Bel\x00la", 60) == "Bella"
    assert clean_line("x" * 100, 60) == "x" * 60


async def test_log_in_by_name_or_email_in_any_case(database: Database) -> None:
    await make_account(database, "anna")
    for login_name in ("anna", "ANNA", "Anna@Example.org"):
        async with database.transaction() as session:
            outcome = await accounts.log_in(session, login_name, PASSWORD, client_address="1")
        assert outcome.account is not None and outcome.account.username == "anna"


async def test_wrong_password_and_unknown_name_are_refused_alike(database: Database) -> None:
    await make_account(database, "anna")
    for login_name in ("anna", "nobody"):
        async with database.transaction() as session:
            outcome = await accounts.log_in(
                session, login_name, "wrong password!", client_address="1"
            )
        assert outcome == accounts.LoginOutcome(refusal=LoginRefusal.WRONG)


async def test_failed_logins_are_limited_per_name(database: Database) -> None:
    await make_account(database, "anna")
    for attempt in range(accounts.FAILED_LOGINS_PER_NAME):
        async with database.transaction() as session:
            outcome = await accounts.log_in(session, "anna", "wrong", client_address=str(attempt))
        assert outcome.refusal == LoginRefusal.WRONG
    async with database.transaction() as session:
        outcome = await accounts.log_in(session, "anna", PASSWORD, client_address="other")
    assert outcome.refusal == LoginRefusal.TOO_MANY  # even the right password waits now


async def test_failed_logins_are_limited_per_address(database: Database) -> None:
    await make_account(database, "anna")
    for attempt in range(accounts.FAILED_LOGINS_PER_ADDRESS):
        async with database.transaction() as session:
            await accounts.log_in(session, f"name{attempt}", "wrong", client_address="10.1.1.1")
    async with database.transaction() as session:
        blocked = await accounts.log_in(session, "anna", PASSWORD, client_address="10.1.1.1")
        allowed = await accounts.log_in(session, "anna", PASSWORD, client_address="10.1.1.2")
    assert blocked.refusal == LoginRefusal.TOO_MANY
    assert allowed.account is not None


async def test_pending_and_rejected_accounts_cannot_log_in(database: Database) -> None:
    account = await make_account(database, "anna")
    for status, refusal in [
        (AccountStatus.PENDING, LoginRefusal.PENDING),
        (AccountStatus.REJECTED, LoginRefusal.REJECTED),
    ]:
        async with database.transaction() as session:
            stored = await session.get(type(account), account.id)
            assert stored is not None
            stored.status = status
        async with database.transaction() as session:
            outcome = await accounts.log_in(session, "anna", PASSWORD, client_address="1")
        assert outcome.refusal == refusal


async def test_change_password_checks_the_current_one(database: Database) -> None:
    account = await make_account(database, "anna")
    async with database.transaction() as session:
        with pytest.raises(InvalidInput) as raised:
            await accounts.change_password(session, account, "not it", "een nieuwe lange zin")
    assert raised.value.errors == {"current_password": "password_current_wrong"}
    async with database.transaction() as session:
        await accounts.change_password(session, account, PASSWORD, "een nieuwe lange zin")
    async with database.transaction() as session:
        old = await accounts.log_in(session, "anna", PASSWORD, client_address="1")
        new = await accounts.log_in(session, "anna", "een nieuwe lange zin", client_address="1")
    assert old.refusal == LoginRefusal.WRONG
    assert new.account is not None


def test_password_rules_are_pure() -> None:
    assert passwords.password_problem("een lange zin als wachtwoord") is None
    assert passwords.password_problem("Welkom12345") == "password_too_common"
    assert passwords.password_problem("anna.devries!x", email="anna.devries@example.org") == (
        "password_contains_name"
    )
