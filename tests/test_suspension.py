"""A suspension covers the server however its name is written, and its subdomains."""

import httpx
import pytest
from starlette.applications import Starlette

from buurtnet.core.remote_accounts import domain_of, suspension_names
from buurtnet.db import Database
from buurtnet.federation.remote_actors import ActorUnavailable, fetch_document
from buurtnet.models import Account
from buurtnet.moderation import domain_blocks
from tests.conftest import BASE_URL
from tests.hostile.test_inbox_attacks import nothing_stored
from tests.kit.as2 import follow_of
from tests.kit.federation import deliver
from tests.kit.network import FakeNetwork
from tests.kit.remote import RemoteActor


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://Evil.Example/users/eve", "evil.example"),
        ("https://evil.example:443/users/eve", "evil.example"),
        ("https://evil.example./users/eve", "evil.example"),
        ("https://eve:secret@evil.example/x", "evil.example"),
        ("http://evil.example:8080/x", "evil.example:8080"),
        ("https://[::1]:8443/x", "[::1]:8443"),
    ],
)
def test_a_server_has_one_name(url: str, domain: str) -> None:
    assert domain_of(url) == domain


def test_a_suspension_of_a_domain_covers_its_subdomains_and_ports() -> None:
    names = suspension_names("www.evil.example:8443")
    assert {"www.evil.example:8443", "www.evil.example", "evil.example"} <= set(names)
    assert "example" not in names


@pytest.mark.parametrize(
    "domain", ["evil.example:443", "evil.example.", "www.evil.example", "EVIL.example"]
)
async def test_no_spelling_of_a_suspended_server_gets_in(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
    domain: str,
) -> None:
    eve = network.add(RemoteActor("eve", domain=domain, key_number=1))
    async with database.transaction() as session:
        await domain_blocks.suspend(session, "evil.example")
    activity = follow_of(eve, f"{BASE_URL}/users/anna")
    response = await deliver(client, eve, activity)
    assert response.status_code == 403
    assert network.fetched == []
    assert await nothing_stored(database)


async def test_nothing_is_fetched_from_a_suspended_server_for_someone_else(
    app: Starlette, database: Database, network: FakeNetwork
) -> None:
    """A shared post (or an author) on a suspended server is not looked up at all."""
    network.serve({"id": "https://cdn.spam.example/notes/1", "type": "Note"})
    federation = app.state.federation
    async with database.transaction() as session:
        await domain_blocks.suspend(session, "spam.example")
    with pytest.raises(ActorUnavailable, match="suspended"):
        await fetch_document(federation, "https://cdn.spam.example/notes/1")
    assert network.fetched == []


async def test_a_document_that_claims_to_be_ours_is_refused(
    app: Starlette, network: FakeNetwork
) -> None:
    """Else a server could make us store a copy of one of our residents as theirs."""
    network.documents["https://evil.example/x"] = {"id": f"{BASE_URL}/users/anna"}
    with pytest.raises(ActorUnavailable, match="ours"):
        await fetch_document(app.state.federation, "https://evil.example/x")
