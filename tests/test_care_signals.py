"""Care signals as rules: who raises them and where, who reads them (the director, nobody else),
follow-up and closing, the retention job, the counts that may leave, and the disclosure rule."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select
from starlette.applications import Starlette

from buurtnet.app import job_registry, media_storage
from buurtnet.config import Settings
from buurtnet.core import account_deletion, disclosure, neighbourhoods, permissions
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.core.permissions import Roles
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    CareConcern,
    CareOutcome,
    CareSignal,
    CareSignalNote,
    Duty,
    Neighbourhood,
    Role,
    SiteSetting,
    utcnow,
)
from buurtnet.moderation import care_counts, care_retention, care_signals
from tests.conftest import counting_statements, make_account

WORRY = care_signals.CareDraft(
    CareConcern.ISOLATION, "mevrouw op nummer 12", "Ik zie haar al weken niet.", may_contact=True
)


@pytest.fixture
async def other_neighbourhood(database: Database) -> Neighbourhood:
    async with database.transaction() as session:
        return await neighbourhoods.create_neighbourhood(session, "rivierenbuurt", "Rivierenbuurt")


@pytest.fixture
async def director(database: Database, neighbourhood: Neighbourhood) -> Account:
    account = await make_account(database, "dirk", duty=Duty.DIRECTOR, neighbourhood=neighbourhood)
    async with database.transaction() as session:
        stored = await session.get(Account, account.id)
        assert stored is not None
        stored.display_name = "Dirk de Regisseur"
        return stored


async def roles_of(database: Database, account: Account) -> Roles:
    async with database.reading() as session:
        return await permissions.roles_of(session, account)


async def raise_one(
    database: Database, account: Account, draft: care_signals.CareDraft = WORRY
) -> CareSignal:
    async with database.transaction() as session:
        return await care_signals.raise_signal(session, account, draft)


async def follow_up(
    database: Database,
    roles: Roles,
    author: Account,
    signal_id: int,
    outcome: str,
    text: str = "",
    *,
    closes: bool = False,
) -> None:
    async with database.transaction() as session:
        await care_signals.follow_up(
            session, roles, author, signal_id, outcome, text, closes=closes
        )


async def add_signal(
    database: Database,
    neighbourhood_id: int,
    *,
    created_at: datetime | None = None,
    closed_at: datetime | None = None,
) -> CareSignal:
    """A signal written straight to the table (past the daily limit), for counts and ages."""
    async with database.transaction() as session:
        signal = CareSignal(
            neighbourhood_id=neighbourhood_id,
            concern=CareConcern.OTHER,
            about="iemand",
            text="iets",
            created_at=created_at or utcnow(),
            closed_at=closed_at,
        )
        session.add(signal)
        await session.flush()
        return signal


# ------------------------------------------------------------------ raising


async def test_a_resident_raises_a_signal_for_their_own_neighbourhood(
    database: Database, resident: Account, director: Account
) -> None:
    signal = await raise_one(database, resident)
    async with database.reading() as session:
        stored = await session.get(CareSignal, signal.id)
    assert stored is not None
    assert (stored.neighbourhood_id, stored.raised_by_id) == (
        resident.neighbourhood_id,
        resident.id,
    )
    assert (stored.concern, stored.about, stored.may_contact) == (
        "isolation",
        "mevrouw op nummer 12",
        True,
    )
    assert stored.closed_at is None


async def test_nobody_raises_where_no_director_reads(
    database: Database, resident: Account, other_neighbourhood: Neighbourhood
) -> None:
    await make_account(
        database, "otto", duty=Duty.DIRECTOR, neighbourhood=other_neighbourhood
    )  # directs another neighbourhood only
    with pytest.raises(InvalidInput) as refused:
        await raise_one(database, resident)
    assert refused.value.errors == {"form": "care_no_director"}


async def test_someone_without_a_neighbourhood_raises_nothing(
    database: Database, director: Account
) -> None:
    admin = await make_account(database, "beheer", role=Role.ADMIN)
    with pytest.raises(NotAllowed):
        await raise_one(database, admin)


@pytest.mark.parametrize(
    ("draft", "errors"),
    [
        (
            care_signals.CareDraft("boos", " ", ""),
            {
                "concern": "care_concern_missing",
                "about": "care_about_missing",
                "text": "care_text_missing",
            },
        ),
        (
            care_signals.CareDraft(CareConcern.NEGLECT, "x" * 201, "y" * 2001),
            {"about": "care_about_too_long", "text": "care_text_too_long"},
        ),
    ],
)
async def test_bad_drafts_are_refused_with_their_fields(
    database: Database,
    resident: Account,
    director: Account,
    draft: care_signals.CareDraft,
    errors: dict[str, str],
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await raise_one(database, resident, draft)
    assert refused.value.errors == errors
    async with database.reading() as session:
        assert (await session.exec(select(CareSignal))).all() == []


async def test_a_few_a_day_and_no_more(
    database: Database, resident: Account, neighbour: Account, director: Account
) -> None:
    for _ in range(care_signals.DAILY_SIGNALS):
        await raise_one(database, resident)
    with pytest.raises(InvalidInput) as refused:
        await raise_one(database, resident)
    assert refused.value.errors == {"form": "care_too_many"}
    await raise_one(database, neighbour)  # the limit is per person
    async with database.reading() as session:
        stored = (await session.exec(select(CareSignal))).all()
    assert len(stored) == care_signals.DAILY_SIGNALS + 1


async def test_directors_who_left_are_not_named(
    database: Database, resident: Account, director: Account, neighbourhood: Neighbourhood
) -> None:
    assert neighbourhood.id is not None
    async with database.transaction() as session:
        assert [a.username for a in await care_signals.directors_of(session, neighbourhood.id)] == [
            "dirk"
        ]
        await account_deletion.delete_account(session, director)
    async with database.reading() as session:
        assert await care_signals.directors_of(session, neighbourhood.id) == []


# ------------------------------------------------------------------ reading


async def test_the_director_lists_open_ones_first_and_only_their_own(
    database: Database,
    resident: Account,
    director: Account,
    neighbourhood: Neighbourhood,
    other_neighbourhood: Neighbourhood,
) -> None:
    assert neighbourhood.id is not None and other_neighbourhood.id is not None
    now = utcnow()
    closed = await add_signal(database, neighbourhood.id, closed_at=now)
    older = await add_signal(database, neighbourhood.id, created_at=now - timedelta(days=3))
    newer = await add_signal(database, neighbourhood.id)
    await add_signal(database, other_neighbourhood.id)
    async with database.reading() as session:
        listed = await care_signals.signals_for_director(
            session, await roles_of(database, director)
        )
    assert [item.signal.id for item in listed] == [older.id, newer.id, closed.id]
    assert [item.is_open for item in listed] == [True, True, False]


async def test_the_director_reads_one_with_its_raiser(
    database: Database, resident: Account, director: Account
) -> None:
    signal = await raise_one(database, resident)
    assert signal.id is not None
    async with database.reading() as session:
        detail = await care_signals.signal_for_director(
            session, await roles_of(database, director), signal.id
        )
    assert detail.signal.text == "Ik zie haar al weken niet."
    assert detail.raised_by is not None and detail.raised_by.username == "anna"
    assert detail.notes == []


async def test_nobody_else_reads_one_not_even_an_admin(
    database: Database,
    resident: Account,
    director: Account,
    neighbourhood: Neighbourhood,
    other_neighbourhood: Neighbourhood,
) -> None:
    signal = await raise_one(database, resident)
    assert signal.id is not None
    others = [
        resident,
        await make_account(database, "beheer", role=Role.ADMIN),
        await make_account(database, "mila", duty=Duty.MODERATOR, neighbourhood=neighbourhood),
        await make_account(database, "olga", duty=Duty.DIRECTOR, neighbourhood=other_neighbourhood),
    ]
    for someone in others:
        roles = await roles_of(database, someone)
        async with database.reading() as session:
            with pytest.raises(NotFound):
                await care_signals.signal_for_director(session, roles, signal.id)
        with pytest.raises(NotFound):
            await follow_up(database, roles, someone, signal.id, CareOutcome.NO_ACTION, closes=True)
        if not roles.directs:
            async with database.reading() as session:
                with pytest.raises(NotAllowed):
                    await care_signals.signals_for_director(session, roles)


async def test_an_admin_is_refused_before_any_query(database: Database, resident: Account) -> None:
    admin = await make_account(database, "beheer", role=Role.ADMIN)
    roles = await roles_of(database, admin)
    with counting_statements(database) as statements:
        async with database.reading() as session:
            with pytest.raises(NotFound):
                await care_signals.signal_for_director(session, roles, 1)
    assert not [s for s in statements if "care_signal" in s]


# ------------------------------------------------------------------ follow-up


async def test_follow_up_and_closing(
    database: Database, resident: Account, director: Account
) -> None:
    signal = await raise_one(database, resident)
    assert signal.id is not None
    roles = await roles_of(database, director)
    await follow_up(database, roles, director, signal.id, CareOutcome.TALKED, "Langs geweest.")
    await follow_up(database, roles, director, signal.id, CareOutcome.PASSED_ON, closes=True)
    async with database.reading() as session:
        detail = await care_signals.signal_for_director(session, roles, signal.id)
    assert detail.signal.closed_at is not None
    assert [(n.note.outcome, n.note.text) for n in detail.notes] == [
        ("talked", "Langs geweest."),
        ("passed_on", ""),
    ]
    assert [n.author.username for n in detail.notes if n.author] == ["dirk", "dirk"]
    with pytest.raises(InvalidInput) as refused:
        await follow_up(database, roles, director, signal.id, CareOutcome.TALKED)
    assert refused.value.errors == {"form": "care_closed"}


@pytest.mark.parametrize(
    ("outcome", "text", "errors"),
    [
        ("", "", {"outcome": "care_outcome_missing"}),
        ("gebeld", "", {"outcome": "care_outcome_missing"}),
        (CareOutcome.OTHER, " ", {"text": "care_note_missing"}),
        (CareOutcome.TALKED, "x" * 2001, {"text": "care_note_too_long"}),
    ],
)
async def test_bad_notes_are_refused(
    database: Database,
    resident: Account,
    director: Account,
    outcome: str,
    text: str,
    errors: dict[str, str],
) -> None:
    signal = await raise_one(database, resident)
    assert signal.id is not None
    roles = await roles_of(database, director)
    with pytest.raises(InvalidInput) as refused:
        await follow_up(database, roles, director, signal.id, outcome, text, closes=True)
    assert refused.value.errors == errors
    async with database.reading() as session:
        assert (await session.exec(select(CareSignalNote))).all() == []
        stored = await session.get(CareSignal, signal.id)
    assert stored is not None and stored.closed_at is None


async def test_account_deletion_leaves_the_signal_without_its_raiser(
    database: Database, resident: Account, director: Account
) -> None:
    signal = await raise_one(database, resident)
    assert signal.id is not None
    roles = await roles_of(database, director)
    await follow_up(database, roles, director, signal.id, CareOutcome.TALKED)
    async with database.transaction() as session:
        await account_deletion.delete_account(session, resident)
    async with database.reading() as session:
        detail = await care_signals.signal_for_director(session, roles, signal.id)
    assert detail.signal.raised_by_id is None and detail.raised_by is None
    assert detail.signal.may_contact is False
    assert detail.signal.text == WORRY.text
    async with database.transaction() as session:
        await account_deletion.delete_account(session, director)
    async with database.reading() as session:
        notes = (await session.exec(select(CareSignalNote))).all()
    assert [note.author_id for note in notes] == [None]


# ------------------------------------------------------------------ retention


async def test_the_retention_period_is_six_months_unless_the_admin_chose(
    database: Database,
) -> None:
    admin = await make_account(database, "beheer", role=Role.ADMIN)
    async with database.transaction() as session:
        assert await care_retention.retention_months(session) == 6
        for wrong in (0, 25, -1):
            with pytest.raises(InvalidInput):
                await care_retention.set_retention_months(session, admin, wrong)
        await care_retention.set_retention_months(session, admin, 3)
    async with database.transaction() as session:
        assert await care_retention.retention_months(session) == 3
        setting = await session.get(SiteSetting, care_retention.RETENTION_SETTING)
        assert setting is not None
        setting.value = "veel"
    async with database.reading() as session:
        assert await care_retention.retention_months(session) == 6


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 8, 15, 9, tzinfo=UTC), 6, datetime(2026, 2, 15, 9, tzinfo=UTC)),
        (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2026, 1, 10, tzinfo=UTC), 13, datetime(2024, 12, 10, tzinfo=UTC)),
    ],
)
def test_months_before_counts_calendar_months(
    moment: datetime, months: int, expected: datetime
) -> None:
    assert care_retention.months_before(moment, months) == expected


async def test_the_purge_deletes_old_signals_with_their_notes_and_keeps_newer(
    database: Database, director: Account, neighbourhood: Neighbourhood
) -> None:
    assert neighbourhood.id is not None
    now = utcnow()
    cutoff = care_retention.months_before(now, care_retention.DEFAULT_MONTHS)
    old_open = await add_signal(database, neighbourhood.id, created_at=cutoff - timedelta(hours=1))
    old_closed = await add_signal(
        database, neighbourhood.id, created_at=cutoff - timedelta(days=40), closed_at=now
    )
    young = await add_signal(database, neighbourhood.id, created_at=cutoff + timedelta(hours=1))
    async with database.transaction() as session:
        for signal in (old_closed, young):
            assert signal.id is not None
            session.add(CareSignalNote(signal_id=signal.id, outcome=CareOutcome.TALKED))
    async with database.transaction() as session:
        assert await care_retention.purge_expired(session, now) == 2
    async with database.reading() as session:
        kept = (await session.exec(select(CareSignal.id))).all()
        notes = (await session.exec(select(CareSignalNote.signal_id))).all()
    assert kept == [young.id] and notes == [young.id]
    assert old_open.id not in kept


async def test_a_shorter_period_chosen_by_the_admin_deletes_more(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    assert neighbourhood.id is not None
    admin = await make_account(database, "beheer", role=Role.ADMIN)
    await add_signal(database, neighbourhood.id, created_at=utcnow() - timedelta(days=45))
    async with database.transaction() as session:
        await care_retention.purge(session)
    async with database.transaction() as session:
        assert len((await session.exec(select(CareSignal))).all()) == 1
        await care_retention.set_retention_months(session, admin, 1)
    async with database.transaction() as session:
        await care_retention.purge(session)
    async with database.reading() as session:
        assert (await session.exec(select(CareSignal))).all() == []


async def test_the_worker_runs_the_purge_daily(app: Starlette, settings: Settings) -> None:
    registry = job_registry(media_storage(settings), app.state.federation)
    assert (care_retention.PURGE_INTERVAL, care_retention.purge) in registry.periodic
    assert timedelta(days=1) == care_retention.PURGE_INTERVAL


# ------------------------------------------------------------------ counts


@pytest.mark.parametrize(
    ("count", "k", "shown"),
    [
        (0, 10, None),
        (9, 10, None),
        (10, 10, 10),
        (12, 10, 10),
        (13, 10, 10),  # the block of five it lies in (not the nearest five: that leaks)
        (14, 10, 10),
        (17, 10, 15),
        (18, 10, 15),
        (4, 1, None),  # k is never below 5
        (5, 1, 5),
        (7, 7, None),  # k goes up to a multiple of five: 7 hides what is below 10
        (10, 7, 10),
        (102, 10, 100),
    ],
)
def test_suppress_hides_small_counts_and_rounds_to_five(
    count: int, k: int, shown: int | None
) -> None:
    assert disclosure.suppress(count, k) == shown


def test_the_threshold_is_ten_by_default() -> None:
    assert disclosure.suppress(9) is None
    assert disclosure.suppress(10) == 10
    assert disclosure.threshold(3) == disclosure.MIN_THRESHOLD


async def test_counts_for_the_director_apply_the_threshold(
    database: Database,
    director: Account,
    neighbourhood: Neighbourhood,
    other_neighbourhood: Neighbourhood,
) -> None:
    assert neighbourhood.id is not None and other_neighbourhood.id is not None
    for _ in range(12):
        await add_signal(database, neighbourhood.id)
    for _ in range(3):
        await add_signal(database, neighbourhood.id, closed_at=utcnow())
    for _ in range(20):
        await add_signal(database, other_neighbourhood.id)
    roles = await roles_of(database, director)
    async with database.reading() as session:
        counts = await care_counts.counts_for_director(session, roles)
    assert [(c.neighbourhood.slug, c.open, c.closed, c.total) for c in counts] == [
        ("vogelwijk", 10, None, 15)
    ]
    assert counts[0].threshold == 10
    async with database.reading() as session:
        with pytest.raises(NotAllowed):
            await care_counts.counts_for_director(session, permissions.Roles(admin=True))


async def test_counts_name_every_directed_neighbourhood_even_without_signals(
    database: Database, director: Account
) -> None:
    async with database.reading() as session:
        counts = await care_counts.counts_for_director(
            session, await roles_of(database, director), k=5
        )
    assert [(c.open, c.closed, c.total, c.threshold) for c in counts] == [(None, None, None, 5)]
