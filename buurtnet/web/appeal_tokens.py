"""A signed, short-lived token that lets a suspended person appeal without logging in.

It is handed out only on the page shown after the right password, and names the account and the
suspension: an HMAC with the instance's secret key over both ids and the moment it expires."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from buurtnet.db import parse_row_id

LIFETIME = timedelta(hours=1)
PURPOSE = "appeal"


@dataclass(frozen=True)
class AppealGrant:
    """Who may appeal which action, as the token says."""

    account_id: int
    action_id: int


def make_token(secret_key: str, grant: AppealGrant, now: datetime) -> str:
    expires = int((now + LIFETIME).timestamp())
    body = f"{grant.account_id}.{grant.action_id}.{expires}"
    return f"{body}.{_signature(secret_key, body)}"


def read_token(secret_key: str, token: str, now: datetime) -> AppealGrant | None:
    """The grant of a token we made that has not expired; None for anything else."""
    body, _, signature = token.rpartition(".")
    if not hmac.compare_digest(_signature(secret_key, body).encode(), signature.encode()):
        return None
    fields = body.split(".")
    if len(fields) != 3 or not (fields[2].isascii() and fields[2].isdigit()):
        return None
    account_id, action_id = parse_row_id(fields[0]), parse_row_id(fields[1])
    if account_id is None or action_id is None or int(fields[2]) < now.timestamp():
        return None
    return AppealGrant(account_id, action_id)


def _signature(secret_key: str, body: str) -> str:
    message = f"{PURPOSE}\x1f{body}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()
