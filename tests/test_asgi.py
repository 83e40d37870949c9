"""The entry point that servers load: the app from the environment, ready for a long life."""

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from buurtnet import asgi
from tests.conftest import browser_for


@pytest.fixture
def collector_restored() -> Iterator[None]:
    yield
    gc.unfreeze()  # let the rest of the test run collect what this test froze


async def test_the_served_app_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, collector_restored: None
) -> None:
    monkeypatch.setenv("BUURTNET_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BUURTNET_INSTANCE_NAME", "De Hoven")
    monkeypatch.setenv("BUURTNET_EMBEDDED_WORKER", "false")
    app = asgi.application()
    async with app.router.lifespan_context(app), browser_for(app) as browser:
        page = await browser.get("/login")
    assert page.status_code == 200 and "De Hoven" in page.text


def test_what_startup_made_is_left_out_of_garbage_collections(collector_restored: None) -> None:
    gc.unfreeze()
    app = Starlette()
    assert asgi.ready_to_serve(app) is app
    assert gc.get_freeze_count() > 0
    assert app not in gc.get_objects()  # a full collection no longer walks through it
