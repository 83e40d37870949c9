"""Helpers for the moderation tests: a moderator with their roles, a second neighbourhood, a
person elsewhere with a post, and reading rows back."""

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlmodel import SQLModel, select

from buurtnet.core import neighbourhoods, permissions
from buurtnet.core.permissions import Roles
from buurtnet.db import Database
from buurtnet.models import Account, Duty, Neighbourhood, Post, Role, Visibility
from buurtnet.moderation import reports
from tests.conftest import make_account

Row = TypeVar("Row", bound=SQLModel)


async def moderator(
    database: Database, name: str, neighbourhood: Neighbourhood | None, *, admin: bool = False
) -> tuple[Account, Roles]:
    """A moderator of `neighbourhood` (an admin, with `admin`), living there, and their roles."""
    account = await make_account(
        database,
        name,
        neighbourhood=neighbourhood,
        role=Role.ADMIN if admin else Role.RESIDENT,
        duty=None if admin else Duty.MODERATOR,
    )
    async with database.reading() as session:
        return account, await permissions.roles_of(session, account)


async def second_neighbourhood(database: Database) -> Neighbourhood:
    async with database.transaction() as session:
        return await neighbourhoods.create_neighbourhood(session, "rivierenbuurt", "Rivierenbuurt")


async def person_elsewhere(database: Database, name: str = "bob") -> tuple[Account, Post]:
    """Someone on another server, with a public post we keep."""
    async with database.transaction() as session:
        person = Account(
            username=name,
            username_key=f"{name}@ver.example",
            domain="ver.example",
            actor_uri=f"https://ver.example/users/{name}",
            inbox_url=f"https://ver.example/users/{name}/inbox",
        )
        session.add(person)
        await session.flush()
        assert person.id is not None
        post = Post(
            author_id=person.id,
            visibility=Visibility.PUBLIC,
            uri=f"https://ver.example/notes/{name}-1",
            source="",
            content_html="<p>Koop nu goedkope horloges</p>",
        )
        session.add(post)
    return person, post


async def file(
    database: Database, reporter: Account, target: Account, *posts: Post, category: str = "spam"
) -> int:
    """A report filed through `reports.file_report`; its id."""
    assert target.id is not None
    draft = reports.ReportDraft(category, "Zie hieronder", tuple(p.id or 0 for p in posts))
    async with database.transaction() as session:
        report = await reports.file_report(session, reporter, target.id, draft)
    assert report.id is not None
    return report.id


async def rows(database: Database, model: type[Row], *where: Any) -> Sequence[Row]:
    async with database.reading() as session:
        return (await session.exec(select(model).where(*where))).all()


async def row(database: Database, model: type[Row], row_id: int | None) -> Row:
    async with database.reading() as session:
        found = await session.get(model, row_id)
    assert found is not None
    return found
