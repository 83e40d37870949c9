"""Reports: what a resident may report, the evidence kept as it was, whose queue a report
reaches, and what closing and forwarding it do."""

import json

import pytest
from sqlmodel import col

from buurtnet.core import posts
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    ActionKind,
    Job,
    ModerationAction,
    Neighbourhood,
    Notification,
    NotificationKind,
    Report,
    ReportedPost,
    ReportStatus,
    Visibility,
)
from buurtnet.moderation import reportable, reports
from tests.conftest import make_account, write_post
from tests.moderation_kit import (
    file,
    moderator,
    person_elsewhere,
    row,
    rows,
    second_neighbourhood,
)


async def test_a_resident_reports_a_neighbour_and_their_posts(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    first = await write_post(database, neighbour, "Eerste")
    second = await write_post(database, neighbour, "Tweede")
    report_id = await file(database, resident, neighbour, first, second, category="harassment")
    report = await row(database, Report, report_id)
    assert (report.reporter_id, report.target_account_id) == (resident.id, neighbour.id)
    assert report.neighbourhood_id == neighbourhood.id
    assert (report.category, report.status) == ("harassment", ReportStatus.OPEN)
    kept = await rows(database, ReportedPost, col(ReportedPost.report_id) == report_id)
    assert sorted(snap.post_id or 0 for snap in kept) == [first.id, second.id]


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (reports.ReportDraft("rude"), "category"),
        (reports.ReportDraft("spam", "x" * 1001), "comment"),
        (reports.ReportDraft("spam", "", tuple(range(1, 12))), "post_ids"),
    ],
)
async def test_a_bad_report_is_refused_with_its_field(
    database: Database,
    resident: Account,
    neighbour: Account,
    draft: reports.ReportDraft,
    field: str,
) -> None:
    assert neighbour.id is not None
    with pytest.raises(InvalidInput) as refused:
        async with database.transaction() as session:
            await reports.file_report(session, resident, neighbour.id, draft)
    assert list(refused.value.errors) == [field]
    assert await rows(database, Report) == []


