"""Unsubscribe links that work without logging in, from the mail itself (RFC 8058).

The token names the account and the topic and carries an HMAC of both under the instance's secret
key: it cannot be guessed or changed to another account, and needs no table. It does not expire,
as a mail may be read months later; it can only switch mail off.
"""

import hashlib
import hmac
from enum import StrEnum

SIGNATURE_LENGTH = 32  # hex characters: 128 bits


class Topic(StrEnum):
    NOTIFICATIONS = "notifications"  # notifications by e-mail (`Account.mail_kinds`)
    DIGEST = "digest"  # the weekly digest of the neighbourhood


def _signature(secret_key: str, account_id: int, topic: Topic) -> str:
    message = f"unsubscribe\x1f{account_id}\x1f{topic}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:SIGNATURE_LENGTH]


def unsubscribe_token(secret_key: str, account_id: int, topic: Topic) -> str:
    return f"{account_id}.{topic}.{_signature(secret_key, account_id, topic)}"


def unsubscribe_path(secret_key: str, account_id: int, topic: Topic) -> str:
    return f"/mail/unsubscribe/{unsubscribe_token(secret_key, account_id, topic)}"


def read_unsubscribe_token(secret_key: str, token: str) -> tuple[int, Topic] | None:
    """The account and topic a token stands for, or None when it is not one of ours."""
    account_part, _, rest = token.partition(".")
    topic_part, _, signature = rest.partition(".")
    if not account_part.isdigit() or len(account_part) > 18 or topic_part not in set(Topic):
        return None
    account_id, topic = int(account_part), Topic(topic_part)
    if not hmac.compare_digest(signature, _signature(secret_key, account_id, topic)):
        return None
    return account_id, topic
