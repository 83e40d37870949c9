"""Who may use each page of moderation, care signals and administration: every such route of
the app, for every kind of person, in one table (`PERMISSIONS`).

The routes are read from the app: every route under /moderation, /admin, /care, /appeals and
/report, and every route of a web module that asks for roles (`require_duty`, `require_admin`,
`current_roles`: the invite codes, the new-build date and the public log of a neighbourhood). A
new one fails `test_every_duty_route_is_in_the_table` until it has a row, and a row whose route
is gone fails it too. Each person gets a world of their own (two neighbourhoods, and one of each
thing a path names), then sends every row's request, with a form that the step would accept: one
run reports every mismatch.
"""

import inspect
import re
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.routing import Route

from buurtnet.core import (
    accounts,
    invites,
    login_sessions,
    neighbourhoods,
    partner_tokens,
    permissions,
    surveys,
)
from buurtnet.db import Database
from buurtnet.mail.folder import MailFolder
from buurtnet.mail.message import build_message
from buurtnet.models import (
    Account,
    AccountStatus,
    Duty,
    ModerationState,
    Neighbourhood,
    NeighbourhoodFollower,
    Role,
    SitePageSlug,
    SurveyPeriod,
    Visibility,
    WordFilter,
)
from buurtnet.moderation import actions, appeals, care_signals, domain_blocks, reports, word_filters
from buurtnet.web.auth import SESSION_COOKIE
from buurtnet.web.services import Services
from tests.conftest import PASSWORD, browser_for, csrf_token, make_account, write_post
from tests.moderation_kit import person_elsewhere

