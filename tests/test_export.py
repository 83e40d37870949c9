"""Downloading one's own data: the AS2 builders, the gathering in core, and the zip on the web."""

import io
import json
import zipfile
from datetime import UTC, date, datetime
from typing import Any

import httpx
from PIL import Image
from starlette.applications import Starlette

from buurtnet.core import export, interactions, media, permissions, posts, relations, surveys
from buurtnet.core.post_details import PostDetails
from buurtnet.core.survey_scores import Answer
from buurtnet.db import Database
from buurtnet.federation import archive
from buurtnet.federation.as2 import objects
from buurtnet.federation.uris import PUBLIC, Uris
from buurtnet.models import (
    Account,
    Duty,
    MediaAttachment,
    Neighbourhood,
    ParticipationStatus,
    Post,
    Visibility,
)
from tests.conftest import counting_statements, csrf_token, log_in, make_account
from tests.events_kit import answer, make_event
from tests.test_polls import cast, option_ids, write_poll

URIS = Uris.for_base("https://buurt.example/")


def png_bytes(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(buffer, "PNG")
    return buffer.getvalue()


async def write(
    database: Database,
    author: Account,
    source: str,
    images: list[media.StoredImage] | None = None,
    **choices: Any,
) -> Post:
    async with database.transaction() as session:
        draft = posts.Draft(source=source, **choices)
        return await posts.create_post(session, author, draft, images or [])


def a_post(**changes: Any) -> tuple[Post, Account]:
    author = Account(
        id=7,
        username="Anna",
        username_key="anna",
        email="anna@example.org",
        password_hash="x",
        display_name="Anna de Vries",
        bio="Ik woon hier.",
        created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    values: dict[str, Any] = {
        "id": 42,
        "author_id": 7,
        "visibility": Visibility.PUBLIC,
        "source": "Hallo #buren",
        "content_html": "<p>Hallo #buren</p>",
        "created_at": datetime(2026, 3, 1, 12, 0, 0),  # as SQLite hands it back: no zone
    }
    return Post(**(values | changes)), author


def test_an_actor_is_a_person_with_its_collections() -> None:
    _post, author = a_post()
    actor = objects.actor_to_as2(author, URIS, icon_url="media/a.png", icon_type="image/png")
    assert actor["id"] == "https://buurt.example/users/Anna"
    assert actor["type"] == "Person" and actor["preferredUsername"] == "Anna"
    assert actor["outbox"] == "https://buurt.example/users/Anna/outbox"
    assert actor["url"] == "https://buurt.example/@Anna"
    assert actor["published"] == "2026-01-02T03:04:05Z"
    assert actor["summary"] == "<p>Ik woon hier.</p>"
    assert objects.plain_to_html("a < b\nc") == "<p>a &lt; b<br>c</p>"
    assert actor["icon"] == {"type": "Image", "mediaType": "image/png", "url": "media/a.png"}
    assert "publicKey" not in actor and "email" not in json.dumps(actor)


def test_a_note_carries_text_source_tags_and_images() -> None:
    post, author = a_post(edited_at=datetime(2026, 3, 2, tzinfo=UTC), summary="Let op")
    image = MediaAttachment(
        owner_id=7,
        post_id=42,
        alt_text="Een fiets",
        storage_key="k.jpg",
        thumbnail_key="t.jpg",
        content_type="image/jpeg",
        width=4,
        height=3,
    )
    bram = Account(id=8, username="bram", username_key="bram")
    parent = Post(id=1, author_id=8, source="Vraag", content_html="<p>Vraag</p>")
    details = PostDetails(
        post, author, [bram], ["buren"], [image], parent=(parent, bram), neighbourhood=None
    )
    note = objects.note_to_as2(details, URIS, host="buurt.example", media_url=archive.media_path)
    assert note["id"] == "https://buurt.example/users/Anna/statuses/42"
    assert note["attributedTo"] == "https://buurt.example/users/Anna"
    assert note["published"] == "2026-03-01T12:00:00Z"
    assert note["updated"] == "2026-03-02T00:00:00Z"
    assert note["content"] == "<p>Hallo #buren</p>"
    assert note["source"] == {"content": "Hallo #buren", "mediaType": "text/plain"}
    assert note["summary"] == "Let op" and note["sensitive"] is True
    assert note["inReplyTo"] == "https://buurt.example/users/bram/statuses/1"
    assert note["to"] == [PUBLIC]
    assert note["cc"] == [
        "https://buurt.example/users/Anna/followers",
        "https://buurt.example/users/bram",
    ]
    assert {"type": "Hashtag", "name": "#buren", "href": "https://buurt.example/tags/buren"} in (
        note["tag"]
    )
    assert {
        "type": "Mention",
        "href": "https://buurt.example/users/bram",
        "name": "@bram@buurt.example",
    } in note["tag"]
    assert note["attachment"] == [
        {
            "type": "Image",
            "mediaType": "image/jpeg",
            "url": "media/k.jpg",
            "name": "Een fiets",
            "width": 4,
            "height": 3,
        }
    ]


def test_addressing_follows_the_visibility() -> None:
    followers = "https://buurt.example/users/Anna/followers"
    bram = "https://buurt.example/users/bram"
    group = "https://buurt.example/n/vogelwijk"
    cases = {
        Visibility.PUBLIC: ([PUBLIC], [followers, bram]),
        Visibility.UNLISTED: ([followers], [PUBLIC, bram]),
        Visibility.FOLLOWERS: ([followers], [bram]),
        Visibility.DIRECT: ([bram], []),
        Visibility.NEIGHBOURHOOD: ([group], [bram]),
    }
    for visibility, expected in cases.items():
        assert objects.addressing(visibility, followers, [bram], group) == expected, visibility


def test_people_here_and_elsewhere_are_tagged_and_addressed_alike() -> None:
    bob = Account(
        id=9,
        username="Bob",
        username_key="bob@remote.example",
        domain="remote.example",
        actor_uri="https://remote.example/users/bob",
    )
    bram = Account(id=8, username="bram", username_key="bram")
    place = Neighbourhood(id=3, slug="vogelwijk", name="Vogelwijk")
    link = '<p><a href="/@bram">@bram</a></p>'
    for visibility in (Visibility.PUBLIC, Visibility.DIRECT):
        post, author = a_post(visibility=visibility, content_html=link)
        details = PostDetails(post, author, [bob, bram], [], [], parent=None, neighbourhood=place)
        note = objects.note_to_as2(details, URIS, host="buurt.example")
        people = ["https://remote.example/users/bob", "https://buurt.example/users/bram"]
        addressed = note["cc"] if visibility == Visibility.PUBLIC else note["to"]
        assert addressed[-2:] == people
        names = [tag["name"] for tag in note["tag"]]
        assert names == ["@bob@remote.example", "@bram@buurt.example"]
        assert 'href="https://buurt.example/@bram"' in note["content"]
        group = "https://buurt.example/n/vogelwijk" if visibility == Visibility.PUBLIC else None
        assert note.get("audience") == group


def test_a_create_wraps_the_note_and_documents_carry_the_context() -> None:
    post, author = a_post()
    details = PostDetails(post, author, [], [], [], parent=None, neighbourhood=None)
    note = objects.note_to_as2(details, URIS, host="buurt.example")
    create = objects.create_to_as2(note, URIS.actor("Anna"), URIS.post_activity("Anna", 42))
    assert create["type"] == "Create" and create["object"] is note
    assert create["to"] == note["to"] and create["actor"] == "https://buurt.example/users/Anna"
    outbox = objects.document(objects.ordered_collection(URIS.outbox("Anna"), [create]))
    assert outbox["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 1


async def count_statements(database: Database, account: Account) -> int:
    with counting_statements(database) as statements:
        async with database.reading() as session:
            await export.gather_export(session, account)
    return len(statements)


async def test_gathering_costs_the_same_few_queries_however_many_posts(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    bram = await make_account(database, "bram", neighbourhood=neighbourhood)
    await write(database, resident, "Eerste #buren, hoi @bram")
    few = await count_statements(database, resident)
    assert few > 0
    for number in range(8):
        post = await write(database, resident, f"Bericht {number} #tag{number}")
        await write(database, bram, "Antwoord", in_reply_to_id=post.id)
        assert post.id is not None
        async with database.transaction() as session:
            await interactions.like(session, bram, post.id)
    assert await count_statements(database, resident) == few
    async with database.reading() as session:
        gathered = await export.gather_export(session, resident)
    assert len(gathered.posts) == 9
    assert gathered.posts[-1].hashtags == ["buren"]
    assert [person.username for person in gathered.posts[-1].named] == ["bram"]


async def test_the_download_holds_my_posts_images_and_relations_and_nobody_elses(
    app: Starlette, client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    anna = await make_account(database, "anna", neighbourhood=neighbourhood)
    bram = await make_account(database, "bram", neighbourhood=neighbourhood)
    storage = app.state.services.storage
    stored = await media.store_images(storage, [media.ImageUpload(png_bytes(), "Een rode fiets")])
    avatar_key = await media.store_avatar(storage, png_bytes("blue"))
    async with database.transaction() as session:
        await relations.follow(session, anna, bram.id or 0)
        await relations.follow(session, bram, anna.id or 0)
        stored_anna = await session.get(Account, anna.id)
        assert stored_anna is not None
        stored_anna.avatar_key = avatar_key
    bram_post = await write(database, bram, "Geheim van Bram", visibility=Visibility.PUBLIC)
    mine = await write(database, anna, "Fiets te leen #delen", stored, visibility=Visibility.PUBLIC)
    await write(database, anna, "Graag!", in_reply_to_id=bram_post.id)
    async with database.transaction() as session:
        await interactions.like(session, anna, bram_post.id or 0)

    await log_in(client, "anna")
    page = await client.get("/settings/export")
    assert page.status_code == 200
    token = await csrf_token(client, "/settings/export")
    response = await client.post("/settings/export", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert 'attachment; filename="buurtnet-anna-' in response.headers["content-disposition"]

    files = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(files.namelist())
    assert {"actor.json", "outbox.json", "likes.json", "following.json", "followers.json"} <= names
    documents = {name: json.loads(files.read(name)) for name in names if name.endswith(".json")}
    for document in documents.values():
        assert document["@context"][0] == "https://www.w3.org/ns/activitystreams"
    notes = [item["object"] for item in documents["outbox.json"]["orderedItems"]]
    assert [note["source"]["content"] for note in notes] == ["Graag!", "Fiets te leen #delen"]
    assert notes[0]["inReplyTo"] == f"http://testserver/users/bram/statuses/{bram_post.id}"
    assert notes[1]["id"] == f"http://testserver/users/anna/statuses/{mine.id}"
    [attachment] = notes[1]["attachment"]
    assert attachment["name"] == "Een rode fiets"
    assert Image.open(io.BytesIO(files.read(attachment["url"]))).size == (32, 24)
    assert files.read(documents["actor.json"]["icon"]["url"]) == await storage.load(avatar_key)
    assert documents["likes.json"]["orderedItems"] == [
        f"http://testserver/users/bram/statuses/{bram_post.id}"
    ]
    assert documents["following.json"]["orderedItems"] == ["http://testserver/users/bram"]
    assert documents["followers.json"]["orderedItems"] == ["http://testserver/users/bram"]
    everything = b"".join(files.read(name) for name in names)
    assert b"Geheim van Bram" not in everything
    assert b"bram@example.org" not in everything and b"anna@example.org" not in everything
    assert sorted(name for name in names if name.startswith("media/")) == sorted(
        [f"media/{stored[0].storage_key}", f"media/{avatar_key}"]
    )


async def test_the_download_needs_a_login_and_a_form_post(
    client: httpx.AsyncClient, resident: Account
) -> None:
    assert (await client.get("/settings/export")).status_code == 303
    await log_in(client, "anna")
    assert (await client.post("/settings/export", data={})).status_code == 403


async def test_the_download_holds_my_activities_sign_ups_and_votes(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    anna = await make_account(database, "anna", neighbourhood=neighbourhood)
    bram = await make_account(database, "bram", neighbourhood=neighbourhood)
    own = await make_event(database, anna)
    brams = await make_event(database, bram, title="Buurtfeest")
    poll = await write_poll(database, bram)
    await answer(database, anna, brams.id or 0, ParticipationStatus.MAYBE)
    await cast(database, anna, poll, (await option_ids(database, poll))[1])
    async with database.reading() as session:
        gathered = await export.gather_export(session, anna)
    files = archive.documents(gathered, Uris.for_base("http://testserver/"), "testserver")
    [event] = [item["object"] for item in files["outbox.json"]["orderedItems"]]
    assert (event["type"], event["id"]) == (
        "Event",
        f"http://testserver/users/anna/statuses/{own.id}",
    )
    assert event["name"] == "Opruimen op het Merelplein"
    bram_event = f"http://testserver/users/bram/statuses/{brams.id}"
    assert files["activities.json"]["items"] == [{"object": bram_event, "answer": "maybe"}]
    bram_poll = f"http://testserver/users/bram/statuses/{poll.id}"
    assert files["votes.json"]["items"] == [{"object": bram_poll, "name": "Zondag"}]


async def test_the_download_says_which_surveys_i_took_part_in_but_not_my_answers(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    anna = await make_account(database, "anna", neighbourhood=neighbourhood)
    bram = await make_account(database, "bram", neighbourhood=neighbourhood)
    dirk = await make_account(database, "dirk", neighbourhood=neighbourhood, duty=Duty.DIRECTOR)
    opens, closes = date(2026, 12, 1), date(2026, 12, 14)
    async with database.transaction() as session:
        roles = await permissions.roles_of(session, dirk)
        period = await surveys.open_period(
            session, roles, neighbourhood.id or 0, opens, closes, opens
        )
        given = surveys.SurveyAnswers((Answer.AGREE,) * 5, 7, 8, "Meer bankjes")
        assert await surveys.answer(session, anna, period.id or 0, given, opens)
    uris = Uris.for_base("http://testserver/")
    async with database.reading() as session:
        annas = archive.documents(await export.gather_export(session, anna), uris, "testserver")
        brams = archive.documents(await export.gather_export(session, bram), uris, "testserver")
    assert annas["surveys.json"]["items"] == [
        {
            "neighbourhood": "http://testserver/n/vogelwijk",
            "name": "Vogelwijk",
            "startTime": "2026-12-01",
            "endTime": "2026-12-14",
        }
    ]
    assert "Meer bankjes" not in json.dumps(annas) and "agree" not in json.dumps(annas)
    assert brams["surveys.json"]["items"] == []