async def test_what_the_reporter_cannot_see_or_is_someone_elses_is_not_found(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    hidden = await write_post(database, neighbour, "Voor volgers", visibility=Visibility.FOLLOWERS)
    third = await make_account(database, "cor", neighbourhood=neighbourhood)
    of_someone_else = await write_post(database, third, "Van Cor")
    assert neighbour.id is not None
    for post in (hidden, of_someone_else):
        draft = reports.ReportDraft("spam", post_ids=(post.id or 0,))
        with pytest.raises(NotFound):
            async with database.transaction() as session:
                await reports.file_report(session, resident, neighbour.id, draft)
        with pytest.raises(NotFound):
            async with database.reading() as session:
                await reportable.reportable(session, resident, neighbour.id, post.id)
    for target_id in (resident.id or 0, 999_999):
        with pytest.raises(NotFound):
            async with database.transaction() as session:
                await reports.file_report(session, resident, target_id, reports.ReportDraft("spam"))


async def test_the_form_offers_only_posts_the_reporter_can_see_the_chosen_one_first(
    database: Database, resident: Account, neighbour: Account
) -> None:
    chosen = await write_post(database, neighbour, "Gekozen")
    newer = await write_post(database, neighbour, "Nieuwer")
    await write_post(database, neighbour, "Verborgen", visibility=Visibility.FOLLOWERS)
    assert neighbour.id is not None
    async with database.reading() as session:
        offered = await reportable.reportable(session, resident, neighbour.id, chosen.id)
        everything = await reportable.reportable(session, resident, neighbour.id)
    assert [post.id for post in offered.posts] == [chosen.id, newer.id]
    assert [post.id for post in everything.posts] == [newer.id, chosen.id]


async def test_the_post_is_kept_as_reported_after_its_author_edits_or_deletes_it(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    edited = await write_post(database, neighbour, "Gemeen bericht")
    deleted = await write_post(database, neighbour, "Nog gemener")
    report_id = await file(database, resident, neighbour, edited, deleted)
    async with database.transaction() as session:
        await posts.edit_post(
            session, neighbour, edited.id or 0, posts.Draft(source="Lief bericht")
        )
        await posts.delete_post(session, neighbour, deleted.id or 0)
    _mila, roles = await moderator(database, "mila", neighbourhood)
    async with database.reading() as session:
        detail = await reports.detail(session, roles, report_id)
    kept = {snap.post_id: snap.content_html for snap in detail.posts}
    assert "Gemeen bericht" in kept[edited.id]
    assert "Nog gemener" in kept[deleted.id]
    assert "Lief bericht" in detail.current[edited.id or 0].content_html
    assert deleted.id not in detail.current


async def test_the_queue_belongs_to_the_neighbourhood_and_admins_see_all(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    report_id = await file(database, resident, neighbour)
    _mila, mine = await moderator(database, "mila", neighbourhood)
    _otto, others = await moderator(database, "otto", await second_neighbourhood(database))
    _ada, admin = await moderator(database, "ada", None, admin=True)
    async with database.reading() as session:
        assert [item.report.id for item in await reports.queue(session, mine)] == [report_id]
        assert [item.report.id for item in await reports.queue(session, admin)] == [report_id]
        assert await reports.queue(session, others) == []
        assert await reports.open_count(session, others) == 0
        assert await reports.open_count(session, mine) == 1
        with pytest.raises(NotAllowed):
            await reports.detail(session, others, report_id)


async def test_a_report_about_someone_elsewhere_goes_to_the_reporters_neighbourhood(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    bob, note = await person_elsewhere(database)
    report_id = await file(database, resident, bob, note)
    report = await row(database, Report, report_id)
    assert report.neighbourhood_id == neighbourhood.id
    _mila, roles = await moderator(database, "mila", neighbourhood)
    async with database.reading() as session:
        item = (await reports.queue(session, roles))[0]
    assert (item.target, item.post_count) == (bob, 1)


async def test_closing_tells_the_reporter_and_taking_it_assigns_it(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    report_id = await file(database, resident, neighbour)
    mila, roles = await moderator(database, "mila", neighbourhood)
    async with database.transaction() as session:
        await reports.take(session, mila, roles, report_id)
    taken = await row(database, Report, report_id)
    assert (taken.status, taken.assigned_to_id) == (ReportStatus.IN_PROGRESS, mila.id)
    async with database.transaction() as session:
        await reports.close(session, mila, roles, report_id, resolved=False, outcome="Niets mis")
    closed = await row(database, Report, report_id)
    assert (closed.status, closed.outcome) == (ReportStatus.DISMISSED, "Niets mis")
    told = await rows(database, Notification, col(Notification.recipient_id) == resident.id)
    assert [(n.kind, n.report_id) for n in told] == [(NotificationKind.REPORT_CLOSED, report_id)]
    assert await rows(database, Notification, col(Notification.recipient_id) == neighbour.id) == []


async def test_a_reported_moderator_neither_reads_nor_handles_the_report(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    mila, roles = await moderator(database, "mila", neighbourhood)
    _, others = await moderator(database, "kees", neighbourhood)
    report_id = await file(database, resident, mila)
    async with database.reading() as session:
        assert await reports.queue(session, roles) == []
        assert await reports.open_count(session, roles) == 0
        assert [item.report.id for item in await reports.queue(session, others)] == [report_id]
        with pytest.raises(NotFound):
            await reports.detail(session, roles, report_id)
    for step in (reports.take, reports.forward):
        with pytest.raises(NotFound):
            async with database.transaction() as session:
                await step(session, mila, roles, report_id)
    with pytest.raises(NotFound):
        async with database.transaction() as session:
            await reports.close(session, mila, roles, report_id, resolved=False, outcome="")


async def test_a_report_is_closed_once(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    mila, roles = await moderator(database, "mila", neighbourhood)
    kees, others = await moderator(database, "kees", neighbourhood)
    report_id = await file(database, resident, neighbour)
    async with database.transaction() as session:
        await reports.close(session, mila, roles, report_id, resolved=True, outcome="Gedaan")
    with pytest.raises(InvalidInput):
        async with database.transaction() as session:
            await reports.close(session, kees, others, report_id, resolved=False, outcome="")
    closing = col(ModerationAction.report_id) == report_id
    assert len(await rows(database, ModerationAction, closing)) == 1
    told = col(Notification.recipient_id) == resident.id
    assert len(await rows(database, Notification, told)) == 1


async def test_forwarding_writes_a_job_without_the_reporter_and_an_audit_entry(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    bob, note = await person_elsewhere(database)
    report_id = await file(database, resident, bob, note)
    mila, roles = await moderator(database, "mila", neighbourhood)
    for _twice in range(2):
        async with database.transaction() as session:
            await reports.forward(session, mila, roles, report_id)
    jobs = await rows(database, Job, col(Job.name) == "outbox.report_forwarded")
    assert [json.loads(job.payload) for job in jobs] == [{"report_id": report_id}]
    logged = await rows(database, ModerationAction, col(ModerationAction.report_id) == report_id)
    assert [(a.kind, a.target_domain) for a in logged] == [
        (ActionKind.FORWARD_REPORT, "ver.example")
    ]
    local = await file(database, resident, neighbour)
    with pytest.raises(InvalidInput):
        async with database.transaction() as session:
            await reports.forward(session, mila, roles, local)
