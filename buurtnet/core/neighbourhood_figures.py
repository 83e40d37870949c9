"""What a neighbourhood's CBS buurt code and number of homes may be (docs/liveability.md).

The number of homes is the denominator of the share of households reached, so a wrong one makes
a wrong figure on every page and export: both values are checked here, once, for what an admin
or director types in and for what the CBS import (`core/cbs_import`) reads. Pure.
"""

import re
from dataclasses import dataclass

from buurtnet.core.errors import InvalidInput

# "BU" and eight digits: the municipality's four, the wijk's two and the buurt's two.
CBS_CODE = re.compile(r"BU[0-9]{8}")
CBS_CODE_LENGTH = 10
MAX_HOMES = 1_000_000
# Digits, perhaps in groups of three as people write them ("1.250", "1 250").
TYPED_HOMES = re.compile(r"[0-9]{1,7}|[0-9]{1,3}(?:[. ][0-9]{3}){1,2}")

CBS_CODE_INVALID = "cbs_code_invalid"
HOMES_INVALID = "homes_invalid"


@dataclass(frozen=True)
class NeighbourhoodFigures:
    """None: not known (the share of households reached is then not worked out)."""

    cbs_code: str | None
    homes: int | None


def clean_cbs_code(text: str) -> str:
    """As stored: without surrounding spaces, in capitals ("bu03630000 " → "BU03630000")."""
    return text.strip().upper()


def is_cbs_code(code: str) -> bool:
    return CBS_CODE.fullmatch(code) is not None


def homes_in_range(homes: int) -> bool:
    return 1 <= homes <= MAX_HOMES


def typed_homes(text: str) -> int | None:
    """The number typed, or None when it is no whole number (the range is checked apart)."""
    text = text.strip()
    if TYPED_HOMES.fullmatch(text) is None:
        return None
    return int(text.replace(".", "").replace(" ", ""))


def checked(cbs_code: str, homes: str) -> NeighbourhoodFigures:
    """The figures as typed in a form; empty fields clear them. `InvalidInput` names every
    field that is wrong."""
    code = clean_cbs_code(cbs_code)
    number = typed_homes(homes)
    errors: dict[str, str] = {}
    if code and not is_cbs_code(code):
        errors["cbs_code"] = CBS_CODE_INVALID
    if homes.strip() and (number is None or not homes_in_range(number)):
        errors["homes"] = HOMES_INVALID
    if errors:
        raise InvalidInput(errors)
    return NeighbourhoodFigures(code or None, number)
