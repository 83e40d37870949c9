"""Password hashing (argon2id) and the rules for a strong enough password.

Hashing and checking run in a few worker threads: one argon2 run takes a noticeable fraction of a
second of CPU and 64 MiB of memory, which on the event loop would stall every other request.

New hashes use `PRODUCTION`'s parameters, unless a block runs `with hashing_with(hasher):`; the
test suite does that, as production's cost would be most of its run time. Whatever parameters a
hash was made with, it verifies; `needs_rehash` tells when they differ from the ones in use.
"""

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 200
HASHING_THREADS = 4  # bounds the memory that many logins at once can take

# The most used passwords of public breach lists, plus Dutch favourites; a longer list adds little
# once a minimum length of ten is required.
COMMON_PASSWORDS = frozenset(
    [
        "1234567890",
        "0123456789",
        "1111111111",
        "0000000000",
        "1234512345",
        "9876543210",
        "1q2w3e4r5t",
        "qwertyuiop",
        "qwertzuiop",
        "azertyuiop",
        "asdfghjkl;",
        "password12",
        "password123",
        "password1!",
        "passw0rd12",
        "welkom1234",
        "welkom12345",
        "wachtwoord",
        "wachtwoord1",
        "wachtwoord12",
        "wachtwoord123",
        "iloveyou12",
        "sunshine12",
        "football12",
        "princess12",
        "dragon1234",
        "monkey1234",
        "letmein123",
        "trustno123",
        "abc1234567",
        "abcdefghij",
        "qwerty1234",
        "qwerty12345",
        "1qaz2wsx3edc",
        "zaq12wsxcde",
        "changeme12",
        "administrator",
        "admin12345",
        "buurtnet123",
        "buurtnet12",
        "feyenoord1",
        "ajax123456",
        "amsterdam1",
        "rotterdam1",
        "nederland1",
        "zomer2024",
        "zomer2025",
        "zomer2026",
        "winter2025",
        "winter2026",
        "voorjaar2026",
        "geheim1234",
        "geheim12345",
    ]
)

# argon2id with the RFC 9106 low-memory profile: 3 passes over 64 MiB, 4 lanes.
PRODUCTION: Parameters = profiles.RFC_9106_LOW_MEMORY
_chosen: ContextVar[PasswordHasher | None] = ContextVar("password_hasher", default=None)


@contextmanager
def hashing_with(hasher: PasswordHasher) -> Iterator[None]:
    """Make new hashes with this hasher inside the block (in this context, and in the tasks it
    starts), instead of with production's parameters; for tests."""
    token = _chosen.set(hasher)
    try:
        yield
    finally:
        _chosen.reset(token)


async def hash_password(password: str) -> str:
    """A new hash to store, made in a worker thread so the event loop stays free."""
    return await asyncio.get_running_loop().run_in_executor(
        _hashing_threads(), _hasher().hash, password
    )


async def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches, checked in a worker thread; a broken hash never matches."""
    return await asyncio.get_running_loop().run_in_executor(
        _hashing_threads(), _verify, _hasher(), password_hash, password
    )


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash uses older parameters; cheap, as it only reads the hash's header."""
    return _hasher().check_needs_rehash(password_hash)


async def waste_time_like_a_check() -> None:
    """Verify against a dummy hash, so an unknown name takes as long as a wrong password."""
    await asyncio.get_running_loop().run_in_executor(_hashing_threads(), _verify_dummy, _hasher())


def password_problem(password: str, *, username: str = "", email: str = "") -> str | None:
    """The message code of what makes a password too weak, or None when it will do."""
    if len(password) < MIN_LENGTH:
        return "password_too_short"
    if len(password) > MAX_LENGTH:
        return "password_too_long"
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        return "password_too_common"
    personal = {username.lower(), email.lower(), email.lower().partition("@")[0]} - {""}
    if any(part and part in lowered for part in personal if len(part) >= 4):
        return "password_contains_name"
    return None


def _hasher() -> PasswordHasher:
    return _chosen.get() or _production_hasher()


@cache
def _production_hasher() -> PasswordHasher:
    return PasswordHasher.from_parameters(PRODUCTION)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash made by this hasher, so that checking against it costs what a real check does."""
    return hasher.hash("buurtnet dummy password")


def _verify_dummy(hasher: PasswordHasher) -> bool:
    return _verify(hasher, _dummy_hash(hasher), "not the password")


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _hashing_threads() -> ThreadPoolExecutor:
    """Made on first use (not at import); its threads start only when work arrives."""
    return ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="argon2")
