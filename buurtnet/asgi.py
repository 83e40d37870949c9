"""Entry point for ASGI servers: `uvicorn --factory buurtnet.asgi:application`.

`buurtnet serve` uses it and migrates first; another server needs `buurtnet migrate` beforehand.
"""

from starlette.applications import Starlette

from buurtnet.app import create_app
from buurtnet.config import load_settings


def application() -> Starlette:
    return create_app(load_settings())
