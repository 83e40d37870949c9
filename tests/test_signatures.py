"""HTTP Signatures: round trips, a known example with a frozen date, and tampered requests."""

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import formatdate

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from httpsig.verify import HeaderVerifier
from starlette.datastructures import Headers

from buurtnet.federation.signatures import (
    InvalidKey,
    MalformedSignature,
    MissingSignature,
    PublicKey,
    SignatureAuth,
    SignatureParams,
    SignedRequest,
    Verdict,
    generate_key_pair,
    load_private_key,
    load_public_key,
    parse_signature,
    sign_request,
    signing_string,
    verify,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
KEY_ID = "https://buurt.example/users/anna#main-key"
INBOX = "https://remote.example/users/bob/inbox"
BODY = b'{"type":"Follow","actor":"https://buurt.example/users/anna"}'

# draft-cavage-http-signatures-12, appendix C: the test key and its "All Headers" example,
# as httpsig's own tests have it (with their "Thu" for the date's weekday).
CAVAGE_PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----
"""
CAVAGE_HEADERS = {
    "Host": "example.com",
    "Date": "Thu, 05 Jan 2014 21:31:40 GMT",
    "Content-Type": "application/json",
    "Digest": "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
    "Content-Length": "18",
    "Signature": (
        'keyId="Test",algorithm="rsa-sha256",'
        'headers="(request-target) host date content-type digest content-length",'
        'signature="Ef7MlxLXoBovhil3AlyjtBwAL9g4TN3tibLj7uuNB3CROat/9KaeQ4hW2NiJ+pZ6HQEOx9vYZAyi+7cm'
        "IkmJszJCut5kQLAwuX+Ms/mUFvpKlSo9StS2bMXDBNjOh4Auj774GFj4gwjS+3NhFeoqyr/MuN6HsEnkvn6zdgfE2i0="
        '"'
    ),
}


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return load_private_key(generate_key_pair()[0])


@pytest.fixture(scope="module")
def public_key(private_key: rsa.RSAPrivateKey) -> PublicKey:
    return private_key.public_key()


def incoming(
    headers: dict[str, str],
    method: str = "POST",
    target: str = "/users/bob/inbox",
    body: bytes = BODY,
) -> SignedRequest:
    path, _, query = target.partition("?")
    return SignedRequest(method, path, query, headers, body)


def check(request: SignedRequest, key: PublicKey, now: datetime = NOW) -> Verdict:
    return verify(request, parse_signature(request.headers), key, now)


def sign_like_remote(
    private_key: rsa.RSAPrivateKey,
    names: str,
    headers: dict[str, str],
    target: str,
    algorithm: str | None = "rsa-sha256",
) -> dict[str, str]:
    """Sign exactly the headers named, as a remote server that may get things wrong would."""
    lowered = {name.lower(): value for name, value in headers.items()}
    signed = signing_string(tuple(names.split()), target, lowered).encode()
    signature = base64.b64encode(private_key.sign(signed, padding.PKCS1v15(), hashes.SHA256()))
    algorithm_param = f'algorithm="{algorithm}",' if algorithm else ""
    return headers | {
        "Signature": f'keyId="{KEY_ID}",{algorithm_param}headers="{names}",'
        f'signature="{signature.decode()}"'
    }


def remote_headers(body: bytes = BODY, date: datetime = NOW) -> dict[str, str]:
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    return {
        "Host": "remote.example",
        "Date": formatdate(date.timestamp(), usegmt=True),
        "Digest": f"SHA-256={digest}",
    }


def test_get_round_trip(private_key: rsa.RSAPrivateKey, public_key: PublicKey) -> None:
    headers = sign_request(
        "GET", "https://remote.example/users/bob", None, KEY_ID, private_key, NOW
    )
    assert set(headers) == {"Host", "Date", "Signature"}
    assert headers["Date"] == "Sat, 01 Mar 2025 12:00:00 GMT"
    params = parse_signature(headers)
    assert params.signed_headers == ("(request-target)", "host", "date")
    assert check(incoming(headers, "GET", "/users/bob", b""), public_key) is Verdict.OK


def test_post_round_trip(private_key: rsa.RSAPrivateKey, public_key: PublicKey) -> None:
    headers = sign_request("POST", INBOX, BODY, KEY_ID, private_key, NOW)
    params = parse_signature(headers)
    assert params.key_id == KEY_ID
    assert params.algorithm == "rsa-sha256"
    assert params.signed_headers == ("(request-target)", "host", "date", "digest")
    assert check(incoming(headers), public_key) is Verdict.OK


@pytest.mark.parametrize("algorithm", ["hs2019", "HS2019", None])
def test_hs2019_and_missing_algorithm_accepted(
    private_key: rsa.RSAPrivateKey, public_key: PublicKey, algorithm: str | None
) -> None:
    names = "(request-target) host date digest"
    target = "post /users/bob/inbox"
    headers = sign_like_remote(private_key, names, remote_headers(), target, algorithm)
    assert parse_signature(headers).algorithm == (algorithm or "hs2019").lower()
    assert check(incoming(headers), public_key) is Verdict.OK


def test_other_algorithms_refused(private_key: rsa.RSAPrivateKey, public_key: PublicKey) -> None:
    names, target = "(request-target) host date digest", "post /users/bob/inbox"
    headers = sign_like_remote(private_key, names, remote_headers(), target, "hmac-sha256")
    assert check(incoming(headers), public_key) is Verdict.UNSUPPORTED_ALGORITHM


@pytest.mark.parametrize(
    ("signed_target", "verdict"),
    [
        ("get /users/bob/outbox?page=2", Verdict.OK),
        ("get /users/bob/outbox", Verdict.OK),  # Mastodon once left the query out
        ("get /users/bob/outbox?page=3", Verdict.BAD_SIGNATURE),
        ("get /users/bob", Verdict.BAD_SIGNATURE),
    ],
)
def test_query_string_fallback(
    private_key: rsa.RSAPrivateKey, public_key: PublicKey, signed_target: str, verdict: Verdict
) -> None:
    names = "(request-target) host date"
    headers = sign_like_remote(private_key, names, remote_headers(), signed_target)
    request = incoming(headers, "GET", "/users/bob/outbox?page=2", b"")
    assert check(request, public_key) is verdict


def test_tampered_body(private_key: rsa.RSAPrivateKey, public_key: PublicKey) -> None:
    headers = sign_request("POST", INBOX, BODY, KEY_ID, private_key, NOW)
    tampered = BODY.replace(b"Follow", b"Block")
    assert check(incoming(headers, body=tampered), public_key) is Verdict.DIGEST_MISMATCH


def test_digest_fixed_up_for_a_changed_body(
    private_key: rsa.RSAPrivateKey, public_key: PublicKey
) -> None:
    headers = sign_request("POST", INBOX, BODY, KEY_ID, private_key, NOW)
    tampered = BODY.replace(b"Follow", b"Block")
    headers["Digest"] = remote_headers(tampered)["Digest"]
    assert check(incoming(headers, body=tampered), public_key) is Verdict.BAD_SIGNATURE


@pytest.mark.parametrize(
    ("names", "method"),
    [
        ("(request-target) host date", "POST"),  # POST without digest
        ("(request-target) host digest", "POST"),
        ("(request-target) date digest", "POST"),
        ("host date digest", "POST"),
        ("(request-target) host", "GET"),
        ("(request-target) date", "GET"),
    ],
)
def test_required_headers_unsigned(
    private_key: rsa.RSAPrivateKey, public_key: PublicKey, names: str, method: str
) -> None:
    headers = sign_like_remote(private_key, names, remote_headers(), f"{method.lower()} /inbox")
    body = BODY if method == "POST" else b""
    assert check(incoming(headers, method, "/inbox", body), public_key) is Verdict.MISSING_HEADERS


def test_signed_header_absent_from_request(
    private_key: rsa.RSAPrivateKey, public_key: PublicKey
) -> None:
    headers = sign_request("POST", INBOX, BODY, KEY_ID, private_key, NOW)
    del headers["Digest"]
    assert check(incoming(headers), public_key) is Verdict.MISSING_HEADERS


@pytest.mark.parametrize(
    ("sent", "verdict"),
    [
        (NOW - timedelta(hours=2), Verdict.STALE_DATE),
        (NOW + timedelta(hours=2), Verdict.FUTURE_DATE),
        (NOW - timedelta(minutes=66), Verdict.STALE_DATE),
        (NOW - timedelta(minutes=60), Verdict.OK),
        (NOW + timedelta(minutes=59), Verdict.OK),
    ],
)
def test_date_window(
    private_key: rsa.RSAPrivateKey, public_key: PublicKey, sent: datetime, verdict: Verdict
) -> None:
    headers = sign_request("POST", INBOX, BODY, KEY_ID, private_key, sent)
    assert check(incoming(headers), public_key, NOW) is verdict


def test_unreadable_date(private_key: rsa.RSAPrivateKey, public_key: PublicKey) -> None:
    names = "(request-target) host date digest"
    unsigned = remote_headers() | {"Date": "yesterday"}
    headers = sign_like_remote(private_key, names, unsigned, "post /users/bob/inbox")
    assert check(incoming(headers), public_key) is Verdict.INVALID_DATE


def test_wrong_key(private_key: rsa.RSAPrivateKey) -> None:
    headers = sign_request("POST", INBOX, BODY, KEY_ID, private_key, NOW)
    other = load_public_key(generate_key_pair()[1])
    assert check(incoming(headers), other) is Verdict.BAD_SIGNATURE


@pytest.mark.parametrize(
    "key_id",
    ["https://mastodon.example/users/bob#main-key", "https://gts.example/users/bob/main-key"],
)
def test_key_id_fragment_or_path(key_id: str) -> None:
    header = f'keyId="{key_id}",algorithm="hs2019",headers="(request-target) host date",'
    params = parse_signature({"signature": header + 'signature="AAEC"'})
    assert params.key_id == key_id
    assert params.signature == b"\x00\x01\x02"


def test_mastodon_header_parsed_exactly() -> None:
    header = (
        'keyId="https://mastodon.example/users/bob#main-key",algorithm="rsa-sha256",'
        'headers="(request-target) host date digest content-type",signature="c2lnbmVkIQ=="'
    )
    assert parse_signature(Headers({"signature": header})) == SignatureParams(
        key_id="https://mastodon.example/users/bob#main-key",
        algorithm="rsa-sha256",
        signed_headers=("(request-target)", "host", "date", "digest", "content-type"),
        signature=b"signed!",
    )


def test_parameters_with_spaces_tokens_and_escapes() -> None:
    header = r'keyId = "a\"b" , headers="Host Date", created=1402170695, signature="AA=="'
    params = parse_signature({"Signature": header})
    assert (params.key_id, params.signed_headers) == ('a"b', ("host", "date"))


def test_rfc9421_only_is_missing() -> None:
    headers = {
        "Signature-Input": 'sig1=("@method" "@target-uri");created=1700000000;keyid="k"',
        "Signature": "sig1=:AAEC:",
    }
    with pytest.raises(MissingSignature):
        parse_signature(headers)


def test_no_signature_is_missing_not_malformed() -> None:
    with pytest.raises(MissingSignature) as raised:
        parse_signature({"Date": "Sat, 01 Mar 2025 12:00:00 GMT"})
    assert not isinstance(raised.value, MalformedSignature)


@pytest.mark.parametrize(
    "header",
    [
        'keyId="k",headers="date"',  # no signature
        'headers="date",signature="AAEC"',  # no keyId
        'keyId="k",signature="AAEC*"',  # not base64
        'keyId="k" signature="AAEC"',  # no comma
        'keyId="k";signature="AAEC"',
        'keyId="k",keyId="j",signature="AAEC"',
        'keyId="k,signature="AAEC"',  # unterminated quote
        "Signature garbage",
        ",,,",
    ],
)
def test_garbled_is_malformed(header: str) -> None:
    with pytest.raises(MalformedSignature):
        parse_signature({"Signature": header})


def test_known_example_with_frozen_date() -> None:
    key = load_public_key(CAVAGE_PUBLIC_KEY)
    body = b'{"hello": "world"}'
    request = incoming(CAVAGE_HEADERS, "POST", "/foo?param=value&pet=dog", body)
    frozen = datetime(2014, 1, 5, 21, 40, tzinfo=UTC)
    assert check(request, key, frozen) is Verdict.OK
    assert check(request, key, frozen + timedelta(hours=2)) is Verdict.STALE_DATE
    changed = incoming(CAVAGE_HEADERS | {"Content-Length": "19"}, "POST", "/foo?param=value", body)
    assert check(changed, key, frozen) is Verdict.BAD_SIGNATURE


def test_starlette_headers_repeated_values(
    private_key: rsa.RSAPrivateKey, public_key: PublicKey
) -> None:
    names = "(request-target) host date digest x-tag"
    unsigned = remote_headers() | {"X-Tag": "one, two"}
    signed = sign_like_remote(private_key, names, unsigned, "post /users/bob/inbox")
    raw = [(k.lower().encode(), v.encode()) for k, v in signed.items() if k != "X-Tag"]
    headers = Headers(raw=[*raw, (b"x-tag", b"one"), (b"x-tag", b"two")])
    request = SignedRequest("POST", "/users/bob/inbox", "", headers, BODY)
    assert check(request, public_key) is Verdict.OK


def test_digest_list_uses_sha256(private_key: rsa.RSAPrivateKey, public_key: PublicKey) -> None:
    names = "(request-target) host date digest"
    sha256 = remote_headers()["Digest"].removeprefix("SHA-256=")
    for digest, verdict in [
        (f"SHA-512=AAAA, sha-256={sha256}", Verdict.OK),
        ("SHA-512=AAAA", Verdict.DIGEST_MISMATCH),
        (f"MD5=AAAA,SHA-256={sha256[:-4]}AAA=", Verdict.DIGEST_MISMATCH),
    ]:
        unsigned = remote_headers() | {"Digest": digest}
        headers = sign_like_remote(private_key, names, unsigned, "post /users/bob/inbox")
        assert check(incoming(headers), public_key) is verdict, digest


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://127.0.0.1:8080/inbox", "127.0.0.1:8080"),
        ("https://remote.example:443/inbox", "remote.example"),
        ("http://remote.example:80/inbox", "remote.example"),
        ("https://[::1]:8443/inbox", "[::1]:8443"),
        ("https://user@remote.example/inbox", "remote.example"),
    ],
)
def test_host_keeps_non_default_port(private_key: rsa.RSAPrivateKey, url: str, host: str) -> None:
    assert sign_request("GET", url, None, KEY_ID, private_key, NOW)["Host"] == host


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_signature_auth_on_a_real_httpx_request(
    private_key: rsa.RSAPrivateKey, public_key: PublicKey, method: str
) -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(202)

    auth = SignatureAuth(KEY_ID, private_key, clock=lambda: NOW)
    with httpx.Client(transport=httpx.MockTransport(record), auth=auth) as client:
        follow = {"type": "Follow", "object": "https://remote.example/users/bob"}
        body = follow if method == "POST" else None
        client.request(method, "http://remote.example:8080/users/bob/inbox?x=é", json=body)
    request = sent[0]
    path, _, query = request.url.raw_path.decode().partition("?")
    received = SignedRequest(request.method, path, query, request.headers, request.read())
    assert request.headers["host"] == "remote.example:8080"
    assert ("digest" in request.headers) is (method == "POST")
    assert check(received, public_key) is Verdict.OK


def test_httpsig_accepts_what_we_sign(private_key: rsa.RSAPrivateKey) -> None:
    """httpsig, an independent implementation, reads our signatures as we mean them."""
    headers = sign_request("POST", INBOX + "?page=1", BODY, KEY_ID, private_key, NOW)
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    verifier = HeaderVerifier(
        headers, public_pem, method="POST", path="/users/bob/inbox?page=1", sign_header="signature"
    )
    assert verifier.verify()
    wrong_path = HeaderVerifier(
        headers, public_pem, method="POST", path="/users/bob/inbox", sign_header="signature"
    )
    assert not wrong_path.verify()


def test_signature_auth_digest_of_a_streamed_body(
    private_key: rsa.RSAPrivateKey, public_key: PublicKey
) -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(202)

    auth = SignatureAuth(KEY_ID, private_key, clock=lambda: NOW)
    with httpx.Client(transport=httpx.MockTransport(record), auth=auth) as client:
        client.post(INBOX, content=iter([BODY[:10], BODY[10:]]))
    request = sent[0]
    received = incoming(dict(request.headers), body=request.read())
    assert received.body == BODY
    assert check(received, public_key) is Verdict.OK


def test_ed25519_with_hs2019() -> None:
    key = Ed25519PrivateKey.generate()
    headers = remote_headers()
    names = ("(request-target)", "host", "date", "digest")
    signed = signing_string(
        names, "post /users/bob/inbox", {k.lower(): v for k, v in headers.items()}
    )
    signature = key.sign(signed.encode())
    request = incoming(headers)
    for algorithm, verdict in [("hs2019", Verdict.OK), ("rsa-sha256", Verdict.BAD_SIGNATURE)]:
        params = SignatureParams(KEY_ID, algorithm, names, signature)
        assert verify(request, params, key.public_key(), NOW) is verdict


def test_generated_key_pair() -> None:
    private_pem, public_pem = generate_key_pair()
    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    private_key = load_private_key(private_pem)
    assert (private_key.key_size, private_key.public_key().public_numbers().e) == (2048, 65537)
    pkcs1 = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
    )
    from_pkcs1, from_spki = load_public_key(pkcs1), load_public_key(public_pem)
    assert isinstance(from_pkcs1, rsa.RSAPublicKey)
    assert isinstance(from_spki, rsa.RSAPublicKey)
    assert from_pkcs1.public_numbers() == from_spki.public_numbers()


@pytest.mark.parametrize(
    "pem", ["", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"]
)
def test_unreadable_keys(pem: str) -> None:
    with pytest.raises(InvalidKey):
        load_public_key(pem)
    with pytest.raises(InvalidKey):
        load_private_key(pem)
