"""Parsing other servers' ActivityStreams: recorded-style payloads of five servers (and Fedify)
read into the values we expect, and hostile documents refused with a reason."""

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from buurtnet.federation.as2.parse import (
    Activity,
    ParseError,
    RemoteNote,
    answered_id,
    as2_to_activity,
    as2_to_note,
    embedded_activity,
    is_actor_deletion,
    object_id,
    visibility_of,
)
from buurtnet.federation.as2.parse_actor import RemoteActor, as2_to_actor
from buurtnet.federation.as2.parse_objects import RemoteEvent, as2_to_object
from buurtnet.federation.as2.parse_polls import RemoteQuestion, RemoteVote
from buurtnet.federation.as2.parse_values import (
    MAX_CONTENT,
    first,
    id_of,
    ids_of,
    origin_of,
    same_origin,
)
from buurtnet.federation.uris import PUBLIC
from buurtnet.sanitise import sanitise

FIXTURES = Path(__file__).parent / "data" / "federation"
NAMES = sorted(str(path.relative_to(FIXTURES).with_suffix("")) for path in FIXTURES.rglob("*.json"))
VECTORS = (Path(__file__).parent / "data" / "xss_vectors.txt").read_text().splitlines()
ALLOWED_TAGS = {"p", "span", "br", "a", "del", "pre", "code", "em", "strong", "b", "i", "u"}
ALLOWED_TAGS |= {"ul", "ol", "li", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "rel", "class", "title"}, "span": {"class"}}
ACTOR_TYPES = {"Person", "Group", "Service", "Application", "Organization"}
NOTE_TYPES = {"Note", "Article", "Page", "Question", "Event"}

BRAM = "https://buurt.example/users/bram"
BRAM_POST = "https://buurt.example/users/bram/statuses/42"
BRAM_FOLLOW = "https://buurt.example/users/bram#follows/17"
ALICE = "https://mastodon.example/users/alice"
ALICE_POST = f"{ALICE}/statuses/113456789012345678"
CARLA = "https://gts.example/users/carla"
CARLA_POST = f"{CARLA}/statuses/01JDXQ4M2V8N6T0S3R5P7K9H1F"
DIRK = "https://mobilizon.example/@dirk"
GROUP = "https://mobilizon.example/@buurtvereniging"
EVENT = "https://mobilizon.example/events/0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
GANCIO = "https://gancio.example/federation/u/relay"
EVA = "https://lemmy.example/u/eva"
COMMUNITY = "https://lemmy.example/c/buurtmoestuin"
PAGE = "https://lemmy.example/post/123"
FENNA = "https://misskey.example/users/9z8y7x6w5v"
GIJS = "https://fedify.example/users/gijs"
CENTRUM = "https://buurt.example/neighbourhoods/centrum"


def actor(username: str, key_id: str, shared_inbox: str, **more: Any) -> dict[str, Any]:
    return {"username": username, "key_id": key_id, "shared_inbox": shared_inbox, **more}


def note(
    author: str, visibility: str, mentions: tuple[str, ...] = (), **more: Any
) -> dict[str, Any]:
    return {"author": author, "visibility": visibility, "mentions": mentions, **more}


