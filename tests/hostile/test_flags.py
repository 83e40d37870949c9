"""Hostile `Flag`s: naming nothing, junk, too much, things of other servers, ids of ours that name
nothing, comments of the wrong type or full of markup, and a fuzz of mutated Flags. Each gets a
4xx with its reason, or a harmless 202; none a 5xx, a report it should not make, or a job that
fails again and again."""

import json
import logging
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzzing
from hypothesis import strategies as st
from sqlmodel import select
from starlette.applications import Starlette

from buurtnet.config import Settings
from buurtnet.db import Database
from buurtnet.federation.as2.parse_flags import MAX_FLAG_OBJECTS
from buurtnet.models import Account, DomainBlock, Job, Report, Visibility
from tests.conftest import BASE_URL, make_settings, write_post
from tests.hostile.mutations import mutated
from tests.hostile.test_inbox_fuzz import poison_jobs
from tests.kit.federation import deliver, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB
from tests.test_flags import SERVER, URIS, flag_of, reports_made

ANNA = f"{BASE_URL}/users/anna"
FUZZ_EXAMPLES = int(os.environ.get("BUURTNET_FUZZ_EXAMPLES", "100"))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # No flood limit and no budget of Flags: a fuzz is a flood.
    return make_settings(database_url, tmp_path, inbox_limit=0, flag_limit=0)


@pytest.fixture
def network(network: FakeNetwork) -> FakeNetwork:
    network.add(SERVER)
    return network


@pytest.mark.parametrize(
    ("objects", "reason"),
    [
        ([], "a Flag must name what it reports"),
        (None, "a Flag must name what it reports"),
        ([None, None], "a Flag must name what it reports"),
        ([{"type": "Note", "content": "zonder id"}], "a Flag must name what it reports"),
        ([42], "object must be a URL"),
        (["javascript:alert(1)"], "object must be an absolute http(s) URL"),
        ([ANNA, {"id": "ftp://social.example/x"}], "object must be an absolute http(s) URL"),
        ([f"{ANNA}/statuses/{n}" for n in range(MAX_FLAG_OBJECTS + 1)], "at most 20 objects"),
        ([ANNA] * 101, "object has more than 100 entries"),
        (["https://social.example/users/bob"], "names no person or post of this server"),
        ([f"{BASE_URL}/users/%00"], "names no person or post of this server"),
        ([f"{BASE_URL}/users/anna/inbox"], "names no person or post of this server"),
        ([f"{BASE_URL}/actor"], "names no person or post of this server"),
        ([f"{BASE_URL}/n/vogelwijk"], "names no person or post of this server"),
        ([f"{BASE_URL}/posts/99999999999999999999"], "names no person or post of this server"),
        ([BASE_URL.replace("http", "https") + "/users/anna"], "names no person or post"),
    ],
)
async def test_a_flag_that_names_nothing_of_ours_is_refused_with_its_reason(
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
    objects: Any,
    reason: str,
) -> None:
    flag = flag_of(SERVER, objects)
    if objects is None:
        del flag["object"]
    response = await deliver(client, SERVER, flag)
    assert response.status_code == 400, response.text
    assert reason in response.json()["error"]
    async with database.reading() as session:
        assert (await session.exec(select(Job))).all() == []
    assert await reports_made(database) == []


async def test_ids_of_ours_that_name_nothing_are_taken_without_a_report(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    """The answer is the same as for a real report: it must not tell what exists here."""
    hidden = await write_post(database, resident, "Alleen voor de buurt")
    named = [
        [URIS.post("anna", hidden.id or 0)],  # for the neighbourhood: never seen elsewhere
        [f"{BASE_URL}/posts/2147483647"],
        [f"{BASE_URL}/users/niemand", f"{BASE_URL}/@niemand"],
        [f"{BASE_URL}/users/{'a' * 200}"],
    ]
    for number, objects in enumerate(named, start=10):
        response = await deliver(client, SERVER, flag_of(SERVER, objects, number=number))
        assert response.status_code == 202, (objects, response.text)
    await run_queue(app)
    assert await reports_made(database) == []
    assert await poison_jobs(database) == []


@pytest.mark.parametrize(
    "content",
    [
        123,
        {"nl": "Reclame"},
        ["Reclame"],
        "Re\x00clame",
        "<script>alert(1)</script><p onclick='x()'>Reclame</p>",
        "&lt;b&gt;Reclame&lt;/b&gt;",
        "x" * 10_001,
        "\u202eemalceR",
    ],
)
async def test_a_comment_of_any_shape_is_kept_as_bounded_plain_text_or_left_out(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
    content: Any,
) -> None:
    response = await deliver(client, SERVER, flag_of(SERVER, ANNA, content=content))
    assert response.status_code == 202, response.text
    await run_queue(app)
    [report] = await reports_made(database)
    assert "\x00" not in report.comment and "\u202e" not in report.comment
    assert "<script" not in report.comment and "onclick" not in report.comment
    assert len(report.comment) <= 1000
    if isinstance(content, str) and "Reclame" in content:
        assert "Reclame" in report.comment


async def test_a_flag_from_a_suspended_server_or_signed_by_another_is_refused(
    client: httpx.AsyncClient, database: Database, resident: Account, network: FakeNetwork
) -> None:
    flag = flag_of(SERVER, ANNA)
    signed_by_bob = await deliver(client, BOB, flag)
    assert signed_by_bob.status_code == 401, signed_by_bob.text
    async with database.transaction() as session:
        session.add(DomainBlock(domain="social.example"))
    suspended = await deliver(client, SERVER, flag)
    assert suspended.status_code == 403, suspended.text
    stolen_id = flag | {"id": f"{BASE_URL}/flags/1"}  # an id of ours, taken in advance
    assert (await deliver(client, BOB, stolen_id | {"actor": BOB.id})).status_code in (400, 403)
    assert await reports_made(database) == []


@pytest.fixture
async def template(database: Database, resident: Account) -> dict[str, Any]:
    """A Flag of Bob's server about Anna and her post, with a person and a post elsewhere."""
    post = await write_post(database, resident, "Koop nu!", visibility=Visibility.PUBLIC)
    objects = [ANNA, URIS.post("anna", post.id or 0), BOB.id, f"{BOB.id}/statuses/1"]
    return flag_of(BOB, objects, content="<p>Reclame</p>")


@fuzzing(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("BUURTNET_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
async def test_mutated_flags_never_get_a_server_error(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    template: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
) -> None:
    caplog.set_level(logging.INFO)
    batch = data.draw(st.lists(mutated(template), min_size=4, max_size=4))
    for flag in batch:
        response = await deliver(client, BOB, flag)
        assert response.status_code in (202, 400, 401, 403), (response.text, json.dumps(flag))
    await run_queue(app)
    assert await poison_jobs(database) == []
    assert [record.getMessage() for record in caplog.records if record.exc_info] == []
    async with database.reading() as session:
        for report in (await session.exec(select(Report))).all():
            assert report.reporter_id is None and report.reporter_domain == "social.example"
            assert report.target_account_id is not None
    caplog.clear()
