"""Hypothesis strategies that turn a real activity into a hostile one: values of the wrong type,
too long, out of range, with NUL characters, pointing at private or local places, objects where
strings belong and lists where one value belongs, keys removed.

The activities that the inbox tests mutate keep their `actor` (most of the time), so that the
mutant is signed by its actor and passes the signature check: the fuzz is of what comes after.
"""

import copy
from typing import Any

from hypothesis import strategies as st

from buurtnet.federation.uris import PUBLIC
from tests.conftest import BASE_URL

Json = Any

# Values that broke a parser, a handler or a database column once, or that someone would try.
NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "https://social.example/x\x00y",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "<script>alert(1)</script>",
    "as:Public",
    "Public",
    PUBLIC,
    "http://127.0.0.1/actor",
    "https://[::1]/inbox",
    "https://social.example/" + "a" * 480,
    "https://social.example/" + "a" * 600,
    "https://social.example/" + "a" * 2100,
    f"{BASE_URL}/posts/999999999999999999",
    f"{BASE_URL}/posts/2147483648",
    f"{BASE_URL}/users/bram/statuses/99999999999999999999",
    f"{BASE_URL}/users/%00",
    f"{BASE_URL}/users/bram",
    f"{BASE_URL}/users/anna",
    f"{BASE_URL}/n/vogelwijk",
    f"{BASE_URL}/tags/../../settings/delete",
    "x<b>ss/../../admin?q=1#",
    "../../settings/delete",
    "2026-13-45T99:99:99Z",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00+23:59",
    "\u202e\u200b",
]
NASTY_NUMBERS = [0, -1, 1, 2**31, 2**63, -(2**63), 10**30, 1.5, float("inf"), float("-inf")]
KEYS = ["id", "type", "href", "name", "url", "content", "object", "actor", "to", "cc", "tag"]

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(NASTY_NUMBERS),
    st.integers(),
    st.sampled_from(NASTY_STRINGS),
    st.text(max_size=30),
    st.integers(min_value=0, max_value=200_000).map(lambda n: "x" * n),
)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
        inner.map(lambda v: {"id": v}),
        inner.map(lambda v: {"type": "Link", "href": v}),
    ),
    max_leaves=8,
)


def paths_in(document: Json, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document, the document itself first."""
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += paths_in(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths_in(value, (*prefix, index))
    return found


def _get(document: Json, path: tuple[Any, ...]) -> Json:
    for step in path:
        document = document[step]
    return document


@st.composite
def mutated(draw: st.DrawFn, document: dict[str, Any], *, keep_actor: bool = True) -> Json:
    """The document with one to four places changed: replaced, removed, wrapped or copied."""
    result = copy.deepcopy(document)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        places = [
            path for path in paths_in(result) if path and not (keep_actor and path[0] == "actor")
        ]
        if not places:
            break
        path = draw(st.sampled_from(places))
        parent, last = _get(result, path[:-1]), path[-1]
        action = draw(st.sampled_from(["replace", "replace", "remove", "wrap", "embed", "copy"]))
        if action == "replace":
            parent[last] = draw(values)
        elif action == "remove":
            del parent[last]
        elif action == "wrap":
            parent[last] = [parent[last], draw(values)]
        elif action == "embed":
            parent[last] = {"id": parent[last], "type": draw(st.sampled_from(KEYS))}
        else:
            parent[last] = copy.deepcopy(_get(result, draw(st.sampled_from(paths_in(result)))))
    return result