PEOPLE = (
    "visitor",  # not logged in
    "resident",  # lives in Vogelwijk ("here"); a moderator limited them: theirs is the appeal
    "moderator_here",  # moderates Vogelwijk, and lives there
    "moderator_there",  # moderates Rivierenbuurt only, and lives there
    "director_here",  # directs Vogelwijk, and lives there
    "director_there",  # directs Rivierenbuurt only, and lives there
    "admin",  # lives in Rivierenbuurt
)
# x  passes: any answer but a refusal (200, a 303 after the step, a 400 for a form it finds wrong;
#    never a 5xx, a 429 or a refused CSRF token)
# .  refused with 403
# -  refused with 404: the page does not tell that the thing exists. A care signal is read by its
#    neighbourhood's director only (`care_signals` answers NotFound to everyone else, admins
#    too), and a measure is appealed by the person it was taken against only.
# The visitor is sent to /login (303) wherever the mark is not x.
# The ids in the paths are of things in Vogelwijk (`things_in`): a report about a resident's
# post, that post, the reported person, held posts, an appeal, a care signal, a word filter...
PERMISSIONS = """
        moderator  director
vis res here there here there adm
 x   x   x     x    x     x    x  GET  /n/{slug}
 .   .   .     .    x     .    x  GET  /n/{slug}/invites
 .   .   .     .    x     .    x  POST /n/{slug}/invites
 .   .   .     .    x     .    x  POST /n/{slug}/invites/{invite_id}/revoke
 .   .   .     .    x     .    x  POST /n/{slug}/new-build
 .   .   .     .    x     .    x  GET  /n/{slug}/figures-settings
 .   .   .     .    x     .    x  POST /n/{slug}/figures-settings
 .   .   .     .    x     .    x  GET  /n/{slug}/places
 .   .   .     .    x     .    x  POST /n/{slug}/places

 .   x   x     .    x     .    x  GET  /n/{slug}/moderation

 .   .   .     .    x     .    .  GET  /posts/{post_id}/pin
 .   .   .     .    x     .    .  POST /posts/{post_id}/pin
 .   .   .     .    x     .    x  POST /posts/{post_id}/unpin

 .   .   x     x    .     .    x  GET  /moderation
 .   .   x     .    .     .    x  GET  /moderation/reports/{report_id}
 .   .   x     .    .     .    x  POST /moderation/reports/{report_id}/take
 .   .   x     .    .     .    x  POST /moderation/reports/{report_id}/notes
 .   .   x     .    .     .    x  POST /moderation/reports/{report_id}/close
 .   .   x     .    .     .    x  POST /moderation/reports/{report_id}/forward
 .   .   x     .    .     .    x  POST /moderation/reports/{report_id}/posts/{post_id}/remove
 .   .   x     .    .     .    x  POST /moderation/reports/{report_id}/posts/{post_id}/sensitive
 .   .   x     .    .     .    x  POST /moderation/reports/{report_id}/warn
 .   .   x     .    .     .    x  POST /moderation/reports/{report_id}/limit
 .   .   x     .    .     .    x  POST /moderation/reports/{report_id}/suspend
 .   .   x     .    .     .    x  POST /moderation/reports/{report_id}/lift

 .   .   x     x    .     .    x  GET  /moderation/held
 .   .   x     .    .     .    x  POST /moderation/held/{post_id}/approve
 .   .   x     .    .     .    x  POST /moderation/held/{post_id}/remove

 .   .   x     x    .     .    x  GET  /moderation/appeals
 .   .   x     .    .     .    x  POST /moderation/appeals/{appeal_id}

 .   .   x     x    .     .    x  GET  /moderation/filters
 .   .   x     .    .     .    x  POST /moderation/filters/{neighbourhood_id}
 .   .   x     .    .     .    x  POST /moderation/filters/remove/{filter_id}

 .   .   x     x    .     .    x  GET  /moderation/sign-ups
 .   .   x     .    .     .    x  POST /moderation/sign-ups/{account_id}/approve
 .   .   x     .    .     .    x  GET  /moderation/sign-ups/{account_id}/refuse
 .   .   x     .    .     .    x  POST /moderation/sign-ups/{account_id}/refuse

 .   .   x     x    .     .    x  GET  /moderation/followers
 .   .   x     .    .     .    x  POST /moderation/followers/{neighbourhood_id}/approval
 .   .   x     .    .     .    x  POST /moderation/followers/{neighbourhood_id}/{account_id}/accept
 .   .   x     .    .     .    x  POST /moderation/followers/{neighbourhood_id}/{account_id}/refuse

 .   x   x     x    x     x    x  GET  /report/{account_id}
 .   x   x     x    x     x    x  POST /report/{account_id}

 .   x   -     -    -     -    -  GET  /appeals/{action_id}
 .   x   -     -    -     -    -  POST /appeals/{action_id}
 x   x   x     x    x     x    x  POST /appeals/suspended

 .   x   x     x    x     x    x  GET  /care/new
 .   x   x     x    x     x    x  POST /care
 .   .   .     .    x     x    .  GET  /care
 .   -   -     -    x     -    -  GET  /care/{signal_id}
 .   -   -     -    x     -    -  POST /care/{signal_id}/notes
 .   -   -     -    x     -    -  POST /care/{signal_id}/close

 .   x   x     x    x     x    x  GET  /survey
 .   x   x     -    x     -    -  POST /survey
 .   .   .     .    x     x    x  GET  /surveys
 .   .   .     .    x     .    x  GET  /n/{slug}/survey
 .   .   .     .    x     .    .  POST /n/{slug}/survey

 .   .   .     .    x     x    x  GET  /dashboard
 .   .   .     .    x     .    x  GET  /dashboard/{slug}
 .   .   .     .    x     .    x  GET  /dashboard/{slug}/report
 .   .   .     .    x     .    x  GET  /dashboard/{slug}/export

 .   .   .     .    .     .    x  GET  /admin
 .   .   .     .    .     .    x  POST /admin/registration
 .   .   .     .    .     .    x  POST /admin/new-accounts
 .   .   .     .    .     .    x  POST /admin/neighbourhoods
 .   .   .     .    .     .    x  POST /admin/cbs-import
 .   .   .     .    .     .    x  GET  /admin/audit

 .   .   .     .    .     .    x  GET  /admin/roles
 .   .   .     .    .     .    x  POST /admin/roles
 .   .   .     .    .     .    x  POST /admin/roles/take-back

 .   .   .     .    .     .    x  GET  /admin/domains
 .   .   .     .    .     .    x  POST /admin/domains
 .   .   .     .    .     .    x  GET  /admin/domains/export.csv
 .   .   .     .    .     .    x  POST /admin/domains/import
 .   .   .     .    .     .    x  GET  /admin/domains/{domain}/remove
 .   .   .     .    .     .    x  POST /admin/domains/{domain}/remove

 .   .   .     .    .     .    x  GET  /admin/care-retention
 .   .   .     .    .     .    x  POST /admin/care-retention

 .   .   .     .    .     .    x  GET  /admin/partners
 .   .   .     .    .     .    x  POST /admin/partners
 .   .   .     .    .     .    x  POST /admin/partners/{token_id}/revoke

 .   .   .     .    .     .    x  GET  /admin/pages/{page}
 .   .   .     .    .     .    x  POST /admin/pages/{page}

 .   .   .     .    .     .    x  GET  /admin/mail
 .   .   .     .    .     .    x  POST /admin/mail/test
 .   .   .     .    .     .    x  GET  /admin/mail/{name}

 .   .   .     .    .     .    x  GET  /admin/password-reset
 .   .   .     .    .     .    x  POST /admin/password-reset
"""
MARKS = ("x", ".", "-")
# A route belongs in the table when its path starts with one of these, or when its module asks
# for roles.
DUTY_PREFIXES = ("/moderation", "/admin", "/care", "/appeals", "/report")
ASKS_FOR_ROLES = re.compile(r"\b(require_duty|require_admin|current_roles)\b")
CSRF_REFUSAL = "Dit formulier is verlopen"
HERE, THERE = "vogelwijk", "rivierenbuurt"

