"""What the tests against the Fedify peer share: a buurtnet instance on a real port, the peer,
and Anna of Vogelwijk on our side."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from buurtnet.models import Account, Neighbourhood
from tests.conftest import make_account
from tests.federation.fedify import FedifyPeer, start_fedify_peer
from tests.federation.instances import Instance, make_neighbourhood, start_instance


@pytest.fixture
async def buurtnet(database_url: str, tmp_path: Path) -> AsyncIterator[Instance]:
    async with start_instance(database_url, tmp_path) as instance:
        yield instance


@pytest.fixture
async def peer() -> AsyncIterator[FedifyPeer]:
    async with start_fedify_peer() as peer:
        yield peer


@pytest.fixture
async def vogelwijk(buurtnet: Instance) -> Neighbourhood:
    return await make_neighbourhood(buurtnet, "vogelwijk", "Vogelwijk")


@pytest.fixture
async def anna(buurtnet: Instance, vogelwijk: Neighbourhood) -> Account:
    return await make_account(buurtnet.database, "anna", neighbourhood=vogelwijk)
