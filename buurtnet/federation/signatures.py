"""HTTP Signatures (draft-cavage) as Mastodon sends and verifies them.

Pure functions: the caller looks up the sender's key and passes it in, and decides what a
verdict means for the response. `cryptography` does the RSA work directly: `httpsig` checks
neither the Digest nor the Date (INTEROP.md), and going through it would be slower.
"""

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import formatdate, parsedate_to_datetime
from enum import StrEnum
from functools import partial
from typing import TypeAlias
from urllib.parse import urlsplit

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PrivateFormat, PublicFormat

PublicKey: TypeAlias = rsa.RSAPublicKey | Ed25519PublicKey
PrivateKey: TypeAlias = rsa.RSAPrivateKey
Clock: TypeAlias = Callable[[], datetime]

ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})
REQUEST_TARGET = "(request-target)"
# Mastodon's window: a Date up to 65 minutes old (5 min expiry + 1 h skew) or 1 hour ahead.
MAX_AGE = timedelta(minutes=65)
MAX_AHEAD = timedelta(hours=1)
DEFAULT_PORTS = {"http": 80, "https": 443}

# name=value pairs of the Signature header; values are quoted strings or bare tokens.
_PARAM = re.compile(r'\s*([A-Za-z][\w-]*)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([^",\s]*))\s*')
_UNESCAPE = re.compile(r"\\(.)")


class SignatureError(Exception):
    """Base of every signature error."""


class MissingSignature(SignatureError):
    """No draft-cavage signature at all: answer 401 (Fedify then retries with draft-cavage)."""


class MalformedSignature(SignatureError):
    """A Signature header that cannot be read: answer 400."""


class InvalidKey(SignatureError):
    """A PEM that is not an RSA (or, for public keys, Ed25519) key."""


class Verdict(StrEnum):
    """The outcome of `verify`; only `OK` means the request is signed by the key's holder."""

    OK = "ok"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    MISSING_HEADERS = "missing_headers"
    DIGEST_MISMATCH = "digest_mismatch"
    INVALID_DATE = "invalid_date"
    STALE_DATE = "stale_date"
    FUTURE_DATE = "future_date"
    BAD_SIGNATURE = "bad_signature"


@dataclass(frozen=True)
class SignatureParams:
    key_id: str
    algorithm: str  # lower case; "hs2019" when the header names none
    signed_headers: tuple[str, ...]  # lower case, in signing order
    signature: bytes


@dataclass(frozen=True)
class SignedRequest:
    """An incoming request as received: `path` still percent-encoded, `query` without `?`."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str] = field(hash=False)
    body: bytes


def header_values(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-cased names; repeated headers (Starlette keeps them apart) joined with ', '."""
    joined: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        joined[key] = f"{joined[key]}, {value}" if key in joined else value
    return joined


def parse_signature(headers: Mapping[str, str]) -> SignatureParams:
    """Read the draft-cavage `Signature` header; raise MissingSignature or MalformedSignature."""
    values = header_values(headers)
    if "signature-input" in values:
        # RFC 9421 also uses a Signature header, with another syntax: answer 401 so the
        # sender falls back to draft-cavage ("double knocking").
        raise MissingSignature("RFC 9421 signatures are not supported; sign with draft-cavage")
    header = values.get("signature", "").strip()
    if not header:
        raise MissingSignature("no Signature header")
    params = _parse_params(header)
    key_id, signature = params.get("keyId", ""), params.get("signature", "")
    if not key_id or not signature:
        raise MalformedSignature("Signature needs keyId and signature")
    try:
        signature_bytes = base64.b64decode(signature, validate=True)
    except binascii.Error as error:
        raise MalformedSignature("signature is not base64") from error
    signed_headers = tuple(params.get("headers", "date").lower().split())
    algorithm = params.get("algorithm", "hs2019").lower()
    return SignatureParams(key_id, algorithm, signed_headers, signature_bytes)


def _parse_params(header: str) -> dict[str, str]:
    params: dict[str, str] = {}
    position = 0
    while position < len(header):
        match = _PARAM.match(header, position)
        if match is None:
            raise MalformedSignature(f"cannot read Signature at character {position}")
        name, quoted, token = match.groups()
        if name in params:
            raise MalformedSignature(f"{name} appears twice in Signature")
        params[name] = _UNESCAPE.sub(r"\1", quoted) if quoted is not None else token
        position = match.end()
        if position < len(header):
            if header[position] != ",":
                raise MalformedSignature(f"expected ',' at character {position}")
            position += 1
    return params


def verify(
    request: SignedRequest, params: SignatureParams, public_key: PublicKey, now: datetime
) -> Verdict:
    """Check a signature as Mastodon does: algorithm, signed headers, Date, Digest, then RSA."""
    verdict = check_without_key(request, params, now)
    return verdict if verdict is not Verdict.OK else check_with_key(request, params, public_key)


def check_without_key(request: SignedRequest, params: SignatureParams, now: datetime) -> Verdict:
    """Everything that needs no key: algorithm, signed headers, Date and Digest. Run first, so a
    stale, replayed or tampered request never makes us look up (or fetch) its key."""
    if params.algorithm not in ALGORITHMS:
        return Verdict.UNSUPPORTED_ALGORITHM
    headers = header_values(request.headers)
    needs_digest = request.method.upper() == "POST" or bool(request.body)
    required = {REQUEST_TARGET, "host", "date"} | ({"digest"} if needs_digest else set())
    if not required.issubset(params.signed_headers):
        return Verdict.MISSING_HEADERS
    if any(name != REQUEST_TARGET and name not in headers for name in params.signed_headers):
        return Verdict.MISSING_HEADERS
    date_verdict = check_date(headers["date"], now)
    if date_verdict is not Verdict.OK:
        return date_verdict
    if "digest" in params.signed_headers and not digest_matches(headers["digest"], request.body):
        return Verdict.DIGEST_MISMATCH
    return Verdict.OK