# Where a path's parameter means another thing than its name says: a step that uses its thing up
# (a sign-up approved, a held post let through) gets one of its own, so that no other row finds
# it gone.
OWN_OBJECTS = {
    # A director pins their own post (`permissions.can_pin`); the others' posts are not theirs.
    "/posts/{post_id}/pin": {"post_id": "director_post_id"},
    "/posts/{post_id}/unpin": {"post_id": "director_post_id"},
    "/moderation/held/{post_id}/approve": {"post_id": "held_post_id"},
    "/moderation/held/{post_id}/remove": {"post_id": "other_held_post_id"},
    "/moderation/sign-ups/{account_id}/approve": {"account_id": "sign_up_id"},
    "/moderation/sign-ups/{account_id}/refuse": {"account_id": "other_sign_up_id"},
    "/moderation/followers/{neighbourhood_id}/{account_id}/accept": {
        "account_id": "waiting_follower_id"
    },
    "/moderation/followers/{neighbourhood_id}/{account_id}/refuse": {
        "account_id": "other_waiting_follower_id"
    },
}
# What each POST sends besides its CSRF token: a form its step accepts, so that an answer is the
# step's permission check, not its complaint about an empty field. `{name}` is an id of the world.
MEASURE = {"reason": "Dit past niet bij onze buurt.", "category": "spam"}
FOLLOW_UP = {"outcome": "talked", "text": "Gesprek gehad."}
FORMS: dict[str, dict[str, str]] = {
    "/moderation/reports/{report_id}/notes": {"note": "Ik kijk ernaar."},
    "/moderation/reports/{report_id}/close": {"decision": "resolved", "outcome": "Opgelost."},
    "/moderation/reports/{report_id}/posts/{post_id}/remove": MEASURE,
    "/moderation/reports/{report_id}/posts/{post_id}/sensitive": MEASURE,
    "/moderation/reports/{report_id}/warn": MEASURE,
    "/moderation/reports/{report_id}/limit": MEASURE,
    "/moderation/reports/{report_id}/suspend": MEASURE | {"length": "7"},
    "/moderation/reports/{report_id}/lift": MEASURE,
    "/moderation/held/{post_id}/remove": MEASURE,
    "/moderation/appeals/{appeal_id}": {"decision": "refuse", "reason": "Het blijft staan."},
    "/moderation/filters/{neighbourhood_id}": {"phrase": "oplichter"},
    "/moderation/followers/{neighbourhood_id}/approval": {"approval": "moderator"},
    "/report/{account_id}": {"category": "spam", "comment": "Reclame."},
    "/appeals/{action_id}": {"text": "Ik wil het uitleggen."},
    "/appeals/suspended": {"token": "geen", "text": "Ik wil het uitleggen."},
    "/care": {"concern": "isolation", "about": "meneer op de hoek", "text": "Hij is nooit buiten."},
    "/care/{signal_id}/notes": FOLLOW_UP,
    "/care/{signal_id}/close": FOLLOW_UP,
    "/admin/registration": {"registration_mode": "approval"},
    "/admin/new-accounts": {"days": "7", "posts_per_day": "20", "links_per_day": "5"},
    "/admin/neighbourhoods": {"slug": "dijkbuurt", "name": "Dijkbuurt"},
    "/admin/roles": {
        "username": "anna",
        "neighbourhood": "{neighbourhood_id}",
        "duty": "moderator",
    },
    "/admin/roles/take-back": {
        "username": "mara",
        "neighbourhood": "{neighbourhood_id}",
        "duty": "moderator",
    },
    "/admin/domains": {"domain": "spam.example", "severity": "suspend"},
    "/admin/domains/{domain}/remove": {"reason": "Het gaat weer goed."},
    "/admin/care-retention": {"months": "6"},
    "/admin/password-reset": {"username": "anna"},
    "/admin/pages/{page}": {"body": "Wij bewaren zo weinig mogelijk.", "action": "save"},
    "/admin/partners": {"partner": "Gemeente", "neighbourhoods": "{neighbourhood_id}"},
    "/n/{slug}/invites": {"max_uses": "5", "valid_days": "7"},
    "/n/{slug}/new-build": {"handover_on": ""},
    "/n/{slug}/figures-settings": {"cbs_code": "BU03630000", "homes": "1200"},
    "/n/{slug}/places": {"places": "Lindenstraat\nDe Linde"},
    "/survey": {"period": "{survey_period_id}", "pleasant": "agree", "at_home_mark": "7"},
    "/n/{slug}/survey": {"opens_on": "2099-01-01", "closes_on": "2099-01-28"},
    "/posts/{post_id}/pin": {"pinned_until": (date.today() + timedelta(days=7)).isoformat()},
}
# A list page, a link or form on it to one of Vogelwijk's things, and who sees that there. The
# moderator and the director of Rivierenbuurt open the same pages, and see none of it.
MODERATES_HERE = frozenset({"moderator_here", "admin"})
LISTS = {
    "/moderation": ("/moderation/reports/{report_id}", MODERATES_HERE),
    "/moderation/held": ("/moderation/held/{held_post_id}/approve", MODERATES_HERE),
    "/moderation/appeals": ("/moderation/appeals/{appeal_id}", MODERATES_HERE),
    "/moderation/filters": ("/moderation/filters/remove/{filter_id}", MODERATES_HERE),
    "/moderation/sign-ups": ("/moderation/sign-ups/{sign_up_id}/approve", MODERATES_HERE),
    "/moderation/followers": (
        "/moderation/followers/{neighbourhood_id}/approval",
        MODERATES_HERE,
    ),
    "/care": ("/care/{signal_id}", frozenset({"director_here"})),
}
BLOCK_LIST = b"#domain,#severity\nspam.example,suspend\n"
CBS_FILE = b"gwb_code_10;recs;a_woning\nBU03630000;Buurt;812\n"
FILES = {
    "/admin/domains/import": {"file": ("blocks.csv", BLOCK_LIST, "text/csv")},
    "/admin/cbs-import": {"file": ("kerncijfers.csv", CBS_FILE, "text/csv")},
}
PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    marks: dict[str, str]  # by person


