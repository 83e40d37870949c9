"""Appeals: the person a measure was taken against appeals once, another moderator decides, the
decision undoes the measure (or not), goes into the audit log and is told to the person."""

from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from buurtnet.core import neighbourhoods, permissions, posts
from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.core.permissions import Roles
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    ActionKind,
    Appeal,
    AppealStatus,
    Duty,
    ModerationAction,
    ModerationState,
    Neighbourhood,
    Notification,
    NotificationKind,
    Post,
)
from buurtnet.moderation import actions, appeals
from tests.conftest import browser_for, log_in, make_account, post_form, write_post
from tests.moderation_kit import row, rows

MEASURE = actions.Measure("Dit is intimidatie van een buurman.", "harassment")
REMOVED_TEXT = "Jij bent een waardeloze buurman"

Act = Callable[[AsyncSession, Account, Roles], Awaitable[ModerationAction]]


async def moderate(database: Database, moderator: Account, act: Act) -> ModerationAction:
    """Act as a moderator through `moderation/actions`, with the roles they hold."""
    async with database.transaction() as session:
        return await act(session, moderator, await permissions.roles_of(session, moderator))


async def remove(database: Database, moderator: Account, post: Post) -> ModerationAction:
    assert post.id is not None
    post_id = post.id
    return await moderate(
        database, moderator, lambda s, m, r: actions.remove_post(s, m, r, post_id, MEASURE)
    )


async def limit(database: Database, moderator: Account, person: Account) -> ModerationAction:
    assert person.id is not None
    person_id = person.id
    return await moderate(
        database, moderator, lambda s, m, r: actions.limit(s, m, r, person_id, MEASURE)
    )


async def decide(
    database: Database, moderator: Account, appeal: Appeal, *, grant: bool, reason: str = "Klopt."
) -> Appeal:
    assert appeal.id is not None
    async with database.transaction() as session:
        roles = await permissions.roles_of(session, moderator)
        return await appeals.decide(
            session, moderator, roles, appeal.id, grant=grant, reason=reason
        )


async def file(database: Database, person: Account, action: ModerationAction) -> Appeal:
    assert action.id is not None
    async with database.transaction() as session:
        return await appeals.file_appeal(session, person, action.id, "Dit was een grap.")


@pytest.fixture
async def mara(database: Database, neighbourhood: Neighbourhood) -> Account:
    """The moderator who acts."""
    return await make_account(database, "mara", duty=Duty.MODERATOR, neighbourhood=neighbourhood)


@pytest.fixture
async def mo(database: Database, neighbourhood: Neighbourhood) -> Account:
    """Another moderator of the same neighbourhood, who decides the appeal."""
    return await make_account(database, "mo", duty=Duty.MODERATOR, neighbourhood=neighbourhood)


async def can_see(database: Database, viewer: Account, post_id: int) -> bool:
    async with database.reading() as session:
        try:
            await posts.get_visible(session, viewer, post_id)
        except NotFound:
            return False
        return True


async def test_one_appeal_per_action(database: Database, resident: Account, mara: Account) -> None:
    action = await remove(database, mara, await write_post(database, resident, REMOVED_TEXT))
    await file(database, resident, action)
    with pytest.raises(InvalidInput) as second:
        await file(database, resident, action)
    assert second.value.errors == {"text": "appeal_already_made"}


async def test_only_another_moderator_decides_and_granting_restores_the_post(
    database: Database, resident: Account, neighbour: Account, mara: Account, mo: Account
) -> None:
    post = await write_post(database, resident, REMOVED_TEXT)
    assert post.id is not None
    action = await remove(database, mara, post)
    assert not await can_see(database, neighbour, post.id)
    appeal = await file(database, resident, action)

    with pytest.raises(InvalidInput) as own:
        await decide(database, mara, appeal, grant=True)
    assert own.value.errors == {"appeal": "appeal_needs_another_moderator"}

    decided = await decide(database, mo, appeal, grant=True, reason="Het was een grap.")
    assert decided.status == AppealStatus.GRANTED
    assert await can_see(database, neighbour, post.id)
    kinds = {entry.kind for entry in await rows(database, ModerationAction)}
    assert {ActionKind.DECIDE_APPEAL, ActionKind.RESTORE_POST} <= kinds
    told = await rows(
        database,
        Notification,
        col(Notification.recipient_id) == resident.id,
        col(Notification.kind) == NotificationKind.APPEAL_DECIDED,
    )
    assert [notice.action_id for notice in told] == [action.id]


async def test_a_refused_appeal_leaves_the_post_removed(
    database: Database, resident: Account, neighbour: Account, mara: Account, mo: Account
) -> None:
    post = await write_post(database, resident, REMOVED_TEXT)
    assert post.id is not None
    appeal = await file(database, resident, await remove(database, mara, post))
    assert (await decide(database, mo, appeal, grant=False)).status == AppealStatus.REFUSED
    assert not await can_see(database, neighbour, post.id)
    assert (await row(database, Post, post.id)).moderation == ModerationState.REMOVED