def check_with_key(
    request: SignedRequest, params: SignatureParams, public_key: PublicKey
) -> Verdict:
    """The signature itself, over the signed headers (after `check_without_key`)."""
    headers = header_values(request.headers)
    targets = [f"{request.method.lower()} {request.path}"]
    if request.query:  # Mastodon tries with the query string first, then without it
        targets.insert(0, f"{targets[0]}?{request.query}")
    for target in targets:
        signed = signing_string(params.signed_headers, target, headers)
        if _signature_valid(public_key, params, signed):
            return Verdict.OK
    return Verdict.BAD_SIGNATURE


def check_date(date: str, now: datetime) -> Verdict:
    """Whether an RFC 7231 Date lies in now - 65 min ... now + 1 h."""
    try:
        sent = _as_utc(parsedate_to_datetime(date))
    except (TypeError, ValueError):
        return Verdict.INVALID_DATE
    now = _as_utc(now)
    if sent < now - MAX_AGE:
        return Verdict.STALE_DATE
    if sent > now + MAX_AHEAD:
        return Verdict.FUTURE_DATE
    return Verdict.OK


def digest_matches(digest_header: str, body: bytes) -> bool:
    """Whether the SHA-256 entry of a `Digest` header (one of a list, perhaps) fits the body."""
    expected = _body_digest(body).removeprefix("SHA-256=")
    for entry in digest_header.split(","):
        algorithm, _, value = entry.strip().partition("=")
        if algorithm.lower() == "sha-256":
            return value.strip() == expected
    return False


def signing_string(signed_headers: tuple[str, ...], target: str, headers: Mapping[str, str]) -> str:
    """The draft-cavage string: one `name: value` line per signed header, in order."""
    lines = (
        f"{REQUEST_TARGET}: {target}" if name == REQUEST_TARGET else f"{name}: {headers[name]}"
        for name in signed_headers
    )
    return "\n".join(lines)


def _signature_valid(public_key: PublicKey, params: SignatureParams, signed: str) -> bool:
    data = signed.encode()
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(params.signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif params.algorithm == "hs2019":  # hs2019 leaves the algorithm to the key: Ed25519
            public_key.verify(params.signature, data)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def sign_request(
    method: str, url: str, body: bytes | None, key_id: str, private_key: PrivateKey, now: datetime
) -> dict[str, str]:
    """The headers that sign an outgoing request: Host, Date, Digest (POST) and Signature."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    if parts.port is not None and parts.port == DEFAULT_PORTS.get(parts.scheme):
        host = host[: host.rfind(":")]
    target = f"{method.lower()} {parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    headers = {"Host": host, "Date": formatdate(now.timestamp(), usegmt=True)}
    if method.upper() == "POST" or body:
        headers["Digest"] = _body_digest(body or b"")
    lowered = {name.lower(): value for name, value in headers.items()}
    signed = signing_string((REQUEST_TARGET, *lowered), target, lowered)
    signature = private_key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    headers["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{REQUEST_TARGET} {" ".join(lowered)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return headers


def _body_digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def _as_utc(moment: datetime) -> datetime:
    # parsedate_to_datetime gives a naive datetime for "-0000"; that still means UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class SignatureAuth(httpx.Auth):
    """Signs every request of an httpx client, so deliveries, fetches and tests share a signer."""

    requires_request_body = True  # the Digest must be over exactly the bytes sent

    def __init__(
        self, key_id: str, private_key: PrivateKey, clock: Clock = partial(datetime.now, UTC)
    ) -> None:
        self.key_id = key_id
        self.key = private_key
        self.clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        url, now = str(request.url), self.clock()
        signed = sign_request(request.method, url, request.content, self.key_id, self.key, now)
        request.headers.update(signed)
        yield request


def load_public_key(pem: str | bytes) -> PublicKey:
    """Parse a PEM public key once (SubjectPublicKeyInfo or PKCS#1); callers cache the result."""
    try:
        key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    except (ValueError, TypeError) as error:
        raise InvalidKey("not a PEM public key") from error
    if not isinstance(key, rsa.RSAPublicKey | Ed25519PublicKey):
        raise InvalidKey(f"unsupported public key type {type(key).__name__}")
    return key


def load_private_key(pem: str | bytes) -> PrivateKey:
    """Parse an unencrypted PEM RSA private key once; callers keep the result."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, None)
    except (ValueError, TypeError) as error:
        raise InvalidKey("not an unencrypted PEM private key") from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidKey(f"unsupported private key type {type(key).__name__}")
    return key


def generate_key_pair() -> tuple[str, str]:
    """A new RSA-2048 key pair, as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem, pkcs8, spki = Encoding.PEM, PrivateFormat.PKCS8, PublicFormat.SubjectPublicKeyInfo
    private_pem = key.private_bytes(pem, pkcs8, serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(pem, spki)
    return private_pem.decode(), public_pem.decode()