# What each fixture must read as: a subset of `facts()` below. Every fixture needs an entry.
EXPECTED: dict[str, dict[str, Any]] = {
    "mastodon/person": actor(
        "alice", f"{ALICE}#main-key", "https://mastodon.example/inbox",
        name="Alice de Vries", url="https://mastodon.example/@alice",
        icon="https://mastodon.example/system/accounts/avatars/110/000/001/original/5f1e.png",
        summary_has='<a href="https://mastodon.example/tags/moestuin" class="mention hashtag"',
    ),
    "mastodon/create_note_public": {
        "type": "Create", "actor": ALICE, "object": ALICE_POST, "embedded_type": "Note",
        **note(ALICE, "public", (BRAM,), hashtags=("weggeefhoek",), language="nl",
               content_has="Gratis stoel af te halen", in_reply_to=None, summary=None,
               attachments=(("https://files.mastodon.example/media_attachments/files/113/456/789/"
                             "original/c0ffee.jpg", "image/jpeg", "Een houten stoel op de stoep",
                             1200, 900),),
               published=datetime(2026, 11, 30, 9, 15, 2, tzinfo=UTC)),
    },
    "mastodon/create_note_followers": note(ALICE, "followers", (BRAM,), hashtags=()),
    "mastodon/create_note_reply": note(
        ALICE, "public", (BRAM,), in_reply_to=BRAM_POST, summary="Over de stoel"
    ),
    "mastodon/follow": {"type": "Follow", "actor": ALICE, "object": BRAM},
    "mastodon/accept_follow_embedded": {"type": "Accept", "follow": BRAM_FOLLOW,
                                        "inner.actor": BRAM},
    "mastodon/accept_follow_id": {"type": "Accept", "follow": BRAM_FOLLOW, "embedded_type": None},
    "mastodon/undo_follow": {"type": "Undo", "embedded_type": "Follow", "inner.object": BRAM},
    "mastodon/like": {"type": "Like", "actor": ALICE, "object": BRAM_POST},
    "mastodon/undo_like": {"type": "Undo", "embedded_type": "Like", "inner.object": BRAM_POST},
    "mastodon/delete_note": {"type": "Delete", "object": ALICE_POST, "embedded_type": "Tombstone",
                             "actor_deletion": False},
    "mastodon/delete_actor": {"type": "Delete", "object": ALICE, "actor_deletion": True},
    "mastodon/update_note": {
        "type": "Update", **note(ALICE, "public", (BRAM,), content_has="(al weg)"),
    },
    "mastodon/announce": {"type": "Announce", "object": BRAM_POST, "to": (PUBLIC,)},
    "mastodon/create_question_one": note(
        ALICE, "public", (), note_type="Question", hashtags=("opruimen",), multiple=False,
        answers=(("Zaterdagochtend", 3), ("Zondagmiddag", 2), ("Woensdagavond", 0)), voters=5,
        end_time=datetime(2026, 12, 4, 8, tzinfo=UTC), closed=(False, None),
        content_has="opruimactie in de Merelstraat",
    ),
    "mastodon/create_question_any": note(
        ALICE, "public", (BRAM,), note_type="Question", multiple=True,
        answers=(("Iets te eten", 3), ("Iets te drinken", 2), ("Een stoel", 1)), voters=4,
        closed=(False, None), content_has="buurtborrel",
    ),
    "mastodon/update_question": {
        "type": "Update", **note(ALICE, "public", note_type="Question", voters=7,
                                 answers=(("Zaterdagochtend", 4), ("Zondagmiddag", 3),
                                          ("Woensdagavond", 0)),
                                 closed=(True, datetime(2026, 12, 4, 8, tzinfo=UTC))),
    },
    "mastodon/vote": {
        "type": "Create", "embedded_type": "Note", "to": (BRAM,), "choice": "Zaterdagochtend",
        **note(ALICE, "direct", (), in_reply_to=BRAM_POST, content_has="", answers=None),
    },
    "mastodon/flag": {
        "type": "Flag", "actor": "https://mastodon.example/actor",
        "objects": ("https://buurt.example/users/spammer",
                    "https://buurt.example/users/spammer/statuses/77"),
        "content": "Reclame, elke dag opnieuw",
    },
    "gotosocial/person": actor(
        "carla", f"{CARLA}/main-key", "https://gts.example/sharedInbox",
        followers=f"{CARLA}/followers",
    ),
    "gotosocial/create_note": note(
        CARLA, "public", (BRAM,), hashtags=("repaircafe",), summary=None, language="nl",
        content_has="Reparatiecafé zaterdag",
    ),
    "gotosocial/follow": {"type": "Follow", "actor": CARLA, "object": BRAM},
    "gotosocial/accept_follow_embedded": {"type": "Accept", "follow": BRAM_FOLLOW, "to": (BRAM,)},
    "gotosocial/accept_follow_id": {"type": "Accept", "follow": BRAM_FOLLOW, "embedded_type": None},
    "gotosocial/undo_follow": {"type": "Undo", "embedded_type": "Follow", "inner.actor": CARLA},
    "gotosocial/like": {"type": "Like", "object": BRAM_POST},
    "gotosocial/delete_note": {"type": "Delete", "object": CARLA_POST, "embedded_type": None},
    "gotosocial/update_note": note(CARLA, "public", (BRAM,), content_has="zaterdag 14:00"),
    "gotosocial/announce": {"type": "Announce", "actor": CARLA, "object": BRAM_POST},
    "mobilizon/person": actor("dirk", f"{DIRK}#main-key", "https://mobilizon.example/inbox"),
    "mobilizon/group": actor(
        "buurtvereniging", f"{GROUP}#main-key", "https://mobilizon.example/inbox", type="Group"
    ),
    "mobilizon/create_event": note(
        DIRK, "public", (), note_type="Event", title="Straatfeest Dorpsstraat",
        content_has="<p>Neem een stoel", hashtags=("straatfeest",), location="Dorpsstraat",
        start=datetime(2026, 12, 12, 13, 0, tzinfo=UTC),
        end=datetime(2026, 12, 12, 21, 0, tzinfo=UTC),
    ),
    "mobilizon/create_note": note(
        DIRK, "public", (BRAM,), hashtags=("partytent",), in_reply_to=EVENT
    ),
    "mobilizon/follow": {"type": "Follow", "actor": "https://mobilizon.example/relay"},
    "mobilizon/accept_follow_embedded": {"type": "Accept", "actor": GROUP, "follow": BRAM_FOLLOW},
    "mobilizon/undo_follow": {"type": "Undo", "embedded_type": "Follow", "inner.object": BRAM},
    "mobilizon/update_event": note(
        DIRK, "public", (), note_type="Event", end=datetime(2026, 12, 12, 22, tzinfo=UTC)
    ),
    "mobilizon/delete_event": {"type": "Delete", "object": EVENT},
    "mobilizon/announce": {"type": "Announce", "actor": GROUP, "object": EVENT},
    "lemmy/person": actor("eva", f"{EVA}#main-key", "https://lemmy.example/inbox", followers=None),
    "lemmy/group": actor(
        "buurtmoestuin", f"{COMMUNITY}#main-key", "https://lemmy.example/inbox", type="Group",
        followers=f"{COMMUNITY}/followers",
    ),
    "lemmy/announce_create_page": {
        "type": "Announce", "actor": COMMUNITY, "inner.type": "Create", "inner.actor": EVA,
        **note(EVA, "public", (), note_type="Page", hashtags=("buurtmoestuin",),
               title="Pompoenen over, wie wil er een?", audience=COMMUNITY, attachments=()),
    },
    "lemmy/announce_page": {"type": "Announce", "embedded_type": "Page", **note(EVA, "public")},
    "lemmy/create_note": note(
        EVA, "public", (BRAM,), in_reply_to=PAGE, audience=COMMUNITY, hashtags=()
    ),
    "lemmy/follow": {"type": "Follow", "actor": EVA, "object": CENTRUM},
    "lemmy/accept_follow_embedded": {"type": "Accept", "actor": COMMUNITY, "follow": BRAM_FOLLOW},
    "lemmy/undo_follow": {"type": "Undo", "embedded_type": "Follow", "inner.object": CENTRUM},
    "lemmy/like": {"type": "Like", "actor": EVA, "object": BRAM_POST},
    "lemmy/undo_like": {"type": "Undo", "embedded_type": "Like", "inner.object": BRAM_POST},
    "lemmy/delete_page": {"type": "Delete", "object": PAGE},
    "lemmy/update_page": note(EVA, "public", title="Pompoenen over (nog twee)"),
    "misskey/person": actor(
        "fenna", f"{FENNA}#main-key", "https://misskey.example/inbox", name=None,
        url="https://misskey.example/@fenna",
    ),
    "misskey/create_note": note(
        FENNA, "public", (BRAM,), hashtags=("bakkerij",), language=None,
        attachments=(("https://misskey.example/files/webpublic-5f6a7b8c.webp", "image/webp",
                      None, None, None),),
        published=datetime(2026, 11, 30, 6, 45, 12, 345000, tzinfo=UTC),
    ),
    "misskey/follow": {"type": "Follow", "actor": FENNA, "object": BRAM},
    "misskey/accept_follow_embedded": {"type": "Accept", "follow": BRAM_FOLLOW},
    "misskey/undo_follow": {"type": "Undo", "embedded_type": "Follow", "inner.actor": FENNA},
    "misskey/like": {"type": "Like", "object": BRAM_POST, "content": "👍"},
    "misskey/like_custom_emoji": {"type": "Like", "content": ":bread:"},
    "misskey/undo_like": {"type": "Undo", "embedded_type": "Like", "inner.content": "👍"},
    "misskey/delete_note": {"type": "Delete", "object": "https://misskey.example/notes/9z8y8a1b2c",
                            "embedded_type": "Tombstone"},
    "misskey/update_question": note(
        FENNA, "public", note_type="Question", title=None, multiple=False,
        answers=(("Spelt", 4), ("Rogge", 2)), voters=None, closed=(False, None),
        end_time=datetime(2026, 12, 5, 9, tzinfo=UTC),
    ),
    "misskey/announce": {"type": "Announce", "actor": FENNA, "object": BRAM_POST},
    "gancio/person": actor(
        "relay", f"{GANCIO}#main-key", f"{GANCIO}/inbox", type="Application",
        name="Gancio De Wijk",
    ),
    "gancio/create_event": note(
        GANCIO, "public", (), note_type="Event", title="Repair café in de bieb",
        content_has="<p>Breng je kapotte spullen mee", hashtags=("repaircafe",),
        location="Bibliotheek", start=datetime(2026, 12, 19, 13, 0, tzinfo=UTC), end=None,
    ),
    "fedify/person": actor("gijs", f"{GIJS}#main-key", "https://fedify.example/inbox"),
    "fedify/create_note": note(
        GIJS, "public", (BRAM,), hashtags=("lenen",), url="https://fedify.example/@gijs/01936b3a",
        content_has="Wie leent me een ladder?",
    ),
}  # fmt: skip


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def facts(doc: dict[str, Any]) -> dict[str, Any]:
    """Everything a fixture reads as, flat: the actor, or the activity, the activity inside it
    (`inner.`) and the post it carries."""
    if doc["type"] in ACTOR_TYPES:
        return actor_facts(as2_to_actor(doc))
    activity = as2_to_activity(doc)
    found = activity_facts(activity)
    if activity.type in ("Accept", "Reject"):
        found["follow"] = answered_id(activity)
    if activity.embedded is not None and activity.embedded_type not in NOTE_TYPES | {"Tombstone"}:
        activity = embedded_activity(activity)
        found |= {f"inner.{key}": value for key, value in activity_facts(activity).items()}
    if activity.embedded is not None and activity.embedded_type in NOTE_TYPES:
        found |= object_facts(as2_to_object(activity.embedded))
    return found


