"""Entry point for ASGI servers: `uvicorn --factory buurtnet.asgi:application`.

`buurtnet serve` uses it and migrates first; another server needs `buurtnet migrate` beforehand.
"""

import gc

from starlette.applications import Starlette

from buurtnet.app import create_app
from buurtnet.config import load_settings


def application() -> Starlette:
    return ready_to_serve(create_app(load_settings()))


def ready_to_serve(app: Starlette) -> Starlette:
    """Everything made so far (the modules, the app, its settings) lives as long as the process.

    Moved out of the garbage collector's sight, so that a full collection, which would walk
    through all of it (tens of milliseconds), takes a fraction of one and no page waits for it.
    What start-up left as garbage is collected first, or it would stay for good.
    """
    gc.collect()
    gc.freeze()
    return app
