"""A new profile photo from a form, for the settings page and the welcome page: stored first
(slow: it is decoded and re-encoded, outside any transaction), then put on the profile in a
transaction; if that transaction fails, the stored file is removed again."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.datastructures import FormData

from buurtnet.core import media
from buurtnet.core.errors import InvalidInput
from buurtnet.storage import MediaStorage
from buurtnet.web import forms

FIELD = "avatar"


async def store_uploaded(storage: MediaStorage, form: FormData) -> str | None:
    """The storage key of the photo chosen in the form (None: none was chosen); `InvalidInput`
    on the photo's field for a file that is too large or no image. The form's files are closed
    afterwards."""
    try:
        uploads = await forms.uploaded_images(form, FIELD, max_images=1)
        if not uploads:
            return None
        return await media.store_avatar(storage, uploads[0].data)
    except InvalidInput as error:
        raise InvalidInput.single(FIELD, next(iter(error.errors.values()))) from error


@asynccontextmanager
async def removed_on_failure(storage: MediaStorage, key: str | None) -> AsyncIterator[None]:
    """Remove the stored photo `key` if the block (the transaction that uses it) fails."""
    try:
        yield
    except BaseException:
        if key is not None:
            await storage.delete(key)
        raise
