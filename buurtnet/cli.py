"""The `buurtnet` command. Every error is one readable line and a non-zero exit."""

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

import uvicorn
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet import schema
from buurtnet.app import job_registry, media_storage
from buurtnet.config import PREFIX, Settings, SettingsError, load_settings
from buurtnet.core import (
    accounts,
    cbs_import,
    demo,
    export_requests,
    metric_exports,
    metric_periods,
    metric_rollups,
    neighbourhoods,
)
from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.core.export_requests import ExportFormat
from buurtnet.core.local_times import local_day
from buurtnet.core.metric_figures import Audience
from buurtnet.db import Database
from buurtnet.federation.context import make_federation
from buurtnet.job_queue import Worker
from buurtnet.mail import digest_mail
from buurtnet.mail.letters import Letters
from buurtnet.models import Duty, Neighbourhood, Role, utcnow
from buurtnet.moderation import domain_blocks, figure_settings, roles
from buurtnet.storage import MediaStorage
from buurtnet.web.i18n import load_all_translations
from buurtnet.web.messages import FORM_MESSAGES

log = logging.getLogger("buurtnet")


class CliError(Exception):
    """A problem to report as one line."""


class UsageError(CliError):
    """An argument that is wrong (a neighbourhood that does not exist): exit code 2, as
    argparse's own."""


