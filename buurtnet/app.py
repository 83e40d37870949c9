"""`create_app(settings)`: the Starlette application, with the embedded worker in its lifespan."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware

from buurtnet.config import Settings
from buurtnet.core import cbs_import, housekeeping, media, metric_rollups, poll_ends, reminders
from buurtnet.core.events import MAX_PHOTOS as MAX_PHOTOS_PER_EVENT
from buurtnet.core.images import MAX_IMAGE_BYTES
from buurtnet.core.media import MAX_IMAGES_PER_POST
from buurtnet.db import Database
from buurtnet.federation import inbox, remote_media
from buurtnet.federation import job_handlers as federation_jobs
from buurtnet.federation.context import Federation, make_federation
from buurtnet.federation.flood import FloodGuard
from buurtnet.federation.routes import federation_routes
from buurtnet.job_queue import Registry, Worker
from buurtnet.mail import digest_mail, notification_mail, outbox
from buurtnet.mail.letters import Letters
from buurtnet.moderation import care_retention
from buurtnet.moderation import upkeep as moderation_upkeep
from buurtnet.storage import FolderStorage, MediaStorage
from buurtnet.web import neighbourhood_figures, neighbourhoods, people, posts, welcome
from buurtnet.web.auth import RenewSessionCookie, SessionBackend
from buurtnet.web.errors import EXCEPTION_HANDLERS
from buurtnet.web.event_outcomes import OUTCOME_PATH
from buurtnet.web.headers import SecurityHeaders
from buurtnet.web.i18n import load_all_translations
from buurtnet.web.limits import BodySizeLimit
from buurtnet.web.routes import all_routes
from buurtnet.web.services import Services
from buurtnet.web.templating import make_environments

log = logging.getLogger(__name__)

FORM_ROOM = 1024 * 1024  # the text fields and multipart framing around the photos
# Only the forms that carry photos, and the admin's CBS file, may send more than the usual 1 MB.
UPLOAD_BODY_BYTES = {
    "/posts": MAX_IMAGES_PER_POST * MAX_IMAGE_BYTES + FORM_ROOM,
    "/settings/avatar": MAX_IMAGE_BYTES + FORM_ROOM,
    welcome.WELCOME_PATH: MAX_IMAGE_BYTES + FORM_ROOM,
    "/events": MAX_PHOTOS_PER_EVENT * MAX_IMAGE_BYTES + FORM_ROOM,
    OUTCOME_PATH: MAX_IMAGE_BYTES + FORM_ROOM,
    neighbourhood_figures.IMPORT_PATH: cbs_import.MAX_BYTES + FORM_ROOM,
}


def media_storage(settings: Settings) -> FolderStorage:
    return FolderStorage(settings.data_dir / "media")


def job_registry(
    storage: MediaStorage, federation: Federation, letters: Letters | None = None
) -> Registry:
    """Every job and periodic task of every layer."""
    registry = Registry()
    settings = federation.settings
    letters = letters or Letters(settings, load_all_translations())
    outbox.register(registry, settings)
    notification_mail.register(registry, letters)
    digest_mail.register(registry, letters, ZoneInfo(settings.time_zone))
    housekeeping.register(registry)
    care_retention.register(registry)
    moderation_upkeep.register(registry)
    media.register(registry, storage)
    poll_ends.register(registry)
    reminders.register(registry)
    metric_rollups.register(registry, ZoneInfo(federation.settings.time_zone))
    inbox.register(registry, federation)
    federation_jobs.register(registry, federation)
    remote_media.register(registry, federation, storage)
    return registry


def _log_worker_crash(task: asyncio.Task[None]) -> None:
    """Say loudly that the embedded worker has stopped, when it stops before its time."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.critical("the embedded job worker stopped; no jobs run until a restart", exc_info=error)


def create_app(settings: Settings, *, database: Database | None = None) -> Starlette:
    """The web application. A given database is used as is (and not closed); else one is made."""
    translations = load_all_translations()
    storage = media_storage(settings)
    letters = Letters(settings, translations)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own_database = database is None
        running = database or Database(settings.database_url)
        app.state.services = Services(settings, running, translations, storage, letters)
        app.state.federation = federation = make_federation(settings, running)
        if settings.smtp is None and settings.uses_https:
            log.warning(
                "BUURTNET_SMTP_URL is not set: e-mail is not sent but kept in %s",
                settings.mail_folder,
            )
        stop = asyncio.Event()
        worker_task = None
        if settings.embedded_worker:
            registry = job_registry(storage, federation, letters)
            worker_task = asyncio.create_task(Worker(running, registry).run(stop))
            worker_task.add_done_callback(_log_worker_crash)
        try:
            yield
        finally:
            stop.set()
            if worker_task is not None:
                await asyncio.wait([worker_task])  # a crash was logged when it happened
            await federation.aclose()
            if own_database:
                await running.dispose()

    app = Starlette(
        # Federation first: at the URLs of actors and posts it answers servers with JSON and
        # hands browsers to these pages of the web.
        routes=[
            *inbox.inbox_routes(FloodGuard(limit=settings.inbox_limit)),
            *posts.composer_routes,  # `/posts/new`, which `/posts/{post_id}` would take
            *federation_routes(
                person_page=people.profile_page,
                neighbourhood_page=neighbourhoods.neighbourhood_home,
                post_page=posts.post_page,
            ),
            *all_routes(),
        ],
        middleware=[
            Middleware(SecurityHeaders, https=settings.uses_https),
            Middleware(BodySizeLimit, larger_on=UPLOAD_BODY_BYTES),
            Middleware(AuthenticationMiddleware, backend=SessionBackend()),
            Middleware(RenewSessionCookie, https=settings.uses_https),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.environments = make_environments(translations, settings.time_zone)
    return app