def read_table(table: str) -> list[Row]:
    rows = []
    for line in table.splitlines():
        words = line.split()
        if not words or words[0] not in MARKS:
            continue  # the header, and the blank lines between groups
        assert len(words) == len(PEOPLE) + 2, f"a mark for each person, then the route: {line}"
        *marks, method, path = words
        assert set(marks) <= set(MARKS) and method in ("GET", "POST"), line
        rows.append(Row(method, path, dict(zip(PEOPLE, marks, strict=True))))
    return rows


ROWS = read_table(PERMISSIONS)


def duty_routes(app: Starlette) -> set[tuple[str, str]]:
    """(method, path) of every route that the table must hold."""
    found = set()
    for route in app.routes:
        if not isinstance(route, Route):
            continue
        module = inspect.getsource(sys.modules[route.endpoint.__module__])
        under = any(route.path == p or route.path.startswith(p + "/") for p in DUTY_PREFIXES)
        if under or ASKS_FOR_ROLES.search(module):
            found |= {(method, route.path) for method in (route.methods or set()) - {"HEAD"}}
    return found


def test_every_duty_route_is_in_the_table(app: Starlette) -> None:
    listed = [(row.method, row.path) for row in ROWS]
    routes = {
        (method, route.path)
        for route in app.routes
        if isinstance(route, Route)
        for method in route.methods or ()
    }
    stray = (set(OWN_OBJECTS) | set(FORMS) | set(FILES) | set(LISTS)) - {row.path for row in ROWS}
    problems = [
        *(
            f"add {method} {path} to the permission table"
            for method, path in sorted(duty_routes(app) - set(listed))
        ),
        *(
            f"{method} {path} is in the table but no longer a route"
            for method, path in sorted(set(listed) - routes)
        ),
        *(
            f"{method} {path} has two rows"
            for method, path in sorted({route for route in listed if listed.count(route) > 1})
        ),
        *(f"{path} has a form or objects but no row" for path in sorted(stray)),
    ]
    assert not problems, f"in {__name__}:\n" + "\n".join(problems)