USAGE_STATUS = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="buurtnet", description="Buurtnet: the neighbourhood network."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the web server (with the embedded worker)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="web processes (PostgreSQL only)")

    commands.add_parser("worker", help="run a job worker (production, next to web processes)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    commands.add_parser("demo", help="create a demo neighbourhood and print its logins")

    user = commands.add_parser("user", help="manage accounts").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    create_user = user.add_parser("create", help="create an account")
    create_user.add_argument("username")
    create_user.add_argument("--email", required=True)
    create_user.add_argument(
        "--password-stdin", action="store_true", required=True, help="read the password from stdin"
    )
    create_user.add_argument(
        "--role",
        choices=[*(role.value for role in Role), *(duty.value for duty in Duty)],
        default="resident",
        help="moderator and director hold their duty in --neighbourhood",
    )
    create_user.add_argument("--neighbourhood", metavar="SLUG")
    create_user.add_argument("--display-name", default="")

    neighbourhood = commands.add_parser(
        "neighbourhood", help="manage neighbourhoods"
    ).add_subparsers(dest="action", required=True, metavar="ACTION")
    create_neighbourhood = neighbourhood.add_parser("create", help="create a neighbourhood")
    create_neighbourhood.add_argument("slug")
    create_neighbourhood.add_argument("--name", required=True)
    create_neighbourhood.add_argument("--description", default="")
    create_neighbourhood.add_argument(
        "--handover",
        metavar="YYYY-MM-DD",
        type=date.fromisoformat,
        help="a new-build neighbourhood: the day its keys are handed over",
    )
    neighbourhood.add_parser(
        "import-cbs",
        help="the number of homes of each neighbourhood with a CBS code, from a CSV of CBS "
        "'Kerncijfers wijken en buurten' (docs/liveability.md)",
    ).add_argument("file", metavar="FILE", type=Path)

    domain = commands.add_parser(
        "domain", help="suspend other servers, or lift a block (more on the page /admin/domains)"
    ).add_subparsers(dest="action", required=True, metavar="ACTION")
    for action, text in (
        ("suspend", "take nothing in from a server, send it nothing"),
        ("allow", "lift a server's block"),
    ):
        domain.add_parser(action, help=text).add_argument("domain")
    domain.add_parser("list", help="list the blocked servers, each with its severity")

    role = commands.add_parser(
        "role", help="appoint moderators and directors of a neighbourhood"
    ).add_subparsers(dest="action", required=True, metavar="ACTION")
    for action, text in (("grant", "give someone a duty"), ("revoke", "take a duty back")):
        change_role = role.add_parser(action, help=text)
        change_role.add_argument("username")
        change_role.add_argument("neighbourhood", metavar="NEIGHBOURHOOD_SLUG")
        change_role.add_argument("duty", choices=[duty.value for duty in Duty])

    metrics = commands.add_parser(
        "metrics", help="the liveability figures per neighbourhood (docs/liveability.md)"
    ).add_subparsers(dest="action", required=True, metavar="ACTION")
    rebuild_help = (
        "compute every week's and month's figures again, up to today; this may change "
        "published figures (after accounts were deleted or posts removed, say)"
    )
    metrics.add_parser("rebuild", help=rebuild_help, description=rebuild_help).add_argument(
        "--since",
        metavar="YYYY-MM-DD",
        type=date.fromisoformat,
        help="the first day (default: the day of the oldest account or post)",
    )
    export = metrics.add_parser(
        "export",
        help="print a neighbourhood's figures of a month as partners get them (never care "
        "signals); noted in the audit log",
    )
    export.add_argument("--neighbourhood", metavar="SLUG", required=True)
    export.add_argument("--period", metavar="YYYY-MM", required=True, type=month_argument)
    export.add_argument("--format", choices=[kind.value for kind in ExportFormat], default="json")
    return parser


def month_argument(text: str) -> str:
    """A month as `2026-01`; argparse answers anything else with its usage and exit code 2."""
    if metric_periods.parse_month(text) is None:
        raise argparse.ArgumentTypeError(f"not a month like 2026-01: {text!r}")
    return text.strip()


def main(argv: Sequence[str] | None = None) -> NoReturn:
    arguments = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Alembic chats at INFO on every schema check; `migrate` prints its own summary instead.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        run_command(arguments)
    except KeyboardInterrupt:
        sys.exit(130)
    except UsageError as error:
        fail(str(error), status=USAGE_STATUS)
    except (CliError, SettingsError) as error:
        fail(str(error))
    except InvalidInput as error:
        fail(
            "; ".join(
                f"{field}: {FORM_MESSAGES.get(code, code)}" for field, code in error.errors.items()
            )
        )
    except (OperationalError, DBAPIError, OSError) as error:
        fail(f"cannot use the database: {first_line(error)}")
    except Exception as error:  # the last line of defence: one line, never a traceback
        log.debug("unexpected error", exc_info=error)
        fail(f"unexpected error: {type(error).__name__}: {first_line(error)}")
    sys.exit(0)


def run_command(arguments: argparse.Namespace) -> None:
    if arguments.command == "serve":
        serve(arguments.host, arguments.port, arguments.workers)
        return
    settings = load_settings()
    if arguments.command == "migrate":
        command = lambda database: migrate(database, announce=True)  # noqa: E731
        asyncio.run(with_database(settings, command, needs_schema=False))
        return
    commands: dict[str, Callable[[Database], Awaitable[None]]] = {
        "worker": lambda database: run_worker(database, media_storage(settings), settings),
        "demo": lambda database: create_demo(database, settings),
        "user": lambda database: create_user(database, arguments),
        "neighbourhood": lambda database: (
            import_cbs(database, arguments.file)
            if arguments.action == "import-cbs"
            else create_neighbourhood(database, arguments)
        ),
        "domain": lambda database: manage_domain(database, arguments),
        "role": lambda database: change_role(database, arguments),
        "metrics": lambda database: run_metrics(database, arguments, settings),
    }
    asyncio.run(with_database(settings, commands[arguments.command]))


async def with_database(
    settings: Settings,
    command: Callable[[Database], Awaitable[None]],
    *,
    needs_schema: bool = True,
) -> None:
    """Run a command on the database; the embedded SQLite database is migrated on first use."""
    database = Database(settings.database_url)
    try:
        if needs_schema and not await schema.is_up_to_date(database):
            if not settings.is_sqlite:
                raise CliError(
                    "the database schema is not up to date: run `buurtnet migrate` first"
                )
            await migrate(database, announce=True)
        await command(database)
    finally:
        await database.dispose()


async def migrate(database: Database, *, announce: bool) -> None:
    before = await schema.current_revision(database)
    head = schema.head_revision()
    if before == head:
        if announce:
            print(f"The database is up to date (revision {head}).")
        return
    print(f"Migrating the database from {before or 'empty'} to {head} …", flush=True)
    await schema.upgrade(database)
    print("Done.", flush=True)


async def run_worker(database: Database, storage: MediaStorage, settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    log.info("worker started; stop with Ctrl+C")
    federation = make_federation(settings, database)
    try:
        await Worker(database, job_registry(storage, federation)).run(stop)
    finally:
        await federation.aclose()


async def manage_domain(database: Database, arguments: argparse.Namespace) -> None:
    async with database.transaction() as session:
        if arguments.action == "suspend":
            await domain_blocks.suspend(session, arguments.domain)
            print(f"Suspended {domain_blocks.clean_domain(arguments.domain)}.")
        elif arguments.action == "allow":
            if not await domain_blocks.remove_block(session, None, arguments.domain):
                raise CliError(f"{arguments.domain} is not blocked")
            print(f"{domain_blocks.clean_domain(arguments.domain)} may federate again.")
        else:
            for block in await domain_blocks.all_blocks(session):
                print(f"{block.domain}\t{block.severity}")


async def create_demo(database: Database, settings: Settings) -> None:
    letters = Letters(settings, load_all_translations())
    async with database.transaction() as session:
        neighbourhood, logins = await demo.create_demo(session, time_zone=settings.time_zone)
        # Their weekly digests at once, with today's news: the admin's mail folder shows one.
        usernames = [login.username for login in logins]
        await digest_mail.queue_first_digests(session, letters, usernames)
    # The path only: `serve` prints the address, whose port `demo` cannot know.
    print(f"Demo neighbourhood: {neighbourhood.name}, at /n/{neighbourhood.slug}")
    print("Log in with one of these names and the password", repr(demo.DEMO_PASSWORD) + ":")
    for login in logins:
        print(f"  {login.username:<10} {login.role:<10} /n/{login.neighbourhood}")


async def create_user(database: Database, arguments: argparse.Namespace) -> None:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CliError(
            "give the password on standard input, e.g. `echo … | buurtnet user create …`"
        )
    duty = roles.duty_named(arguments.role)
    async with database.transaction() as session:
        neighbourhood_id = None
        if arguments.neighbourhood:
            neighbourhood_id = (await neighbourhood_named(session, arguments.neighbourhood)).id
        elif duty is not None:
            raise CliError(f"a {duty} needs --neighbourhood")
        account = await accounts.create_account(
            session,
            accounts.NewAccount(
                username=arguments.username,
                email=arguments.email,
                password=password,
                display_name=arguments.display_name,
                role=Role.ADMIN if arguments.role == Role.ADMIN else Role.RESIDENT,
                neighbourhood_id=neighbourhood_id,
                email_confirmed=True,  # an admin made it
            ),
        )
        if duty is not None:  # given as `role grant` gives it: logged
            wanted = roles.Appointment(account.username, neighbourhood_id, duty)
            await roles.appoint(session, None, roles.COMMAND_LINE, wanted)
    print(f"Created {arguments.role} {account.username}.")


async def change_role(database: Database, arguments: argparse.Namespace) -> None:
    """`role grant` and `role revoke`, as an admin would on the roles page (and logged alike)."""
    granting = arguments.action == "grant"
    async with database.transaction() as session:
        neighbourhood = await neighbourhood_named(session, arguments.neighbourhood)
        wanted = roles.Appointment(arguments.username, neighbourhood.id, Duty(arguments.duty))
        decide = roles.appoint if granting else roles.take_back
        changed = await decide(session, None, roles.COMMAND_LINE, wanted)
    where = f"{arguments.duty} of {neighbourhood.name}"
    if granting:
        print(f"{arguments.username} {'is now' if changed else 'already was'} {where}.")
    else:
        print(f"{arguments.username} {'is no longer' if changed else 'was not'} {where}.")


async def neighbourhood_named(session: AsyncSession, slug: str) -> Neighbourhood:
    try:
        return await neighbourhoods.get_by_slug(session, slug)
    except NotFound as error:
        raise CliError(f"there is no neighbourhood {slug!r}") from error


async def create_neighbourhood(database: Database, arguments: argparse.Namespace) -> None:
    async with database.transaction() as session:
        created = await neighbourhoods.create_neighbourhood(
            session,
            arguments.slug,
            arguments.name,
            arguments.description,
            handover_on=arguments.handover,
        )
    print(f"Created neighbourhood {created.name} at /n/{created.slug}.")


async def import_cbs(database: Database, path: Path) -> None:
    """As an admin's upload on /admin does, with the lines read told on the way."""
    try:
        with path.open("rb") as file:
            data = file.read(cbs_import.MAX_BYTES + 1)
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror or error}") from error
    read = cbs_import.read_cbs_csv(data, lambda lines: print(f"{lines} lines read …", flush=True))
    async with database.transaction() as session:
        report = await figure_settings.import_homes(session, None, read)
    print(f"{read.buurten} CBS buurten in the file ({read.shape}).")
    print(f"{len(report.updated)} neighbourhoods updated.")
    for change in report.updated:
        print(f"  {change.name} ({change.cbs_code}): {change.before or 'none'} → {change.after}")
    for names, what in (
        (report.unchanged, "Already up to date"),
        (report.unknown, "CBS gives no number of homes"),
        ([change.name for change in report.refused], "CBS counts no homes, not changed"),
        (report.missing, "Not in the file"),
    ):
        if names:
            print(f"{what}: {', '.join(names)}.")
    for problem in read.problems:
        where = f"line {problem.line}" + (f" ({problem.code})" if problem.code else "")
        print(f"{where}: {FORM_MESSAGES.get(problem.problem, problem.problem)}")
    if read.more_problems:
        print(f"… and {read.more_problems} more lines that were not read.")


async def run_metrics(
    database: Database, arguments: argparse.Namespace, settings: Settings
) -> None:
    zone = ZoneInfo(settings.time_zone)  # checked when the settings were read
    if arguments.action == "rebuild":
        await rebuild_metrics(database, arguments.since, zone)
    elif arguments.action == "export":
        await export_metrics(database, arguments, settings)


async def export_metrics(
    database: Database, arguments: argparse.Namespace, settings: Settings
) -> None:
    """The figures on standard output, under the rules of the partners' API."""
    context = metric_exports.context_now(
        settings.instance_name,
        settings.base_url,
        settings.disclosure_threshold,
        ZoneInfo(settings.time_zone),
    )
    try:
        wanted = export_requests.one_month(arguments.period, context.today)
    except InvalidInput as error:
        code = next(iter(error.errors.values()))
        raise UsageError(f"--period: {FORM_MESSAGES.get(code, code)}") from error
    async with database.transaction() as session:
        try:
            place = await neighbourhoods.get_by_slug(session, arguments.neighbourhood)
        except NotFound as error:
            raise UsageError(f"there is no neighbourhood {arguments.neighbourhood!r}") from error
        exported = await metric_exports.export(
            session,
            [place],
            wanted,
            ExportFormat(arguments.format),
            Audience.PARTNER,
            metric_exports.COMMAND_LINE,
            context,
        )
    sys.stdout.write(exported.content)


async def rebuild_metrics(database: Database, since: date | None, zone: ZoneInfo) -> None:
    """Every neighbourhood's weeks and months from `since` to today, committed as it goes."""
    today = local_day(utcnow(), zone)
    if since is None:
        async with database.reading() as session:
            since = await metric_rollups.first_day(session, zone) or today
    count = await metric_rollups.rebuild_in_steps(database, since, today, zone, show_progress)
    print(f"Computed the figures of {count} periods, from {since} to {today}.")


def progress_bar(done: int, total: int, width: int = 30) -> str:
    """`[#########.....................] 12/40 periods`"""
    filled = width * done // total if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} periods"


def show_progress(done: int, total: int) -> None:
    """The bar on one line of the terminal, redrawn; a new line when all is done."""
    sys.stderr.write("\r" + progress_bar(done, total) + ("\n" if done == total else ""))
    sys.stderr.flush()


def serve(host: str, port: int, workers: int) -> None:
    default_base_url = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    settings = load_settings(default_base_url=default_base_url)
    if workers > 1 and settings.is_sqlite:
        raise CliError("several web processes need PostgreSQL; on SQLite use --workers 1")
    asyncio.run(with_database(settings, check_only))
    os.environ.setdefault(PREFIX + "BASE_URL", settings.base_url)
    print(f"Buurtnet runs at {settings.base_url}  (stop with Ctrl+C)", flush=True)
    uvicorn.run(
        "buurtnet.asgi:application",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_level="info",
        access_log=False,  # paths can hold invite codes; the proxy in front keeps its own log
        server_header=False,
    )


async def check_only(_database: Database) -> None:
    """Nothing more than `with_database` does: migrate SQLite, or check PostgreSQL's schema."""


def first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def fail(message: str, status: int = 1) -> NoReturn:
    print(f"buurtnet: {message}", file=sys.stderr)
    sys.exit(status)
