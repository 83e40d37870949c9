"""Rendering pages: one Jinja2 environment per language, autoescaped, with the page's context."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.support import NullTranslations
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from buurtnet import paths
from buurtnet.core import permissions, pins, posts
from buurtnet.web import csrf, event_display, mail_messages, relative_time
from buurtnet.web.auth import current_account, current_roles, login_token, unread_notifications
from buurtnet.web.event_messages import ANSWER_TEXTS, CATEGORY_LABELS, PAST_ANSWER_TEXTS
from buurtnet.web.forms import this_page
from buurtnet.web.i18n import choose_locale
from buurtnet.web.services import services

TEMPLATE_DIR = Path(__file__).parent / "templates"
LANGUAGE_COOKIE = "buurtnet_language"
NO_STORE = {"Cache-Control": "no-store"}


def make_environments(
    translations: dict[str, NullTranslations], time_zone: str, *, template_dir: Path = TEMPLATE_DIR
) -> dict[str, Environment]:
    """One environment per language. Templates are read once: they change only with a release.

    The mail's letters use it with their own templates; their plain-text parts (`.txt`) are not
    HTML-escaped."""
    loader = FileSystemLoader(template_dir)
    clock = LocalClock(ZoneInfo(time_zone))
    environments = {}
    for locale, catalog in translations.items():
        environment = Environment(
            loader=loader,
            autoescape=select_autoescape(disabled_extensions=("txt",), default=True),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        environment.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
        environment.filters["local_date"] = clock.date
        environment.filters["local_time"] = clock.date_and_time
        event_display.install(environment, locale, catalog, clock.zone)
        relative_time.install(environment, locale, catalog, clock.zone)
        for name, texts in (
            ("CATEGORY_LABELS", CATEGORY_LABELS),
            ("ANSWER_TEXTS", ANSWER_TEXTS),
            ("PAST_ANSWER_TEXTS", PAST_ANSWER_TEXTS),
        ):
            environment.globals[name] = texts  # msgids: translate with _()
        environment.globals["is_moderator"] = permissions.is_moderator
        environment.globals["is_admin"] = permissions.is_admin
        environment.globals["may_delete"] = posts.may_delete
        environment.globals["may_pin"] = pins.may_pin
        environment.globals["may_unpin"] = permissions.can_unpin
        environment.globals["is_shareable"] = posts.is_shareable
        environment.globals["mail_choices"] = mail_messages.mail_choices_of
        environment.globals["profile_path"] = paths.profile
        environment.globals["relation_path"] = paths.relation
        environment.globals["tag_path"] = paths.hashtag
        environments[locale] = environment
    return environments


@dataclass(frozen=True)
class LocalClock:
    """Stored (UTC) moments as people on the instance see them on their own calendar and clock."""

    zone: ZoneInfo

    def date(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%d-%m-%Y")

    def date_and_time(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%d-%m-%Y %H:%M")


def request_locale(request: Request) -> str:
    account = current_account(request)
    return choose_locale(
        account.locale if account else None,
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language", ""),
    )


def gettext_for(request: Request) -> Callable[[str], str]:
    """The translation function for the request's language, for messages made in Python."""
    return services(request).translations[request_locale(request)].gettext


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    found = services(request)
    locale = request_locale(request)
    environment: Environment = request.app.state.environments[locale]
    page_context = {
        "request": request,
        "account": current_account(request),
        "roles": current_roles(request),
        "locale": locale,
        "instance_name": found.settings.instance_name,
        "csrf_token": csrf.token_for(request, found.settings.secret_key, login_token(request)),
        "this_page": this_page(request),
        "unread_notifications": unread_notifications(request),
        "errors": {},
        "values": {},
        **(context or {}),
    }
    html = environment.get_template(template).render(page_context)
    # Pages hold CSRF tokens and, once logged in, personal data: no cache may keep them.
    response = HTMLResponse(html, status_code=status_code, headers={**NO_STORE, **(headers or {})})
    csrf.remember_browser(request, response, secure=found.settings.uses_https)
    return response