@dataclass
class World:
    app: Starlette
    database: Database
    people: dict[str, Account]
    ids: dict[str, int | str]  # what the paths' parameters name, by name

    async def browser(self, person: str) -> httpx.AsyncClient:
        """A browser of the person's own, logged in (but for the visitor)."""
        if person == "visitor":
            return browser_for(self.app)
        async with self.database.transaction() as session:
            token = await login_sessions.start_session(session, self.people[person])
        return browser_for(self.app, cookies={SESSION_COOKIE: token})

    def path(self, route: str) -> str:
        """The route with the world's ids; KeyError names a parameter it has none for."""
        names = OWN_OBJECTS.get(route, {})
        return PARAMETER.sub(
            lambda found: str(self.ids[names.get(found.group(1), found.group(1))]), route
        )


async def living_in(
    database: Database,
    name: str,
    place: Neighbourhood,
    *,
    duty: Duty | None = None,
    role: Role = Role.RESIDENT,
) -> Account:
    return await make_account(database, name, neighbourhood=place, duty=duty, role=role)


async def sign_up(database: Database, name: str, place: Neighbourhood) -> int:
    """Someone who signed up and waits for a moderator."""
    new = accounts.NewAccount(
        name,
        f"{name}@example.org",
        PASSWORD,
        status=AccountStatus.PENDING,
        neighbourhood_id=place.id,
    )
    async with database.transaction() as session:
        account = await accounts.create_account(session, new)
    assert account.id is not None
    return account.id


async def waiting_follower(database: Database, name: str, place: Neighbourhood) -> int:
    """Someone elsewhere who asked to follow the neighbourhood and waits for a moderator."""
    person, _ = await person_elsewhere(database, name)
    assert person.id is not None and place.id is not None
    async with database.transaction() as session:
        session.add(
            NeighbourhoodFollower(
                neighbourhood_id=place.id,
                account_id=person.id,
                uri=f"{person.actor_uri}#follow",
                accepted=False,
            )
        )
    return person.id


