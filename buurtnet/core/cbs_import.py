"""Reading the number of homes per buurt from a CSV of CBS "Kerncijfers wijken en buurten".

Two shapes are read, told apart by their header (docs/liveability.md, "CBS data"):

- StatLine open data (tables such as 85984NED): `WijkenEnBuurten`, `SoortRegio_2`,
  `Codering_3`, `Woningvoorraad_NN` (the number after the name differs from year to year), and
  the same as labels in StatLine's own download ("Regioaanduiding/Codering (code)",
  "Wonen/Woningvoorraad (aantal)"), perhaps below a title.
- The yearly "kwb-YYYY" file: `gwb_code_10` (or `gwb_code`), `recs` and `a_woning`.

Only buurt rows count (`Buurt` in the kind of region, or a code starting with "BU" when there is
no such column); gemeente, wijk and land rows are passed over. Separators `;`, `,` or tab; UTF-8
with or without BOM, UTF-16 with BOM, else Windows-1252. A value CBS does not give ("." or
empty, or a negative code for secret) is unknown, not wrong. Reading is pure and never fails on
what a line holds: each wrong line becomes a problem with its number (the header's line counts),
and only a file as a whole can be refused (`UnreadableFile`).
"""

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from buurtnet.core.errors import InvalidInput
from buurtnet.core.neighbourhood_figures import MAX_HOMES, clean_cbs_code, is_cbs_code

MAX_BYTES = 50 * 1024 * 1024
HEADER_SEARCH_LINES = 50  # StatLine's download puts a title above the header
HEADER_MAX_LENGTH = 64 * 1024
MAX_PROBLEMS = 100  # listed with their line; beyond that, only counted
PROGRESS_EVERY = 10_000  # lines
SHOWN_LENGTH = 20  # of a line's code, in its problem
DELIMITERS = (";", ",", "\t")
UNKNOWN = frozenset({"", ".", "x", "-", "?", "nan", "null"})
# "2105", "2105.0" or "2105,00" from a spreadsheet; a group of three digits after the point is
# a thousands separator ("2.105", "1,000"), never decimals: homes are whole.
NUMBER = re.compile(r"(-?[0-9]{1,12})(?:[.,]0{1,2})?")
GROUPED_NUMBER = re.compile(r"-?[0-9]{1,3}(?:([.,])[0-9]{3})(?:\1[0-9]{3})*")

# Column names, lower case, without StatLine's number and label parts (`_column_name`), in the
# order they are preferred: a file with `Codering_3` and `WijkenEnBuurten` reads the first.
STATLINE_CODES = ("codering", "wijkenenbuurten")
KWB_CODES = ("gwb_code_10", "gwb_code")
KINDS = ("soortregio", "recs")
HOMES = ("woningvoorraad", "a_woning")
BUURT = "buurt"

FILE_TOO_LARGE = "cbs_file_too_large"
FILE_NOT_TEXT = "cbs_file_not_text"
FILE_NO_COLUMNS = "cbs_file_no_columns"
LINE_UNREADABLE = "cbs_line_unreadable"
CODE_INVALID = "cbs_line_code_invalid"
HOMES_INVALID = "cbs_line_homes_invalid"
CODE_REPEATED = "cbs_line_code_repeated"


class UnreadableFile(InvalidInput):
    """The file as a whole cannot be read: too large, not text, or no columns we know."""

    def __init__(self, code: str) -> None:
        super().__init__({"file": code})
        self.code = code


class Shape(StrEnum):
    STATLINE = "statline"
    KWB = "kwb"


@dataclass(frozen=True)
class LineProblem:
    """A buurt line that is not read: its number, its code as written (shortened), and what is
    wrong (a message code)."""

    line: int
    code: str
    problem: str


@dataclass(frozen=True)
class Columns:
    code: int
    homes: int
    kind: int | None
    shape: Shape


