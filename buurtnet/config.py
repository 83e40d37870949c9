"""Settings from BUURTNET_* environment variables.

Everything is read once, by the command line or by `create_app`, and passed down; nothing here
runs at import time. A missing or malformed value raises `SettingsError` naming the variable, so
the program can stop with one clear line.
"""

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urlsplit

from buurtnet.core.local_times import zone_or_none

PREFIX = "BUURTNET_"
SECRET_KEY_FILE = "secret_key"
MIN_SECRET_KEY_LENGTH = 32
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
DEFAULT_TIME_ZONE = "Europe/Amsterdam"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class SmtpSecurity(StrEnum):
    STARTTLS_IF_OFFERED = "smtp"  # smtp://: STARTTLS when the server offers it (as on port 25)
    STARTTLS = "smtp+starttls"  # smtp+starttls://: refuse to send unless STARTTLS succeeds (587)
    TLS = "smtps"  # smtps://: TLS from the first byte (port 465)


DEFAULT_SMTP_PORTS = {
    SmtpSecurity.STARTTLS_IF_OFFERED: 25,
    SmtpSecurity.STARTTLS: 587,
    SmtpSecurity.TLS: 465,
}


@dataclass(frozen=True)
class SmtpServer:
    """Where mail goes out, from `BUURTNET_SMTP_URL`; the password never appears in a repr."""

    host: str
    port: int
    security: SmtpSecurity
    username: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Settings:
    database_url: str
    base_url: str
    secret_key: str
    data_dir: Path
    allow_private_networks: bool = False
    instance_name: str = "Buurtnet"
    embedded_worker: bool = True
    forwarded_allow_ips: str = "127.0.0.1"
    time_zone: str = DEFAULT_TIME_ZONE
    inbox_limit: int = 300  # inbox requests per address in 5 minutes; 0: no limit
    flag_limit: int = 20  # reports (`Flag`s) one server may send in an hour; 0: no limit
    # k of the liveability figures: a figure resting on fewer people is not shown; never below 5
    # (core/disclosure). Set by whoever runs the instance, not in the web interface, so that it
    # cannot be lowered for a moment to read a small figure.
    disclosure_threshold: int = 10
    # E-mail: without an SMTP server, mail is written to `data_dir/mail` (the demo, development),
    # where an admin reads it at /admin/mail.
    smtp: SmtpServer | None = None
    mail_from: str = ""

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def mail_folder(self) -> Path:
        return self.data_dir / "mail"

    @property
    def sender(self) -> str:
        """The From address: `BUURTNET_MAIL_FROM`, else noreply at the public host name."""
        return self.mail_from or f"noreply@{urlsplit(self.base_url).hostname}"

    @property
    def host(self) -> str:
        """The public host name (with port, if any): the `@host` of every account."""
        return urlsplit(self.base_url).netloc


