"""The outgoing activities' shapes, as Mastodon sends and expects them: pure, without fixtures."""

from datetime import UTC, datetime

import pytest

from buurtnet.federation.as2 import activities
from buurtnet.federation.uris import PUBLIC, Uris

URIS = Uris.for_base("https://buurt.example")
ANNA = URIS.actor("anna")
BOB = "https://remote.example/users/bob"
NOTE_ID = URIS.post("anna", 7)


def note(visibility_to: list[str], cc: list[str]) -> dict[str, object]:
    return {
        "id": NOTE_ID,
        "type": "Note",
        "attributedTo": ANNA,
        "published": "2026-12-01T10:00:00Z",
        "updated": "2026-12-01T11:00:00Z",
        "to": visibility_to,
        "cc": cc,
        "tag": [],
    }


def test_activity_ids_are_fragments_of_their_actor() -> None:
    assert URIS.activity(ANNA, "likes", "7-1") == "https://buurt.example/users/anna#likes/7-1"


def test_stamps_tell_moments_apart_and_read_naive_times_as_utc() -> None:
    moment = datetime(2026, 12, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert activities.stamp(moment) == activities.stamp(moment.replace(tzinfo=None))
    assert activities.stamp(moment) != activities.stamp(moment.replace(microsecond=123457))


def test_follow_and_its_undo_embed_the_follow() -> None:
    follow = activities.follow_to_as2(ANNA + "#follows/x", ANNA, BOB)
    assert follow == {"id": ANNA + "#follows/x", "type": "Follow", "actor": ANNA, "object": BOB}
    undo = activities.undo_to_as2(follow)
    assert undo == {"id": ANNA + "#follows/x/undo", "type": "Undo", "actor": ANNA, "object": follow}


def test_accept_and_reject_embed_the_follow_and_answer_its_actor() -> None:
    follow = {"id": BOB + "#f1", "type": "Follow", "actor": BOB, "object": ANNA}
    accept = activities.accept_to_as2(ANNA + "#accepts/1", ANNA, follow)
    reject = activities.reject_to_as2(ANNA + "#rejects/1", ANNA, follow)
    assert accept["type"] == "Accept" and reject["type"] == "Reject"
    for answer in (accept, reject):
        assert answer["object"] == follow
        assert answer["to"] == [BOB]
        assert answer["actor"] == ANNA
        assert answer["id"].startswith(ANNA)  # ours, not on the follower's server


def test_like_names_the_post_and_its_author() -> None:
    like = activities.like_to_as2(ANNA + "#likes/1", ANNA, BOB + "/statuses/1", BOB)
    assert like == {
        "id": ANNA + "#likes/1",
        "type": "Like",
        "actor": ANNA,
        "object": BOB + "/statuses/1",
        "to": [BOB],
    }


def test_announce_is_public_to_followers_and_author_and_its_undo_keeps_the_addressing() -> None:
    announce = activities.announce_to_as2(
        ANNA + "#shares/1",
        ANNA,
        BOB + "/statuses/1",
        followers=URIS.followers("anna"),
        author=BOB,
        published="2026-12-01T10:00:00Z",
    )
    assert announce["to"] == [PUBLIC]
    assert announce["cc"] == [URIS.followers("anna"), BOB]
    assert announce["object"] == BOB + "/statuses/1"
    undo = activities.undo_to_as2(announce)
    assert undo["object"] == announce
    assert (undo["to"], undo["cc"]) == (announce["to"], announce["cc"])


def test_delete_of_a_post_carries_a_tombstone_addressed_as_the_post() -> None:
    delete = activities.delete_note_to_as2(NOTE_ID, ANNA, [PUBLIC], [URIS.followers("anna")])
    assert delete["object"] == {"id": NOTE_ID, "type": "Tombstone"}
    assert delete["id"] == NOTE_ID + "#delete"
    assert (delete["to"], delete["cc"]) == ([PUBLIC], [URIS.followers("anna")])


def test_delete_of_an_actor_is_public_and_names_the_actor() -> None:
    delete = activities.delete_actor_to_as2(ANNA)
    assert delete == {
        "id": ANNA + "#delete",
        "type": "Delete",
        "actor": ANNA,
        "to": [PUBLIC],
        "object": ANNA,
    }


def test_update_of_a_note_carries_the_note_with_its_updated() -> None:
    edited = note([PUBLIC], [URIS.followers("anna")])
    update = activities.update_note_to_as2(edited, ANNA, NOTE_ID + "#updates/1")
    assert update["object"] == edited
    assert update["published"] == "2026-12-01T11:00:00Z"
    assert (update["to"], update["cc"]) == (edited["to"], edited["cc"])
    with pytest.raises(ValueError, match="edited"):
        activities.update_note_to_as2({**edited, "updated": None}, ANNA, "x")


def test_update_of_a_person_is_public() -> None:
    actor = {"id": ANNA, "type": "Person"}
    update = activities.update_actor_to_as2(actor, ANNA + "#updates/1", URIS.followers("anna"))
    assert update["object"] == actor
    assert update["actor"] == ANNA
    assert update["to"] == [PUBLIC]


def test_block_goes_to_the_blocked() -> None:
    block = activities.block_to_as2(ANNA + "#blocks/1", ANNA, BOB)
    assert (block["type"], block["object"], block["to"]) == ("Block", BOB, [BOB])
