"""When a report was first responded to (`Report.responded_at`), for the median time to a first
response in the liveability figures: the first moderator to take it up, or its closing."""

from buurtnet.db import Database
from buurtnet.models import Account, Neighbourhood, Report, utcnow
from buurtnet.moderation import reports
from tests.moderation_kit import file, moderator, row


async def test_taking_up_a_report_is_its_first_response_and_stays_so(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    report_id = await file(database, resident, neighbour)
    assert (await row(database, Report, report_id)).responded_at is None
    mila, roles = await moderator(database, "mila", neighbourhood)
    kees, others = await moderator(database, "kees", neighbourhood)
    before = utcnow()
    async with database.transaction() as session:
        await reports.take(session, mila, roles, report_id)
    taken = (await row(database, Report, report_id)).responded_at
    assert taken is not None and before <= taken.replace(tzinfo=before.tzinfo) <= utcnow()
    async with database.transaction() as session:
        await reports.take(session, kees, others, report_id)  # a second moderator takes it over
        await reports.close(session, kees, others, report_id, resolved=True, outcome="Gedaan")
    closed = await row(database, Report, report_id)
    assert closed.responded_at == taken
    assert closed.closed_at is not None and closed.closed_at > taken


async def test_closing_a_report_nobody_took_up_is_its_first_response(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    report_id = await file(database, resident, neighbour)
    mila, roles = await moderator(database, "mila", neighbourhood)
    async with database.transaction() as session:
        await reports.close(session, mila, roles, report_id, resolved=False, outcome="Niets mis")
    closed = await row(database, Report, report_id)
    assert closed.responded_at is not None and closed.responded_at == closed.closed_at
