"""The streets or housing complexes of a neighbourhood (`Neighbourhood.places`, one per line),
and a resident's choice among them (`Account.place`). Pure: the rules for the values only;
who may change the list is `moderation/place_settings`, the newcomer's choice `core/welcome`.
"""

from buurtnet.core.errors import InvalidInput
from buurtnet.core.text import clean_line

PLACE_LENGTH = 100  # `Account.place`
MAX_PLACES = 200
# What the form may send: every line at its longest, with room for what cleaning removes.
PLACES_FORM_LENGTH = 2 * MAX_PLACES * (PLACE_LENGTH + 1)
TOO_MANY = "places_too_many"
TOO_LONG = "place_too_long"
UNKNOWN = "place_unknown"


def listed(places: str) -> list[str]:
    """The places as stored or typed: each line cleaned, empty lines and repeats left out (a
    repeat in another case too), in the order given."""
    seen: set[str] = set()
    found = []
    for line in places.splitlines():
        place = clean_line(line, len(line))
        if place and place.casefold() not in seen:
            seen.add(place.casefold())
            found.append(place)
    return found


def checked_list(places: str) -> str:
    """The list to store, one place per line; `InvalidInput` for too many or too long ones."""
    found = listed(places)
    if len(found) > MAX_PLACES:
        raise InvalidInput.single("places", TOO_MANY)
    if any(len(place) > PLACE_LENGTH for place in found):
        raise InvalidInput.single("places", TOO_LONG)
    return "\n".join(found)


def checked_choice(places: str, chosen: str) -> str:
    """A resident's place: one of the neighbourhood's `places` (as listed there), or empty."""
    chosen = clean_line(chosen, PLACE_LENGTH + 1)
    if not chosen:
        return ""
    for place in listed(places):
        if place == chosen:
            return place
    raise InvalidInput.single("place", UNKNOWN)
