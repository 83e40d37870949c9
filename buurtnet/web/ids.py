"""Ids in paths, query strings and forms: what the database can hold, else "not found".

Starlette's `int` convertor takes any run of digits, and `str.isdigit` takes "²"; either way a
number the database cannot hold would end in a server error instead of a 404.
"""

import re

from starlette.requests import Request

from buurtnet.core.errors import NotFound

ID = re.compile(r"[1-9][0-9]{0,8}")  # below 2**31: fits PostgreSQL's integer


def parse_id(text: str) -> int | None:
    return int(text) if ID.fullmatch(text) else None


def path_id(request: Request, name: str) -> int:
    found = parse_id(request.path_params[name])
    if found is None:
        raise NotFound(name)
    return found


def cursor(request: Request) -> int | None:
    """The `before` of a feed's next page; anything else than an id means the first page."""
    return parse_id(request.query_params.get("before", ""))
