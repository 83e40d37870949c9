"""The download of one's own data: a zip of ActivityStreams documents and the person's images.

`actor.json` (the person), `outbox.json` (a `Create` for every post), `likes.json`,
`following.json` and `followers.json`, in the shape Mastodon's own archive uses, so the data can be
read by other software; `activities.json` (one's answer to each activity: its id and `going`,
`maybe`, `not_going`, `waiting` or `pending`) and `votes.json` (each answer chosen in a poll, as
the `name` a vote carries); `surveys.json` (the neighbourhood surveys one took part in: the
neighbourhood and the first and last day, never the answers, which are stored without a link to
anyone); `neighbourhood.json` (where one lives: the neighbourhood, the street or complex chosen on
the welcome page, when one joined and when the welcome was done); and the files under `media/`,
which the documents point to by their path inside the zip. The zip is written into a spooled
temporary file: small archives stay in memory, large ones (hundreds of photos) go to disk, and only
one image is held in memory at a time.
"""

import json
import tempfile
import zipfile
from collections.abc import AsyncIterator
from typing import IO, Any

from anyio import to_thread

from buurtnet.core.export import AccountExport
from buurtnet.federation import notes
from buurtnet.federation.as2 import objects
from buurtnet.federation.uris import Uris
from buurtnet.models import Account, Post
from buurtnet.storage import MediaStorage, content_type_of

MEDIA_FOLDER = "media/"
IN_MEMORY_UP_TO = 8 * 1024 * 1024
CHUNK_SIZE = 64 * 1024


def media_path(key: str) -> str:
    """Where a stored file goes in the zip; the documents link to it by this relative path."""
    return MEDIA_FOLDER + key


def documents(export: AccountExport, uris: Uris, host: str) -> dict[str, objects.JsonObject]:
    """The JSON files of the archive by name; pure, so tests read them without a zip. Each post
    is the Note that other servers fetch and are sent, with its images pointing into the zip."""
    account = export.account
    username = account.username
    icon = media_path(account.avatar_key) if account.avatar_key else None
    icon_type = content_type_of(account.avatar_key) if account.avatar_key else "image/jpeg"
    activities = [
        notes.create_of(
            objects.note_to_as2(details, uris, host=host, media_url=media_path),
            details.post,
            account,
            uris,
        )
        for details in export.posts
    ]
    liked = [uris.post_of(post, author) for post, author in export.likes]
    return {
        "actor.json": objects.actor_to_as2(account, uris, icon_url=icon, icon_type=icon_type),
        "outbox.json": objects.ordered_collection(uris.outbox(username), activities),
        "likes.json": objects.ordered_collection(uris.liked(username), liked),
        "following.json": objects.ordered_collection(
            uris.following(username), [uris.actor_of(person) for person in export.following]
        ),
        "followers.json": objects.ordered_collection(
            uris.followers(username), [uris.actor_of(person) for person in export.followers]
        ),
        "activities.json": _listed(export.answers, "answer", uris),
        "votes.json": _listed(export.votes, "name", uris),
        "surveys.json": _surveys(export, uris),
        "neighbourhood.json": _neighbourhood(export, uris),
    }


def _neighbourhood(export: AccountExport, uris: Uris) -> objects.JsonObject:
    """Where one lives, as far as we know it: the neighbourhood and the street or complex."""
    account, home = export.account, export.neighbourhood
    return {
        "neighbourhood": uris.neighbourhood(home.slug) if home else None,
        "name": home.name if home else None,
        "streetOrComplex": account.place,
        "joined": account.created_at.isoformat(),
        "welcomed": account.welcomed_at.isoformat() if account.welcomed_at else None,
    }


def _surveys(export: AccountExport, uris: Uris) -> objects.JsonObject:
    """The survey periods one took part in: where and when, nothing of what one answered."""
    items = [
        {
            "neighbourhood": uris.neighbourhood(place.slug),
            "name": place.name,
            "startTime": period.opens_on.isoformat(),
            "endTime": period.closes_on.isoformat(),
        }
        for period, place in export.surveys
    ]
    return {"type": "Collection", "totalItems": len(items), "items": items}


def _listed(rows: list[tuple[str, Post, Account]], field: str, uris: Uris) -> objects.JsonObject:
    """One's answers to posts of others (activities, polls): each post's id and the answer."""
    items = [{"object": uris.post_of(post, author), field: value} for value, post, author in rows]
    return {"type": "Collection", "totalItems": len(items), "items": items}


async def write_archive(
    target: IO[bytes], export: AccountExport, uris: Uris, host: str, storage: MediaStorage
) -> None:
    """Write the whole zip to `target`; a file that storage no longer has is left out."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in documents(export, uris, host).items():
            data = json.dumps(objects.document(content), ensure_ascii=False, indent=2).encode()
            await to_thread.run_sync(_add, archive, name, data, zipfile.ZIP_DEFLATED)
        for key in export.media_keys:
            image = await storage.load(key)
            if image is not None:  # images are compressed already: stored as they are
                await to_thread.run_sync(_add, archive, media_path(key), image, zipfile.ZIP_STORED)


async def spooled_archive(
    export: AccountExport, uris: Uris, host: str, storage: MediaStorage
) -> IO[bytes]:
    """The zip in a temporary file, rewound; the caller closes it (which deletes it)."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_UP_TO)  # noqa: SIM115
    try:
        await write_archive(spool, export, uris, host, storage)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


async def chunks(file: IO[bytes]) -> AsyncIterator[bytes]:
    """Read a file in pieces off the event loop, closing it at the end."""
    try:
        while data := await to_thread.run_sync(file.read, CHUNK_SIZE):
            yield data
    finally:
        file.close()


def _add(archive: zipfile.ZipFile, name: str, data: Any, compression: int) -> None:
    archive.writestr(name, data, compress_type=compression)