async def test_granting_lifts_a_limit(
    database: Database, resident: Account, mara: Account, mo: Account
) -> None:
    appeal = await file(database, resident, await limit(database, mara, resident))
    assert (await row(database, Account, resident.id)).limited
    await decide(database, mo, appeal, grant=True)
    assert not (await row(database, Account, resident.id)).limited


async def test_a_warning_cannot_be_appealed(
    database: Database, resident: Account, mara: Account
) -> None:
    assert resident.id is not None
    person_id = resident.id
    warning = await moderate(
        database, mara, lambda s, m, r: actions.warn(s, m, r, person_id, MEASURE)
    )
    with pytest.raises(NotFound):
        await file(database, resident, warning)


# ------------------------------------------------------------------ through the browser


async def test_the_author_appeals_on_the_web_and_another_moderator_grants_it(
    app: Starlette,
    database: Database,
    resident: Account,
    neighbour: Account,
    mara: Account,
    mo: Account,
) -> None:
    post = await write_post(database, resident, REMOVED_TEXT)
    action = await remove(database, mara, post)
    page = f"/appeals/{action.id}"
    async with (
        browser_for(app) as anna,
        browser_for(app) as bram,
        browser_for(app) as acting,
        browser_for(app) as other,
    ):
        await log_in(anna, "anna")
        shown = await anna.get(page)
        assert shown.status_code == 200
        assert "Een moderator heeft uw bericht verwijderd." in shown.text
        assert "Dit is intimidatie van een buurman." in shown.text
        assert REMOVED_TEXT in shown.text  # to its own author, here
        assert "mara" not in shown.text

        await log_in(bram, "bram")
        assert (await bram.get(page)).status_code == 404  # not his
        assert REMOVED_TEXT not in (await bram.get(f"/posts/{post.id}")).text

        empty = await post_form(anna, page, page, {"text": "  "})
        assert empty.status_code == 400
        assert "Schrijf op waarom u de beslissing niet juist vindt." in empty.text
        sent = await post_form(anna, page, page, {"text": "Het was een grap tussen vrienden."})
        assert sent.status_code == 303
        after = (await anna.get(page)).text
        assert "U heeft bezwaar gemaakt op" in after and "<textarea" not in after
        again = await post_form(anna, "/notifications", page, {"text": "Nog een keer."})
        assert again.status_code == 400
        assert "U heeft al bezwaar gemaakt tegen deze beslissing." in again.text

        await log_in(acting, "mara")
        queue = (await acting.get("/moderation/appeals")).text
        assert "Het was een grap tussen vrienden." in queue and REMOVED_TEXT in queue
        assert "U nam deze maatregel zelf." in queue
        [appeal] = await rows(database, Appeal)
        decision = f"/moderation/appeals/{appeal.id}"
        refused = await post_form(
            acting, "/moderation/appeals", decision, {"decision": "grant", "reason": "Goed."}
        )
        assert refused.status_code == 400
        assert "Een andere moderator moet over het bezwaar beslissen." in refused.text

        await log_in(other, "mo")
        no_reason = await post_form(
            other, "/moderation/appeals", decision, {"decision": "grant", "reason": ""}
        )
        assert no_reason.status_code == 400
        assert "Vul een reden in." in no_reason.text
        granted = await post_form(
            other, "/moderation/appeals", decision, {"decision": "grant", "reason": "Een grap."}
        )
        assert granted.status_code == 303
        assert "Er zijn geen open bezwaren." in (await other.get("/moderation/appeals")).text

        assert REMOVED_TEXT in (await bram.get(f"/posts/{post.id}")).text
        told = (await anna.get("/notifications")).text
        assert "Uw bezwaar is toegekend: de beslissing is teruggedraaid." in told
        assert "Reden: Een grap." in told
        assert "toegekend" in (await anna.get(page)).text


async def test_residents_and_moderators_elsewhere_see_no_appeals(
    app: Starlette, database: Database, resident: Account, neighbour: Account, mara: Account
) -> None:
    appeal = await file(database, resident, await limit(database, mara, resident))
    async with database.transaction() as session:
        elsewhere = await neighbourhoods.create_neighbourhood(session, "dorp", "Dorp")
    await make_account(database, "olga", duty=Duty.MODERATOR, neighbourhood=elsewhere)
    async with browser_for(app) as bram, browser_for(app) as olga:
        await log_in(bram, "bram")
        assert (await bram.get("/moderation/appeals")).status_code == 403
        await log_in(olga, "olga")
        assert "Dit was een grap." not in (await olga.get("/moderation/appeals")).text
        tried = await post_form(
            olga,
            "/moderation/appeals",
            f"/moderation/appeals/{appeal.id}",
            {"decision": "grant", "reason": "Weg ermee."},
        )
        assert tried.status_code == 403


async def test_bad_appeal_addresses_are_not_found(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    for path in ("/appeals/0", "/appeals/99999999999", "/appeals/abc", "/appeals/%C2%B2"):
        assert (await client.get(path)).status_code == 404, path
