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


async def test_failed_logins_are_limited_per_address_and_name(database: Database) -> None:
    for _ in range(login.FAILED_LOGINS_PER_NAME):
        outcome = await attempt(database, "nobody", "wrong", address="1")
        assert outcome.refusal == LoginRefusal.WRONG
    spent = await attempt(database, " Nobody", "wrong", address="1")  # the same name as typed
    assert spent.refusal == LoginRefusal.TOO_MANY
    elsewhere = await attempt(database, "nobody", "wrong", address="2")
    assert elsewhere.refusal == LoginRefusal.WRONG  # another address has a budget of its own


async def test_wrong_guesses_elsewhere_lock_nobody_out(database: Database) -> None:
    await make_account(database, "anna")
    for _ in range(login.WRONG_PASSWORDS_PER_ADDRESS):
        outcome = await attempt(database, "anna", "wrong", address="10.0.0.66")
        assert outcome.refusal == LoginRefusal.WRONG
    at_home = await attempt(database, "anna", address="10.0.0.7")
    assert at_home.account is not None and at_home.account.username == "anna"
    guesser = await attempt(database, "anna", address="10.0.0.66")
    assert guesser.refusal == LoginRefusal.TOO_MANY  # even the right password waits there


async def test_an_account_under_attack_gives_each_address_one_guess(database: Database) -> None:
    anna = await make_account(database, "anna")
    assert anna.id is not None
    for number in range(login.WRONG_PASSWORDS_PER_ACCOUNT):  # one each: no address's own limit
        outcome = await attempt(database, "anna", "wrong", address=f"guesser {number}")
        assert outcome.refusal == LoginRefusal.WRONG
    fresh = await attempt(database, "anna@example.org", "wrong", address="fresh")
    assert fresh.refusal == LoginRefusal.WRONG  # its one guess is answered …
    for guess in ("wrong again", PASSWORD):
        again = await attempt(database, "anna", guess, address="fresh")
        assert again.refusal == LoginRefusal.TOO_MANY  # … and then no more, in the window
    assert (await attempt(database, "anna", address="guesser 0")).refusal == LoginRefusal.TOO_MANY
    at_home = await attempt(database, "anna", address="home")
    assert at_home.account is not None  # an address that guessed nothing wrong gets in
    async with database.reading() as session:
        hits = (await session.exec(select(RateLimitHit))).all()
    from_all = login.account_guesses(anna.id, "home").from_all.key
    assert sum(hit.key == from_all for hit in hits) == login.WRONG_PASSWORDS_PER_ACCOUNT + 1


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
    for login_name in names:  # from one address: no name as typed reaches its own limit
        outcome = await attempt(database, login_name, "wrong", address="10.0.0.66")
        assert outcome.refusal == LoginRefusal.WRONG
    outcome = await attempt(database, "Anna@Example.org", address="10.0.0.66")
    assert outcome.refusal == LoginRefusal.TOO_MANY
    assert (await attempt(database, "anna@example.org", address="10.0.0.7")).account is not None


async def test_parallel_guesses_get_no_more_answers_than_the_budget(database: Database) -> None:
    await make_account(database, "anna")
    guesses = [attempt(database, "anna", f"guess {n}", address="1") for n in range(12)]
    refusals = [outcome.refusal for outcome in await asyncio.gather(*guesses)]
    assert refusals.count(LoginRefusal.WRONG) == login.WRONG_PASSWORDS_PER_ADDRESS
    assert refusals.count(LoginRefusal.TOO_MANY) == 12 - login.WRONG_PASSWORDS_PER_ADDRESS
    async with database.reading() as session:
        hits = (await session.exec(select(RateLimitHit))).all()
    # address, address and name, address and account, account
    assert len(hits) == 4 * login.WRONG_PASSWORDS_PER_ADDRESS
    # The account is under attack now: a fresh address gets one answer, however many it asks.
    guesses = [attempt(database, "anna", f"guess {n}", address="2") for n in range(6)]
    refusals = [outcome.refusal for outcome in await asyncio.gather(*guesses)]
    assert refusals.count(LoginRefusal.WRONG) == login.WRONG_PASSWORDS_UNDER_ATTACK
    assert refusals.count(LoginRefusal.TOO_MANY) == 6 - login.WRONG_PASSWORDS_UNDER_ATTACK


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