def load_settings(
    environ: Mapping[str, str] | None = None, *, default_base_url: str = "http://127.0.0.1:8000"
) -> Settings:
    """Read the settings; create the data folder and, on SQLite, a lasting secret key."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get(PREFIX + "DATA_DIR") or "data").expanduser().resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SettingsError(
            f"{PREFIX}DATA_DIR: cannot create folder {data_dir}: {error.strerror}"
        ) from error
    database_url = normalise_database_url(
        env.get(PREFIX + "DATABASE_URL") or f"sqlite:///{data_dir / 'buurtnet.sqlite3'}"
    )
    return Settings(
        database_url=database_url,
        base_url=normalise_base_url(env.get(PREFIX + "BASE_URL") or default_base_url),
        secret_key=read_secret_key(env.get(PREFIX + "SECRET_KEY"), database_url, data_dir),
        data_dir=data_dir,
        allow_private_networks=parse_bool(env, "ALLOW_PRIVATE_NETWORKS", default=False),
        instance_name=(env.get(PREFIX + "INSTANCE_NAME") or "Buurtnet").strip()[:60],
        embedded_worker=parse_bool(env, "EMBEDDED_WORKER", default=True),
        forwarded_allow_ips=(env.get(PREFIX + "FORWARDED_ALLOW_IPS") or "127.0.0.1").strip(),
        time_zone=check_time_zone(env.get(PREFIX + "TIME_ZONE") or DEFAULT_TIME_ZONE),
        inbox_limit=parse_count(env, "INBOX_LIMIT", default=300),
        flag_limit=parse_count(env, "FLAG_LIMIT", default=20),
        disclosure_threshold=max(parse_count(env, "DISCLOSURE_THRESHOLD", default=10), 5),
        smtp=parse_smtp_url(env.get(PREFIX + "SMTP_URL") or ""),
        mail_from=check_mail_from(env.get(PREFIX + "MAIL_FROM") or ""),
    )


def parse_smtp_url(url: str) -> SmtpServer | None:
    """`smtp[s|+starttls]://[user:password@]host[:port]`; user and password percent-encoded."""
    if not url.strip():
        return None
    parts = urlsplit(url.strip())
    try:
        security = SmtpSecurity(parts.scheme)
        port = parts.port
    except ValueError as error:
        raise SettingsError(
            f"{PREFIX}SMTP_URL: use smtp://, smtp+starttls:// or smtps://HOST[:PORT]"
        ) from error
    if not parts.hostname or parts.path not in ("", "/"):
        raise SettingsError(f"{PREFIX}SMTP_URL: give a host, like smtps://mail.example.nl")
    return SmtpServer(
        host=parts.hostname,
        port=port or DEFAULT_SMTP_PORTS[security],
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def check_mail_from(address: str) -> str:
    """A bare address (`buurt@example.nl`) or one with a name (`Buurtnet <buurt@example.nl>`)."""
    address = address.strip()
    if address and "@" not in parseaddr(address)[1]:
        raise SettingsError(f"{PREFIX}MAIL_FROM: not an e-mail address: {address!r}")
    return address


def normalise_database_url(url: str) -> str:
    """Accept the usual spellings and pick the async driver for each database."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        raise SettingsError(f"{PREFIX}DATABASE_URL: not a URL: {url!r}")
    drivers = {
        "sqlite": "sqlite+aiosqlite",
        "sqlite+aiosqlite": "sqlite+aiosqlite",
        "postgres": "postgresql+asyncpg",
        "postgresql": "postgresql+asyncpg",
        "postgresql+asyncpg": "postgresql+asyncpg",
    }
    if scheme not in drivers:
        raise SettingsError(
            f"{PREFIX}DATABASE_URL: use sqlite:///PATH or postgresql://…, not {scheme}://"
        )
    return f"{drivers[scheme]}://{rest}"


def normalise_base_url(url: str) -> str:
    """The public origin: scheme, host and optional port, without a path or trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{PREFIX}BASE_URL: must look like https://buurt.example.nl")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SettingsError(f"{PREFIX}BASE_URL: give only the origin, without a path")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as error:
        raise SettingsError(f"{PREFIX}BASE_URL: malformed port in {url!r}") from error
    return f"{parts.scheme}://{parts.netloc.lower()}"


def read_secret_key(given: str | None, database_url: str, data_dir: Path) -> str:
    """Use the given key; on SQLite generate one once and keep it in the data folder."""
    if given:
        if len(given) < MIN_SECRET_KEY_LENGTH:
            raise SettingsError(
                f"{PREFIX}SECRET_KEY: use at least {MIN_SECRET_KEY_LENGTH} random characters"
            )
        return given
    if not database_url.startswith("sqlite"):
        raise SettingsError(
            f"{PREFIX}SECRET_KEY: required with PostgreSQL, so that every process shares it "
            "(generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    key_file = data_dir / SECRET_KEY_FILE
    if not key_file.exists():
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    key = key_file.read_text().strip()
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(f"{PREFIX}SECRET_KEY: the key in {key_file} is too short")
    return key


def check_time_zone(name: str) -> str:
    """The IANA name of the time zone that dates on pages are shown in."""
    if zone_or_none(name) is None:
        raise SettingsError(f"{PREFIX}TIME_ZONE: unknown time zone {name!r}")
    return name


def parse_bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(PREFIX + name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingsError(f"{PREFIX}{name}: use true or false, not {raw!r}")


def parse_count(env: Mapping[str, str], name: str, *, default: int) -> int:
    raw = (env.get(PREFIX + name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise SettingsError(f"{PREFIX}{name}: use a whole number, not {raw!r}")
    return int(raw)
