"""Photos of posts from elsewhere, fetched once and kept here: our pages show them without a
request to another server, which would tell it who reads what, and when.

A job fetches each image after its post is stored, through the one guarded HTTP client, and it
goes through what an upload goes through: decoded, stripped of its metadata, at most 1600 pixels,
with a thumbnail. An image that cannot be had (gone, not an image, too large, its server down)
becomes a link at the end of the post instead: nothing its author sent is lost, and no page of
ours ever loads it from elsewhere. An image from a server whose media an admin rejects
(`domain_blocks.rejects_media`: by its author's server or the server it lies on) is not fetched
at all: it becomes such a link at once.
"""

import html
from collections.abc import Sequence
from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet import job_queue
from buurtnet.core import media, remote_posts
from buurtnet.core.errors import InvalidInput
from buurtnet.core.images import MAX_IMAGE_BYTES
from buurtnet.core.remote_accounts import domain_of
from buurtnet.federation.addresses import FetchError
from buurtnet.federation.as2.parse import Attachment
from buurtnet.federation.context import Federation
from buurtnet.models import Account
from buurtnet.moderation import domain_blocks
from buurtnet.storage import MediaStorage

FETCH_IMAGE = "federation.fetch_image"


def image_links(attachments: Sequence[Attachment]) -> str:
    """Images as links, for the end of a post: those that could not be fetched."""
    return "".join(
        f'<p><a href="{html.escape(image.url)}" rel="nofollow noopener noreferrer">'
        f"{html.escape(image.name or image.url)}</a></p>"
        for image in attachments
    )


def queue_images(
    session: AsyncSession, post_id: int, owner_id: int, attachments: Sequence[Attachment]
) -> None:
    """A job for each image a post may show here; the caller links any beyond that."""
    for position, image in enumerate(attachments[: media.MAX_IMAGES_PER_POST]):
        payload = {
            "post_id": post_id,
            "owner_id": owner_id,
            "position": position,
            "url": image.url,
            "name": image.name or "",
        }
        job_queue.enqueue(session, FETCH_IMAGE, payload)


async def fetch_image(
    federation: Federation, storage: MediaStorage, payload: job_queue.Payload
) -> None:
    """The `federation.fetch_image` job: one image of one post, stored, or linked instead."""
    post_id, position = payload["post_id"], payload["position"]
    image = Attachment(payload["url"], "", payload["name"] or None, None, None)
    async with federation.database.reading() as session:
        if not await media.image_wanted(session, post_id, position):
            return
        owner = await session.get(Account, payload["owner_id"])
        lies_on = domain_of(image.url)
        author_server = owner.domain if owner and owner.domain else lies_on
        rejected = await domain_blocks.rejects_media(session, lies_on, author_server)
    if rejected:
        await _link_instead(federation, post_id, image)
        return
    try:
        data = await federation.client.get_image(image.url, max_bytes=MAX_IMAGE_BYTES)
        [stored] = await media.store_images(storage, [media.ImageUpload(data, image.name or "")])
    except (FetchError, InvalidInput):
        await _link_instead(federation, post_id, image)
        return
    try:
        async with federation.database.transaction() as session:
            attached = await media.attach(session, stored, payload["owner_id"], post_id, position)
    except BaseException:
        await media.discard(storage, [stored])
        raise
    if not attached:  # the post went, or another run stored the image
        await media.discard(storage, [stored])


async def _link_instead(federation: Federation, post_id: int, image: Attachment) -> None:
    async with federation.database.transaction() as session:
        await remote_posts.add_to_content(session, post_id, image_links([image]))


def register(registry: job_queue.Registry, federation: Federation, storage: MediaStorage) -> None:
    registry.register(FETCH_IMAGE, partial(fetch_image, federation, storage))