@pytest.fixture
async def world(app: Starlette, database: Database) -> World:
    async with database.transaction() as session:
        here = await neighbourhoods.create_neighbourhood(session, HERE, "Vogelwijk")
        there = await neighbourhoods.create_neighbourhood(session, THERE, "Rivierenbuurt")
    people = {
        "resident": await living_in(database, "anna", here),
        "moderator_here": await living_in(database, "mees", here, duty=Duty.MODERATOR),
        "moderator_there": await living_in(database, "teun", there, duty=Duty.MODERATOR),
        "director_here": await living_in(database, "dirk", here, duty=Duty.DIRECTOR),
        "director_there": await living_in(database, "dora", there, duty=Duty.DIRECTOR),
        "admin": await living_in(database, "beheer", there, role=Role.ADMIN),
    }
    ids = await things_in(database, here, people)
    ids["page"] = SitePageSlug.PRIVACY.value
    ids["name"] = await kept_mail(app, people["admin"])
    return World(app, database, people, ids)


async def kept_mail(app: Starlette, admin: Account) -> str:
    """A mail in the folder of an instance without SMTP server, for `/admin/mail/{name}`."""
    found: Services = app.state.services
    await MailFolder(found.settings.mail_folder).send(
        build_message(found.letters.write("test", admin), sender="a@b.nl", instance_name="Test")
    )
    return MailFolder(found.settings.mail_folder).newest()[0].name


async def things_in(
    database: Database, here: Neighbourhood, people: dict[str, Account]
) -> dict[str, int | str]:
    """One of each thing a path names, in Vogelwijk. Mara (another moderator there) took the
    measures, so that the moderator here may decide on their appeal."""
    author = await living_in(database, "bram", here)
    reporter = await living_in(database, "carla", here)
    mara = await living_in(database, "mara", here, duty=Duty.MODERATOR)
    public = Visibility.PUBLIC
    reported = await write_post(database, author, "Koop nu goedkope horloges", visibility=public)
    removed = await write_post(database, author, "Jij bent een waardeloze buur", visibility=public)
    measure = actions.Measure("Dit is intimidatie.", "harassment")
    assert here.id and author.id and reported.id and removed.id and people["resident"].id
    async with database.transaction() as session:
        roles = await permissions.roles_of(session, mara)
        await word_filters.add_phrase(session, mara, roles, here.id, "idioot")
        draft = reports.ReportDraft("spam", "Zie hieronder", (reported.id,))
        report = await reports.file_report(session, reporter, author.id, draft)
        removal = await actions.remove_post(session, mara, roles, removed.id, measure)
        assert removal.id is not None
        appeal = await appeals.file_appeal(session, author, removal.id, "Dit was een grap.")
        limit = await actions.limit(session, mara, roles, people["resident"].id, measure)
        worry = care_signals.CareDraft("isolation", "meneer op de hoek", "Nooit meer buiten.")
        signal = await care_signals.raise_signal(session, reporter, worry)
        await domain_blocks.set_block(session, None, domain_blocks.BlockTerms("blocked.example"))
        invite = await invites.create_invite(session, here, people["director_here"])
        survey = await open_survey(session, people["director_here"], here.id)
        admin_roles = await permissions.roles_of(session, people["admin"])
        partner, _ = await partner_tokens.issue(session, admin_roles, "Gemeente", [here.id])
        filter_id = (await session.exec(select(WordFilter.id))).one()
    held = [
        await write_post(database, author, f"Die idioot op nummer {n}", visibility=public)
        for n in (3, 5)
    ]
    assert all(post.moderation == ModerationState.HELD for post in held)
    found: dict[str, int | str | None] = {
        "slug": here.slug,
        "neighbourhood_id": here.id,
        "report_id": report.id,
        "post_id": reported.id,
        "account_id": author.id,
        "action_id": limit.id,
        "appeal_id": appeal.id,
        "signal_id": signal.id,
        "filter_id": filter_id,
        "invite_id": invite.id,
        "survey_period_id": survey.id,
        "token_id": partner.id,
        "domain": "blocked.example",
        "held_post_id": held[0].id,
        "other_held_post_id": held[1].id,
        "sign_up_id": await sign_up(database, "erik", here),
        "other_sign_up_id": await sign_up(database, "fenna", here),
        "waiting_follower_id": await waiting_follower(database, "bob", here),
        "other_waiting_follower_id": await waiting_follower(database, "carol", here),
        "director_post_id": (
            await write_post(database, people["director_here"], "Opruimdag", visibility=public)
        ).id,
    }
    assert None not in found.values(), found
    return {name: value for name, value in found.items() if value is not None}