def actor_facts(actor: RemoteActor) -> dict[str, Any]:
    assert actor.public_key_pem and actor.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")
    return {
        "username": actor.preferred_username, "type": actor.type, "name": actor.name,
        "inbox": actor.inbox, "shared_inbox": actor.shared_inbox, "key_id": actor.public_key_id,
        "followers": actor.followers, "url": actor.url, "icon": actor.icon_url,
        "summary": actor.summary, "summary_has": actor.summary,
    }  # fmt: skip


def activity_facts(activity: Activity) -> dict[str, Any]:
    return {
        "type": activity.type, "actor": activity.actor, "objects": activity.objects,
        "object": activity.objects[0] if activity.objects else None,
        "embedded_type": activity.embedded_type, "to": activity.to, "cc": activity.cc,
        "content": activity.content, "actor_deletion": is_actor_deletion(activity),
    }  # fmt: skip


def object_facts(found: RemoteNote | RemoteEvent) -> dict[str, Any]:
    if isinstance(found, RemoteNote):
        return note_facts(found)
    followers = f"{found.attributed_to}/followers"
    return {
        "note_type": "Event", "author": found.attributed_to, "title": found.name,
        "visibility": visibility_of(found.to, found.cc, followers),
        "mentions": tuple(mention.href for mention in found.mentions),
        "hashtags": found.hashtags, "content_has": found.content, "start": found.start_time,
        "end": found.end_time, "location": found.place.name if found.place else None,
    }  # fmt: skip


