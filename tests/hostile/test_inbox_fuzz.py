"""Thousands of mutated, validly signed activities to every inbox: none may get a 5xx, leave a
traceback in the log, or become a job that fails and is tried again (a poison job).

The activities are the ones real servers send (tests/data/federation), from accounts whose keys
we hold, addressed to the people of our own neighbourhood; `mutations` breaks them. The examples
are derived from the test's name (hypothesis' `derandomize`), so CI always runs the same ones;
BUURTNET_FUZZ_EXAMPLES=5000 runs more, and BUURTNET_FUZZ_RANDOM=1 other ones each time.
"""

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzzing
from hypothesis import strategies as st
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.config import Settings
from buurtnet.db import Database
from buurtnet.federation.remote_actors import actor_by_uri
from buurtnet.models import Job, JobStatus, Neighbourhood
from tests.conftest import BASE_URL, add_follow, make_account, make_settings, write_post
from tests.hostile.mutations import mutated
from tests.kit.federation import run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import sign_like_remote
from tests.test_fixtures_inbox import FIXTURES, KEY_NUMBER, load, with_our_key

EXAMPLES = int(os.environ.get("BUURTNET_FUZZ_EXAMPLES", "250"))
PER_EXAMPLE = 8  # activities sent before the queue runs
INBOXES = ["/inbox", "/users/bram/inbox", "/n/vogelwijk/inbox", "/actor/inbox"]


@dataclass(frozen=True)
class Template:
    key_id: str
    activity: dict[str, Any]


def rehomed(text: str, post_url: str) -> str:
    """A fixture's addresses on its made-up instance, made ours."""
    return (
        text.replace("https://buurt.example/users/bram/statuses/42", post_url)
        .replace("https://buurt.example/neighbourhoods/centrum", f"{BASE_URL}/n/vogelwijk")
        .replace("https://buurt.example", BASE_URL)
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, inbox_limit=0)  # no flood limit: a fuzz is one


@pytest.fixture
async def templates(
    app: Starlette, database: Database, neighbourhood: Neighbourhood, network: FakeNetwork
) -> list[Template]:
    """Every recorded activity, from a person whom Bram follows, about Bram and his post."""
    bram = await make_account(database, "bram", neighbourhood=neighbourhood)
    await make_account(database, "anna", neighbourhood=neighbourhood)
    post = await write_post(database, bram, "Wie helpt zaterdag met opruimen?")
    key_ids = {}
    for person_file in sorted(FIXTURES.glob("*/person.json")):
        person, key_id = with_our_key(load(person_file))
        network.serve(person)
        author = await actor_by_uri(app.state.federation, person["id"])
        key_ids[person["id"]] = key_id
        await add_follow(database, bram, author)
    found = []
    for path in sorted(FIXTURES.glob("*/*.json")):
        activity = json.loads(
            rehomed(path.read_text(), f"{BASE_URL}/users/bram/statuses/{post.id}")
        )
        if activity.get("actor") in key_ids:
            found.append(Template(key_ids[activity["actor"]], activity))
    return found


def sendings(templates: list[Template]) -> st.SearchStrategy[tuple[str, Any, str]]:
    """A template's key, a mutant of its activity, and the inbox it goes to."""
    return st.sampled_from(templates).flatmap(
        lambda template: st.tuples(
            st.just(template.key_id), mutated(template.activity), st.sampled_from(INBOXES)
        )
    )


async def poison_jobs(database: Database) -> list[str]:
    """Jobs that failed: given up, or waiting to be tried again."""
    async with database.reading() as session:
        failed = await session.exec(
            select(Job).where((col(Job.status) == JobStatus.FAILED) | (col(Job.last_error) != ""))
        )
        return [f"{job.name}: {job.last_error}" for job in failed.all()]


@fuzzing(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("BUURTNET_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
async def test_mutated_activities_never_get_a_server_error(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    templates: list[Template],
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
) -> None:
    caplog.set_level(logging.INFO)
    # Drawn before anything is sent, so that what is drawn never depends on the answers (which
    # depend on what earlier examples left in the database): hypothesis can then shrink a failure.
    batch = data.draw(st.lists(sendings(templates), min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
    for key_id, activity, inbox in batch:
        body = json.dumps(activity).encode()
        headers = sign_like_remote(
            "POST", BASE_URL + inbox, body, key_id=key_id, key_number=KEY_NUMBER
        )
        response = await client.post(inbox, content=body, headers=headers)
        assert response.status_code < 500, (response.status_code, response.text, activity)
        assert response.status_code in (202, 400, 401, 403, 413), response.text
    await run_queue(app)
    assert await poison_jobs(database) == []
    tracebacks = [record.getMessage() for record in caplog.records if record.exc_info]
    assert tracebacks == []
    caplog.clear()