async def open_survey(session: AsyncSession, director: Account, place_id: int) -> SurveyPeriod:
    """A survey open in Vogelwijk: from yesterday on the test's calendar, so that it is open on
    the instance's calendar too (a few hours ahead at most)."""
    today = date.today()
    roles = await permissions.roles_of(session, director)
    return await surveys.open_period(
        session, roles, place_id, today - timedelta(days=1), today + timedelta(days=28), today
    )


# What a mark (or a visitor's refusal) asks of an answer, for the messages.
WANTED = {"x": "a pass", ".": "403", "-": "404", "login": "a redirect to /login"}


def outcome_of(response: httpx.Response) -> str:
    """The table's mark for an answer; or what is wrong with it (an expired form, a budget used
    up, a crash), which no mark asks for."""
    if response.is_redirect and urlsplit(response.headers["location"]).path == "/login":
        return "login"
    if response.status_code == 403:
        return "a refused CSRF token" if CSRF_REFUSAL in response.text else "."
    if response.status_code == 404:
        return "-"
    if response.status_code in (401, 429) or response.status_code >= 500:
        return str(response.status_code)
    return "x"


def listing_problems(world: World, person: str, page: str, html: str) -> list[str]:
    """Whether a list page shows Vogelwijk's thing to this person: only if it is theirs to see."""
    link, seen_by = LISTS[page]
    target = link.format_map(world.ids)
    if (f'"{target}"' in html) == (person in seen_by):
        return []
    return [f"GET {page}: {'lacks' if person in seen_by else 'shows'} {target} of Vogelwijk"]


async def answer(world: World, browser: httpx.AsyncClient, row: Row, token: str) -> httpx.Response:
    path = world.path(row.path)
    if row.method == "GET":
        return await browser.get(path)
    form = {name: value.format_map(world.ids) for name, value in FORMS.get(row.path, {}).items()}
    return await browser.post(path, data={"csrf_token": token, **form}, files=FILES.get(row.path))


@pytest.mark.parametrize("person", PEOPLE)
async def test_each_person_passes_where_the_table_says_and_is_refused_elsewhere(
    world: World, person: str
) -> None:
    problems = []
    async with await world.browser(person) as browser:
        # A token is bound to the browser and the login, not to a page: one serves every form.
        token = await csrf_token(browser, "/login" if person == "visitor" else "/settings")
        # Pages first: a step may use up what a page shows (a sign-up refused).
        for row in sorted(ROWS, key=lambda row: row.method != "GET"):
            try:
                response = await answer(world, browser, row, token)
            except KeyError as unknown:
                problems.append(
                    f"{row.path}: the world has no id for {unknown}: add one in `things_in` "
                    "(or name another in OWN_OBJECTS)"
                )
                continue
            wanted = (
                "login" if person == "visitor" and row.marks[person] != "x" else row.marks[person]
            )
            got = outcome_of(response)
            if got != wanted:
                status = f"{response.status_code} {response.headers.get('location', '')}"
                problems.append(
                    f"{row.method} {row.path}: {WANTED[wanted]} expected, "
                    f"got {WANTED.get(got, got)} ({status.strip()})"
                )
            elif got == "x" and row.method == "GET" and row.path in LISTS:
                problems.extend(listing_problems(world, person, row.path, response.text))
    assert not problems, f"as {person}:\n" + "\n".join(problems)