def note_facts(post: RemoteNote) -> dict[str, Any]:
    followers = f"{post.attributed_to}/followers"
    return poll_facts(post) | {
        "note_type": post.type, "author": post.attributed_to, "title": post.title,
        "visibility": visibility_of(post.to, post.cc, followers),
        "mentions": tuple(mention.href for mention in post.mentions),
        "hashtags": post.hashtags, "language": post.language, "summary": post.summary,
        "in_reply_to": post.in_reply_to, "audience": post.audience, "published": post.published,
        "url": post.url, "content_has": post.content,
        "attachments": tuple(
            (a.url, a.media_type, a.name, a.width, a.height) for a in post.attachments
        ),
    }  # fmt: skip


def poll_facts(post: RemoteNote) -> dict[str, Any]:
    """A Question's poll, a vote's choice; None for a post that has neither."""
    poll = post.poll if isinstance(post, RemoteQuestion) else None
    return {
        "choice": post.choice if isinstance(post, RemoteVote) else None,
        "answers": tuple((a.name, a.votes) for a in poll.answers) if poll else None,
        "multiple": poll.multiple if poll else None,
        "voters": poll.voters_count if poll else None,
        "end_time": poll.end_time if poll else None,
        "closed": (poll.closed, poll.closed_at) if poll else None,
    }  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_fixture_reads_as_expected(name: str) -> None:
    assert name in EXPECTED, f"{name} has no expected values"
    found = facts(load(name))
    for key, expected in EXPECTED[name].items():
        if key.endswith("_has"):
            assert expected in found[key], key
        else:
            assert found[key] == expected, key


