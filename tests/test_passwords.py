"""Password hashing at production's cost: every other test hashes with argon2's cheapest
parameters (tests/conftest.py), so this is the one that shows what production does."""

import contextvars

from argon2 import Parameters, PasswordHasher, Type, extract_parameters, profiles

from buurtnet.core import passwords
from tests.conftest import PASSWORD, event_loop_ticks

# RFC 9106's second recommended option (argon2id, 3 passes over 64 MiB, 4 lanes), spelled out.
RFC_9106_LOW_MEMORY = Parameters(
    type=Type.ID,
    version=19,
    salt_len=16,
    hash_len=32,
    time_cost=3,
    memory_cost=64 * 1024,  # KiB
    parallelism=4,
)


async def test_production_hashes_with_rfc_9106_low_memory_off_the_event_loop() -> None:
    assert passwords.PRODUCTION == RFC_9106_LOW_MEMORY
    with passwords.hashing_with(PasswordHasher.from_parameters(passwords.PRODUCTION)):
        async with event_loop_ticks() as ticks:
            made = await passwords.hash_password(PASSWORD)
            assert await passwords.verify_password(made, PASSWORD)
            assert not await passwords.verify_password(made, "een ander wachtwoord")
            await passwords.waste_time_like_a_check()
    assert extract_parameters(made) == RFC_9106_LOW_MEMORY
    assert ticks.count >= 5  # about one per millisecond; argon2 runs take tens of milliseconds each

    # A process that chose nothing (a fresh context) hashes as production does.
    unchosen = contextvars.Context()
    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST).hash(PASSWORD)
    assert not unchosen.run(passwords.needs_rehash, made)
    assert unchosen.run(passwords.needs_rehash, cheap)
