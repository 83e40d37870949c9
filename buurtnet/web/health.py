"""`/healthz`: 200 when the database answers, for load balancers and the container health check."""

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from buurtnet.web.services import services


async def healthz(request: Request) -> Response:
    try:
        await services(request).database.ping()
    except (SQLAlchemyError, OSError):
        return PlainTextResponse("database unavailable", status_code=503)
    return PlainTextResponse("ok")


routes = [Route("/healthz", healthz, methods=["GET", "HEAD"])]