def test_every_expectation_has_its_fixture() -> None:
    assert set(EXPECTED) == set(NAMES)
    servers = {name.split("/")[0] for name in NAMES}
    assert {"mastodon", "gotosocial", "mobilizon", "lemmy", "misskey"} <= servers


def carried_post(name: str) -> dict[str, Any] | None:
    """The post inside a fixture's activity (however deep a group's Announce puts it), if any."""
    doc: Any = load(name)
    while isinstance(doc, dict) and doc.get("type") not in NOTE_TYPES:
        doc = doc.get("object")
    return doc if isinstance(doc, dict) else None


@pytest.mark.parametrize(
    "name", [name for name in NAMES if (carried_post(name) or {}).get("content")]
)
def test_fixture_content_is_sanitised(name: str) -> None:
    post = carried_post(name)
    assert post is not None and post["content"]
    content = as2_to_object(post).content
    assert content == sanitise(content)
    assert_only_allowed_markup(content)
    assert "target=" not in content and "data-user" not in content


# ---------------------------------------------------------------- small helpers


def test_id_helpers_take_strings_objects_and_lists() -> None:
    assert id_of(BRAM) == id_of({"id": BRAM, "type": "Person"}) == id_of([{"id": BRAM}]) == BRAM
    assert id_of(None) is None and id_of([]) is None
    assert ids_of([BRAM, {"id": ALICE}, None], "to") == (BRAM, ALICE)
    assert first([1, 2]) == 1 and first(3) == 3 and first([]) is None
    with pytest.raises(ParseError, match="must be a URL"):
        id_of(42)


def test_origins() -> None:
    assert origin_of("HTTPS://Mastodon.Example:443/users/a") == "https://mastodon.example"
    assert origin_of("http://gts.example:8080/x") == "http://gts.example:8080"
    assert origin_of("https://[2001:db8::1]/a") == "https://[2001:db8::1]"
    assert same_origin("https://a.example/users/x", "https://A.example/inbox")
    assert not same_origin("https://a.example/x", "https://a.example:8443/x")
    assert not same_origin("https://a.example/x", "http://a.example/x")
    assert not same_origin("https://a.example/x", "https://b.a.example/x")
    assert not same_origin("javascript:alert(1)", "javascript:alert(1)")
    with pytest.raises(ParseError):
        origin_of("ftp://a.example/x")


@pytest.mark.parametrize(
    ("to", "cc", "expected"),
    [
        ([PUBLIC], [], "public"),
        (["as:Public"], [], "public"),
        (["Public"], [], "public"),
        ([f"{ALICE}/followers"], [PUBLIC], "unlisted"),
        ([f"{ALICE}/followers"], ["as:Public"], "unlisted"),
        ([f"{ALICE}/followers"], [BRAM], "followers"),
        ([BRAM], [f"{ALICE}/followers"], "followers"),
        ([BRAM], [], "direct"),
        ([BRAM], ["https://mastodon.example/users/bob/followers"], "direct"),
    ],
)
def test_visibility_of(to: list[str], cc: list[str], expected: str) -> None:
    assert visibility_of(to, cc, f"{ALICE}/followers") == expected


