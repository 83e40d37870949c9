"""Entry point for ASGI servers: `uvicorn --factory buurtnet.asgi:application`."""

from starlette.applications import Starlette

from buurtnet.app import create_app
from buurtnet.config import load_settings


def application() -> Starlette:
    return create_app(load_settings())
