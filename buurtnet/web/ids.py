"""Ids in paths, query strings and forms: what the database can hold, else "not found".

Starlette's `int` convertor takes any run of digits, and `str.isdigit` takes "²"; either way a
number the database cannot hold would end in a server error instead of a 404.
"""

from starlette.requests import Request

from buurtnet.core.errors import NotFound
from buurtnet.db import parse_row_id as parse_id


def path_id(request: Request, name: str) -> int:
    found = parse_id(request.path_params[name])
    if found is None:
        raise NotFound(name)
    return found


def cursor(request: Request) -> int | None:
    """The `before` of a feed's next page; anything else than an id means the first page."""
    return parse_id(request.query_params.get("before", ""))
