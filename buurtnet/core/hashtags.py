"""Hashtags: one row per tag, linked to the posts that use it."""

from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core.errors import NotFound
from buurtnet.db import insert_new
from buurtnet.models import Hashtag, PostHashtag


async def get_by_name(session: AsyncSession, name: str) -> Hashtag:
    found = (await session.exec(select(Hashtag).where(Hashtag.name == name.casefold()))).first()
    if found is None:
        raise NotFound(name)
    return found


async def tag_post(session: AsyncSession, post_id: int, names: Sequence[str]) -> None:
    """Link a new post to its hashtags, creating the ones nobody used before."""
    if not names:
        return
    ids = await _ensure_hashtags(session, names)
    session.add_all(PostHashtag(post_id=post_id, hashtag_id=hashtag_id) for hashtag_id in ids)


async def retag_post(session: AsyncSession, post_id: int, names: Sequence[str]) -> None:
    await session.exec(delete(PostHashtag).where(col(PostHashtag.post_id) == post_id))
    await tag_post(session, post_id, names)


async def _ensure_hashtags(session: AsyncSession, names: Sequence[str]) -> list[int]:
    """The ids of the named hashtags; two people may add the same new tag at once."""
    rows = [{"name": name} for name in dict.fromkeys(names)]
    await insert_new(session, Hashtag, rows, unique=["name"])
    found = await session.exec(select(Hashtag.id).where(col(Hashtag.name).in_(list(names))))
    return [hashtag_id for hashtag_id in found.all() if hashtag_id is not None]