def test_public_spellings_read_as_the_full_iri() -> None:
    activity = as2_to_activity(dict(load("mastodon/like"), to=["as:Public"], cc="Public"))
    assert activity.to == (PUBLIC,) and activity.cc == (PUBLIC,)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-30T09:15:02Z", datetime(2026, 11, 30, 9, 15, 2, tzinfo=UTC)),
        ("2026-11-30T09:15:02.871846+00:00", datetime(2026, 11, 30, 9, 15, 2, 871846, tzinfo=UTC)),
        ("2026-11-30T10:15:02.1234567891+01:00", datetime(2026, 11, 30, 9, 15, 2, 123456, UTC)),
        ("2026-11-30T04:15:02-0500", datetime(2026, 11, 30, 9, 15, 2, tzinfo=UTC)),
        ("2026-11-30T09:15:02", datetime(2026, 11, 30, 9, 15, 2, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_times_read_as_aware_utc(value: str, expected: datetime) -> None:
    published = as2_to_activity(dict(load("mastodon/like"), published=value)).published
    assert published == expected and published is not None and published.tzinfo == UTC


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-30", 1764495302]
)
def test_garbage_times_are_left_out(value: Any) -> None:
    assert as2_to_activity(dict(load("mastodon/like"), published=value)).published is None


def test_an_accept_names_what_it_answers_whatever_its_type() -> None:
    join = {"id": "https://buurt.example/users/bram#joins/1", "type": "Join", "actor": BRAM}
    accept = dict(load("mastodon/accept_follow_embedded"), object=join)
    assert answered_id(as2_to_activity(accept)) == join["id"]  # matched by id to what we sent


def test_embedded_activity_needs_an_embedded_object() -> None:
    with pytest.raises(ParseError, match="must embed"):
        embedded_activity(as2_to_activity(load("mastodon/accept_follow_id")))
    with pytest.raises(ParseError, match="object is missing"):
        object_id(
            as2_to_activity({k: v for k, v in load("mastodon/like").items() if k != "object"})
        )


def test_unknown_activity_types_and_fields_are_kept_or_ignored() -> None:
    activity = as2_to_activity(dict(load("mastodon/like"), type="EmojiReact", _extra={"a": [1]}))
    assert activity.type == "EmojiReact" and activity.objects == (BRAM_POST,)


# ---------------------------------------------------------------- hostile documents


def without(doc: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != key}


def mastodon_note(**changes: Any) -> dict[str, Any]:
    return dict(load("mastodon/create_note_public")["object"], **changes)


def mastodon_actor(**changes: Any) -> dict[str, Any]:
    return dict(load("mastodon/person"), **changes)


ELSEWHERE = "https://evil.example/inbox"
HOSTILE_NOTES = {
    "no id": (without(mastodon_note(), "id"), "id is missing"),
    "id not http": (mastodon_note(id="ftp://mastodon.example/1"), "absolute http"),
    "id relative": (mastodon_note(id="/users/alice/statuses/1"), "absolute http"),
    "id javascript": (mastodon_note(id="javascript:alert(1)"), "absolute http"),
    "id with a space": (mastodon_note(id="https://mastodon.example/a b"), "absolute http"),
    "id of 501 characters": (
        mastodon_note(id="https://mastodon.example/" + "a" * 476), "longer than 500"
    ),
    "id a number": (mastodon_note(id=12345), "must be a URL"),
    "no author": (without(mastodon_note(), "attributedTo"), "attributedTo is missing"),
    "author javascript": (mastodon_note(attributedTo="javascript:alert(1)"), "absolute http"),
    "reply to javascript": (mastodon_note(inReplyTo="javascript:x"), "absolute http"),
    "huge content": (mastodon_note(content="a" * (MAX_CONTENT + 1), contentMap={}), "longer"),
    "content a number": (mastodon_note(content=7), "content must be a string"),
    "10,000 tags": (mastodon_note(tag=[{"type": "Hashtag", "name": "#a"}] * 10_000), "tag has"),
    "10,000 attachments": (mastodon_note(attachment=[{}] * 10_000), "attachment has more"),
    "100,000 addressees": (mastodon_note(to=[BRAM] * 100_000), "to has more than 1000"),
    "not a post": (mastodon_note(type="Person"), "not a kind of post"),
    "no type": (without(mastodon_note(), "type"), "type is missing"),
}  # fmt: skip
# Bad values where we can do without the field: the post is kept, without them (as Mastodon).
NOTES_WITH_BAD_EXTRAS = {
    "url javascript": (mastodon_note(url="javascript:alert(1)"), "url", None),
    "url data": (mastodon_note(url={"type": "Link", "href": "data:text/html,<b>"}), "url", None),
    "huge url": (mastodon_note(url="https://m.example/" + "a" * 5000), "url", None),
    "huge name": (mastodon_note(type="Article", name="n" * 201), "title", None),
    "summary a list": (mastodon_note(summary=["a"]), "summary", None),
    "sensitive a string": (mastodon_note(sensitive="yes"), "summary", None),
    "published garbage": (mastodon_note(published="gisteren"), "published", None),
    "bad language": (mastodon_note(contentMap={"<script>": "x"}), "language", None),
    "contentMap a list": (mastodon_note(contentMap=["x"]), "language", None),
    "mention to javascript": (
        mastodon_note(tag=[{"type": "Mention", "href": "javascript:x"}]), "mentions", ()
    ),
    "hashtag that climbs paths": (
        mastodon_note(tag=[{"type": "Hashtag", "name": "#../../settings/delete"}]), "hashtags", ()
    ),
    "attachment javascript": (
        mastodon_note(attachment=[{"type": "Image", "mediaType": "image/png", "url": "data:x"}]),
        "attachments",
        (),
    ),
    "audience a number": (mastodon_note(audience=5), "audience", None),
}  # fmt: skip
HOSTILE_ACTORS = {
    "no id": (without(mastodon_actor(), "id"), "id is missing"),
    "no inbox": (without(mastodon_actor(), "inbox"), "inbox is missing"),
    "no username": (without(mastodon_actor(), "preferredUsername"), "preferredUsername is missing"),
    "blank username": (mastodon_actor(preferredUsername="  "), "empty"),
    "long username": (mastodon_actor(preferredUsername="a" * 101), "longer than 100"),
    "username a number": (mastodon_actor(preferredUsername=5), "must be a string"),
    "not an actor": (mastodon_actor(type="Note"), "not a kind of actor"),
    "inbox elsewhere": (mastodon_actor(inbox=ELSEWHERE), "inbox is not on the actor's server"),
    "inbox on another port": (
        mastodon_actor(inbox="https://mastodon.example:8443/inbox"), "not on the actor's server"
    ),
    "inbox javascript": (mastodon_actor(inbox="javascript:alert(1)"), "absolute http"),
    "shared inbox elsewhere": (mastodon_actor(endpoints={"sharedInbox": ELSEWHERE}), "sharedInbox"),
    "key elsewhere": (
        mastodon_actor(publicKey={"id": "https://evil.example/key", "owner": ALICE,
                                  "publicKeyPem": "-----BEGIN PUBLIC KEY-----"}),
        "publicKey id is not on the actor's server",
    ),
    "key of someone else": (
        mastodon_actor(publicKey={"id": f"{ALICE}#main-key", "owner": "https://evil.example/u",
                                  "publicKeyPem": "-----BEGIN PUBLIC KEY-----"}),
        "not owned by the actor",
    ),
    "key without pem": (mastodon_actor(publicKey={"id": f"{ALICE}#k", "owner": ALICE}), "needs"),
    "huge key": (
        mastodon_actor(publicKey={"id": f"{ALICE}#k", "owner": ALICE, "publicKeyPem": "k" * 10**5}),
        "longer",
    ),
    "username that climbs paths": (
        mastodon_actor(preferredUsername="x<b>ss/../../admin?q=1#"), "only letters, digits"
    ),
    "not an object": ([mastodon_actor()], "must be a JSON object"),
}  # fmt: skip
HOSTILE_ACTIVITIES = {
    "no id": (without(load("mastodon/like"), "id"), "id is missing"),
    "id not http": (dict(load("mastodon/like"), id="urn:uuid:1234"), "absolute http"),
    "no actor": (without(load("mastodon/like"), "actor"), "actor is missing"),
    "actor a number": (dict(load("mastodon/like"), actor=3), "actor must be a URL"),
    "object javascript": (dict(load("mastodon/like"), object="javascript:x"), "absolute http"),
    "type a number": (dict(load("mastodon/like"), type=1), "type is missing"),
    "huge type": (dict(load("mastodon/like"), type="T" * 101), "type is longer"),
    "flag of 10,000 posts": (dict(load("mastodon/flag"), object=[BRAM_POST] * 10_000), "object"),
    "an array": ([load("mastodon/like")], "must be a JSON object"),
}  # fmt: skip


@pytest.mark.parametrize("case", HOSTILE_NOTES)
def test_hostile_notes_are_refused(case: str) -> None:
    doc, reason = HOSTILE_NOTES[case]
    with pytest.raises(ParseError, match=re.escape(reason)):
        as2_to_note(doc)


@pytest.mark.parametrize("case", NOTES_WITH_BAD_EXTRAS)
def test_bad_values_where_we_can_do_without_are_left_out(case: str) -> None:
    doc, field, left = NOTES_WITH_BAD_EXTRAS[case]
    note = as2_to_note(doc)
    assert getattr(note, field) == left
    assert note.id == doc["id"] and "Gratis stoel" in note.content


ACTORS_WITH_BAD_EXTRAS = {
    "huge name": (mastodon_actor(name="n" * 201), "name", None),
    "huge summary": (mastodon_actor(summary="s" * 10_001), "summary", ""),
    "icon javascript": (
        mastodon_actor(icon={"type": "Image", "url": "javascript:x"}), "icon_url", None
    ),
    "url a number": (mastodon_actor(url=5), "url", None),
}  # fmt: skip


@pytest.mark.parametrize("case", ACTORS_WITH_BAD_EXTRAS)
def test_bad_values_where_an_actor_can_do_without_are_left_out(case: str) -> None:
    doc, field, left = ACTORS_WITH_BAD_EXTRAS[case]
    actor = as2_to_actor(doc)
    assert getattr(actor, field) == left
    assert actor.inbox == doc["inbox"]


@pytest.mark.parametrize("case", HOSTILE_ACTORS)
def test_hostile_actors_are_refused(case: str) -> None:
    doc, reason = HOSTILE_ACTORS[case]
    with pytest.raises(ParseError, match=re.escape(reason)):
        as2_to_actor(doc)


@pytest.mark.parametrize("case", HOSTILE_ACTIVITIES)
def test_hostile_activities_are_refused(case: str) -> None:
    doc, reason = HOSTILE_ACTIVITIES[case]
    with pytest.raises(ParseError, match=re.escape(reason)):
        as2_to_activity(doc)


def test_parse_error_carries_its_reason() -> None:
    with pytest.raises(ParseError) as raised:
        as2_to_activity(without(load("mastodon/like"), "actor"))
    assert raised.value.reason == "actor is missing" == str(raised.value)


def test_a_key_list_gives_the_actors_own_key() -> None:
    other = {"id": "https://evil.example/k", "owner": "https://evil.example/u", "publicKeyPem": "x"}
    own = {"id": f"{ALICE}/main-key", "owner": ALICE, "publicKeyPem": "-----BEGIN PUBLIC KEY-----"}
    parsed = as2_to_actor(mastodon_actor(publicKey=[other, own]))
    assert parsed.public_key_id == f"{ALICE}/main-key"


def test_unknown_tags_and_attachments_are_ignored() -> None:
    post = as2_to_note(mastodon_note(
        tag=[{"type": "Emoji", "name": ":x:"}, "junk", {"type": "Hashtag", "name": "#Één"}],
        attachment=[{"type": "Document", "mediaType": "video/mp4", "url": "https://m.example/v"},
                    {"type": "Image", "mediaType": "image/png", "url": "https://m.example/i.png",
                     "width": "wide", "height": -3}],
    ))  # fmt: skip
    assert post.hashtags == ("één",) and post.mentions == ()
    assert [(a.url, a.width, a.height) for a in post.attachments] == [
        ("https://m.example/i.png", None, None)
    ]


def test_content_map_is_the_fallback_and_gives_the_language() -> None:
    post = as2_to_note(mastodon_note(content=None, contentMap={"fy": "<p>Moarn</p>", "nl": "x"}))
    assert (post.content, post.language) == ("<p>Moarn</p>", "fy")


def test_content_warning_is_plain_text() -> None:
    post = as2_to_note(mastodon_note(summary="<b>Let op</b> &amp; <script>x</script>"))
    assert post.summary == "Let op & x"


HOSTILE_HTML = {
    "script": ("<p>hoi</p><script>alert(1)</script>", "alert"),
    "onerror": ('<p><img src="x" onerror="alert(1)">hoi</p>', "onerror"),
    "javascript link": ('<p><a href="javascript:alert(1)">hoi</a></p>', "javascript"),
    "javascript link, spaced": ('<p><a href=" java\tscript:alert(1)">hoi</a></p>', "script:"),
    "style": ("<style>p{display:none}</style><p style='color:red'>hoi</p>", "display"),
    "iframe": ('<iframe src="https://evil.example"></iframe><p>hoi</p>', "evil"),
    "svg": ('<svg onload="alert(1)"><script>alert(1)</script></svg><p>hoi</p>', "alert"),
    "data url": ('<p><a href="data:text/html;base64,PHNjcmlwdD4=">hoi</a></p>', "data:"),
    "data image": ('<p><img src="data:image/svg+xml,<svg onload=alert(1)>">hoi</p>', "data:"),
    "form": ('<form action="https://evil.example"><input name="p"></form><p>hoi</p>', "form"),
}


class MarkupCheck(HTMLParser):
    """Every element and attribute of sanitised HTML, as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def assert_only_allowed_markup(html_text: str) -> None:
    check = MarkupCheck()
    check.feed(html_text)
    for tag, attrs in check.found:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()), (tag, name)
            if name == "href":
                assert urlsplit(value or "").scheme in ("http", "https"), value


@pytest.mark.parametrize("case", HOSTILE_HTML)
def test_hostile_html_is_removed(case: str) -> None:
    source, trace = HOSTILE_HTML[case]
    post = as2_to_note(mastodon_note(content=source))
    person = as2_to_actor(mastodon_actor(summary=source))
    for html_text in (post.content, person.summary):
        assert trace not in html_text.lower() and "hoi" in html_text
        assert_only_allowed_markup(html_text)


def test_title_is_escaped_above_the_content() -> None:
    post = as2_to_note(mastodon_note(type="Article", name="<script>x</script>Kop"))
    assert post.content.startswith("<p><strong>x Kop</strong></p>")


@pytest.mark.parametrize("vector", VECTORS)
def test_known_xss_vectors_leave_no_code(vector: str) -> None:
    assert_only_allowed_markup(as2_to_note(mastodon_note(content=vector)).content)
