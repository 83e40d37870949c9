"""Logging in, in core: the read-only password check, the short write after it, and the limits."""

import asyncio

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from buurtnet.core import login, passwords
from buurtnet.core.login import LoginOutcome, LoginRefusal
from buurtnet.db import Database
from buurtnet.models import Account, AccountStatus, RateLimitHit
from tests.conftest import PASSWORD, make_account


async def attempt(
    database: Database, login_name: str, password: str = PASSWORD, address: str = "1"
) -> LoginOutcome:
    """A login as the web does it: check while reading, then settle in a write transaction."""
    async with database.reading() as session:
        check = await login.check_password(session, login_name, password, client_address=address)
    async with database.transaction() as session:
        return await login.finish_login(session, check)


async def set_status(database: Database, account: Account, status: AccountStatus) -> None:
    async with database.transaction() as session:
        stored = await session.get(Account, account.id)
        assert stored is not None
        stored.status = status


async def test_log_in_by_name_or_email_in_any_case(database: Database) -> None:
    await make_account(database, "anna")
    for login_name in ("anna", "ANNA", "Anna@Example.org"):
        outcome = await attempt(database, login_name)
        assert outcome.account is not None and outcome.account.username == "anna"


async def test_wrong_password_and_unknown_name_are_refused_alike(database: Database) -> None:
    await make_account(database, "anna")
    for login_name in ("anna", "nobody"):
        outcome = await attempt(database, login_name, "wrong password!")
        assert outcome == LoginOutcome(refusal=LoginRefusal.WRONG)


async def test_failed_logins_are_limited_per_name(database: Database) -> None:
    await make_account(database, "anna")
    for number in range(login.FAILED_LOGINS_PER_NAME):
        outcome = await attempt(database, "anna", "wrong", address=str(number))
        assert outcome.refusal == LoginRefusal.WRONG
    outcome = await attempt(database, "anna", address="other")
    assert outcome.refusal == LoginRefusal.TOO_MANY  # even the right password waits now


async def test_failed_logins_are_limited_per_address(database: Database) -> None:
    await make_account(database, "anna")
    for number in range(login.FAILED_LOGINS_PER_ADDRESS):
        await attempt(database, f"name{number}", "wrong", address="10.1.1.1")
    blocked = await attempt(database, "anna", address="10.1.1.1")
    allowed = await attempt(database, "anna", address="10.1.1.2")
    assert blocked.refusal == LoginRefusal.TOO_MANY
    assert allowed.account is not None


async def test_username_and_email_of_one_account_share_its_budget(database: Database) -> None:
    await make_account(database, "anna")
    names = ["anna", "anna@example.org", "Anna", "ANNA@example.org", "anna"]
    for number, login_name in enumerate(names):
        outcome = await attempt(database, login_name, "wrong", address=str(number))
        assert outcome.refusal == LoginRefusal.WRONG
    outcome = await attempt(database, "anna@example.org", address="elsewhere")
    assert outcome.refusal == LoginRefusal.TOO_MANY


async def test_parallel_guesses_get_no_more_answers_than_the_budget(database: Database) -> None:
    await make_account(database, "anna")
    guesses = [attempt(database, "anna", f"guess {n}", address=str(n)) for n in range(12)]
    outcomes = await asyncio.gather(*guesses)
    refusals = [outcome.refusal for outcome in outcomes]
    assert refusals.count(LoginRefusal.WRONG) == login.FAILED_LOGINS_PER_NAME
    assert refusals.count(LoginRefusal.TOO_MANY) == 12 - login.FAILED_LOGINS_PER_NAME
    async with database.reading() as session:
        hits = (await session.exec(select(RateLimitHit))).all()
    assert len(hits) == 3 * login.FAILED_LOGINS_PER_NAME  # name, address and account


async def test_the_password_check_leaves_the_database_free_for_writers(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_account(database, "anna")
    real_verify = passwords.verify_password
    others_wrote = False

    async def verify_while_someone_writes(password_hash: str, password: str) -> bool:
        nonlocal others_wrote
        async with asyncio.timeout(3), database.transaction() as session:
            session.add(RateLimitHit(key="another request"))
        others_wrote = True
        return await real_verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", verify_while_someone_writes)
    assert (await attempt(database, "anna")).account is not None
    assert others_wrote


async def test_pending_and_other_accounts_cannot_log_in(database: Database) -> None:
    account = await make_account(database, "anna")
    await set_status(database, account, AccountStatus.PENDING)
    assert (await attempt(database, "anna")).refusal == LoginRefusal.PENDING
    await set_status(database, account, AccountStatus.REJECTED)  # no longer made; may be stored
    assert (await attempt(database, "anna")).refusal == LoginRefusal.WRONG


async def test_an_old_hash_is_replaced_at_login(database: Database) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    account = await make_account(database, "anna")
    async with database.transaction() as session:
        stored = await session.get(Account, account.id)
        assert stored is not None
        stored.password_hash = weak.hash(PASSWORD)
    assert (await attempt(database, "anna")).account is not None
    async with database.reading() as session:
        stored = await session.get(Account, account.id)
    assert stored is not None and not passwords.needs_rehash(stored.password_hash)
    assert (await attempt(database, "anna")).account is not None