@dataclass
class ReadFile:
    shape: Shape
    homes: dict[str, int] = field(default_factory=dict)  # buurt code → homes (0 included)
    unknown: set[str] = field(default_factory=set)  # buurten whose number CBS does not give
    buurten: int = 0  # buurt lines read, good or not
    problems: list[LineProblem] = field(default_factory=list)  # the first MAX_PROBLEMS
    more_problems: int = 0  # beyond those

    def add_problem(self, problem: LineProblem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more_problems += 1


def read_cbs_csv(data: bytes, progress: Callable[[int], None] | None = None) -> ReadFile:
    """The number of homes of each buurt in the file, and its lines that cannot be read.
    `progress` is told the number of lines read every `PROGRESS_EVERY` lines."""
    buffer = io.StringIO(_text_of(data), newline="")
    header_line, delimiter, columns = _find_header(buffer)
    read = ReadFile(columns.shape)
    for line, fields in _records(buffer, delimiter, header_line, progress):
        if fields is None:
            read.add_problem(LineProblem(line, "", LINE_UNREADABLE))
            continue
        code = clean_cbs_code(_field(fields, columns.code))
        if _is_buurt(code, _field(fields, columns.kind)):
            read.buurten += 1
            _take(read, line, code, _field(fields, columns.homes))
    return read


def _text_of(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise UnreadableFile(FILE_TOO_LARGE)
    encodings = ("utf-16",) if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ()
    for encoding in (*encodings, "utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise UnreadableFile(FILE_NOT_TEXT)


def _find_header(buffer: io.StringIO) -> tuple[int, str, Columns]:
    """The header among the first lines: the first with a code and a homes column we know.
    The buffer is left at the line after it."""
    for line in range(1, HEADER_SEARCH_LINES + 1):
        text = buffer.readline(HEADER_MAX_LENGTH)
        if not text:
            break
        if not text.endswith(("\n", "\r")) and len(text) == HEADER_MAX_LENGTH:
            buffer.readline()  # the rest of a line too long to be a header
            continue
        for delimiter in DELIMITERS:
            if columns := _columns(_split(text, delimiter)):
                return line, delimiter, columns
    raise UnreadableFile(FILE_NO_COLUMNS)


def _split(text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter), [])
    except csv.Error:
        return []


def _columns(names: list[str]) -> Columns | None:
    keys = [_column_name(name) for name in names]
    code = _first(keys, STATLINE_CODES)
    shape = Shape.STATLINE
    if code is None:
        code, shape = _first(keys, KWB_CODES), Shape.KWB
    homes = _first(keys, HOMES)
    if code is None or homes is None:
        return None
    return Columns(code, homes, _first(keys, KINDS), shape)


def _column_name(name: str) -> str:
    """A column's name as we look it up: StatLine's `Woningvoorraad_34` and its label
    "Wonen/Woningvoorraad (aantal)" both become "woningvoorraad"; kwb's names stay as they are
    (in lower case), since `gwb_code_8` is not `gwb_code`."""
    name = name.strip().rsplit("/", 1)[-1]
    if name.endswith(")") and "(" in name:
        name = name[: name.rindex("(")]
    if any(character.isupper() for character in name):
        name = re.sub(r"_[0-9]+$", "", name)
    return name.replace(" ", "").lower()


def _first(keys: list[str], wanted: tuple[str, ...]) -> int | None:
    for name in wanted:
        if name in keys:
            return keys.index(name)
    return None


def _records(
    buffer: io.StringIO,
    delimiter: str,
    header_line: int,
    progress: Callable[[int], None] | None,
) -> Iterator[tuple[int, list[str] | None]]:
    """Each record after the header with the number of the line it starts on; None for one
    that cannot be read. Empty lines are left out."""
    reader = csv.reader(buffer, delimiter=delimiter)
    next_report = PROGRESS_EVERY
    while True:
        line = header_line + reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield line, None
            continue
        if progress is not None and header_line + reader.line_num >= next_report:
            progress(header_line + reader.line_num)
            next_report += PROGRESS_EVERY
        if any(value.strip() for value in fields):
            yield line, fields


def _field(fields: list[str], index: int | None) -> str:
    return fields[index] if index is not None and index < len(fields) else ""


def _is_buurt(code: str, kind: str) -> bool:
    """By its kind of region when the file says it, else by its code."""
    kind = kind.strip().lower()
    return kind == BUURT if kind else code.startswith("BU")


def _take(read: ReadFile, line: int, code: str, value: str) -> None:
    if not is_cbs_code(code):
        read.add_problem(LineProblem(line, code[:SHOWN_LENGTH], CODE_INVALID))
        return
    homes = _homes(value)
    if isinstance(homes, str):
        read.add_problem(LineProblem(line, code, homes))
        return
    if code in read.homes or code in read.unknown:
        if read.homes.get(code) != homes:  # the same figure twice does no harm
            read.add_problem(LineProblem(line, code, CODE_REPEATED))
        return
    if homes is None:
        read.unknown.add(code)
    else:
        read.homes[code] = homes


def _homes(value: str) -> int | str | None:
    """The number of homes; None where CBS does not give it; else the problem's code."""
    value = value.strip()
    if value.lower() in UNKNOWN:
        return None
    if GROUPED_NUMBER.fullmatch(value):
        number = int(value.replace(".", "").replace(",", ""))
    elif found := NUMBER.fullmatch(value):
        number = int(found.group(1))
    else:
        return HOMES_INVALID
    if number < 0:
        return None  # CBS's codes for secret or not available (-99997, -99999999)
    return number if number <= MAX_HOMES else HOMES_INVALID
