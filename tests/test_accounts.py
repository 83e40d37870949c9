"""Accounts in core: names, passwords, password changes and the profile."""

from typing import Any

import pytest

from buurtnet.core import accounts, login, neighbourhoods, passwords
from buurtnet.core.accounts import NewAccount
from buurtnet.core.errors import InvalidInput
from buurtnet.core.text import clean_line
from buurtnet.db import Database
from buurtnet.models import Account, Neighbourhood
from tests.conftest import PASSWORD, make_account


async def create(database: Database, **fields: str) -> None:
    values: dict[str, Any] = {"username": "bram", "email": "bram@example.org", "password": PASSWORD}
    values |= fields
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


@pytest.mark.parametrize(
    "email",
    [
        "victim@example.org,x@evil.nl",  # two recipients to SMTP
        "victim,x@evil.nl",
        "a(b)@evil.nl",  # a comment in a header
        "x@evil.nl>",
        "<x@evil.nl>",
        '"a b"@evil.nl',
        "jöhn@example.org",  # no SMTPUTF8
        "anna@bücher.nl",
        "a..b@example.org",
        ".anna@example.org",
        "anna@example",
        "anna@-example.org",
        "a" * 65 + "@example.org",
        "anna@" + "a" * 250 + ".nl",
    ],
)
async def test_only_plain_ascii_addresses_are_taken(database: Database, email: str) -> None:
    assert (await errors_of(database, email=email))["email"] == "email_invalid"


@pytest.mark.parametrize(
    "email", ["o'brien+buurt@example.org", "A.de-Vries@mail.example-host.nl", "a" * 64 + "@b.nl"]
)
async def test_ordinary_addresses_are_taken(database: Database, email: str) -> None:
    await create(database, email=email)


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


async def change_password(
    database: Database, account: Account, current: str, new: str, address: str = "1"
) -> dict[str, str]:
    """A password change as the web does it: check while reading, then save in a short write."""
    async with database.reading() as session:
        change = await accounts.check_password_change(
            session, account, current, new, client_address=address
        )
    async with database.transaction() as session:
        return await accounts.save_password_change(session, change)


async def stored_hash(database: Database, account: Account) -> str:
    async with database.reading() as session:
        stored = await session.get(Account, account.id)
    assert stored is not None
    return stored.password_hash


async def test_change_password_checks_the_current_one(database: Database) -> None:
    account = await make_account(database, "anna")
    problems = await change_password(database, account, "not it", "een nieuwe lange zin")
    assert problems == {"current_password": "password_current_wrong"}
    problems = await change_password(database, account, PASSWORD, "kort")
    assert problems == {"new_password": "password_too_short"}
    assert await change_password(database, account, PASSWORD, "een nieuwe lange zin") == {}
    new_hash = await stored_hash(database, account)
    assert await passwords.verify_password(new_hash, "een nieuwe lange zin")
    assert not await passwords.verify_password(new_hash, PASSWORD)


async def test_wrong_current_passwords_are_limited_with_wrong_logins(database: Database) -> None:
    account = await make_account(database, "anna")
    before = await stored_hash(database, account)
    for _ in range(login.WRONG_PASSWORDS_PER_ACCOUNT):
        problems = await change_password(database, account, "a guess", "een nieuwe lange zin")
        assert problems == {"current_password": "password_current_wrong"}
    problems = await change_password(database, account, PASSWORD, "een nieuwe lange zin")
    assert problems == {"current_password": accounts.TOO_MANY_GUESSES}
    problems = await change_password(database, account, PASSWORD, "nieuw", address="2")
    assert problems == {"current_password": accounts.TOO_MANY_GUESSES}  # for the account
    assert await stored_hash(database, account) == before
    async with database.reading() as session:
        same_address = await login.check_password(session, "anna", PASSWORD, client_address="1")
        elsewhere = await login.check_password(session, "anna", PASSWORD, client_address="2")
    assert same_address.too_many  # the guesses count as failed logins from their address …
    assert elsewhere.password_is_right and not elsewhere.too_many  # … and lock nobody out


async def test_a_collision_at_insert_names_the_field_that_collided(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await create(database)

    async def as_if_checked_before_the_other_sign_up(*_: object) -> dict[str, str]:
        return {}

    monkeypatch.setattr(accounts, "account_problems", as_if_checked_before_the_other_sign_up)
    assert await errors_of(database, username="other") == {"email": "email_taken"}
    assert await errors_of(database, email="other@example.org") == {"username": "username_taken"}


async def test_set_locale_changes_only_the_language(database: Database) -> None:
    account = await make_account(database, "anna")
    async with database.transaction() as session:
        stored = await session.get(Account, account.id)
        assert stored is not None
        stored.display_name = "Anna de Vries"
    async with database.transaction() as session:
        await accounts.set_locale(session, account, "en")  # `account` still has no display name
        with pytest.raises(InvalidInput):
            await accounts.set_locale(session, account, "fr")
    async with database.reading() as session:
        stored = await session.get(Account, account.id)
    assert stored is not None
    assert (stored.locale, stored.display_name) == ("en", "Anna de Vries")


def test_password_rules_are_pure() -> None:
    assert passwords.password_problem("een lange zin als wachtwoord") is None
    assert passwords.password_problem("Welkom12345") == "password_too_common"
    assert passwords.password_problem("anna.devries!x", email="anna.devries@example.org") == (
        "password_contains_name"
    )
