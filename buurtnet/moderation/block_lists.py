"""Block lists as Mastodon writes and reads them: a CSV file with the header
`#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate`, booleans `true` and
`false`. Private comments never leave the instance, so a list carries none.

Reading is pure: each line becomes a block or a problem with its line number; a file as a whole
is refused only when it is too large, too long or not text. The good lines' blocks are then set
at once (`domain_blocks.set_blocks`, in one transaction): each line is imported whole or reported.
"""

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from buurtnet.core.errors import InvalidInput
from buurtnet.models import BlockSeverity, DomainBlock
from buurtnet.moderation import domain_blocks
from buurtnet.moderation.domain_blocks import BlockTerms

HEADER = (
    "#domain",
    "#severity",
    "#reject_media",
    "#reject_reports",
    "#public_comment",
    "#obfuscate",
)
MAX_BYTES = 1_000_000
MAX_LINES = 10_000
BOOLEANS = {"true": True, "false": False, "": False}
SHOWN_LENGTH = 80  # of a line's domain, in its problem


@dataclass(frozen=True)
class LineProblem:
    """A line that is not imported: its number (the header is line 1), the server as written,
    and what is wrong (a message code)."""

    line: int
    domain: str
    code: str


@dataclass(frozen=True)
class ReadList:
    blocks: list[BlockTerms]
    problems: list[LineProblem]


def to_csv(blocks: Sequence[DomainBlock]) -> str:
    """A block list as Mastodon exports it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for block in blocks:
        writer.writerow(
            [
                block.domain,
                block.severity,
                _boolean(block.reject_media),
                _boolean(block.reject_reports),
                block.public_comment,
                _boolean(block.obfuscate),
            ]
        )
    return out.getvalue()


def read_csv(data: bytes) -> ReadList:
    """The blocks of a list, and its lines that cannot be imported. A list without the header
    is read as Mastodon reads it: one server per line (the first field), to suspend."""
    text = _text_of(data)
    blocks: list[BlockTerms] = []
    problems: list[LineProblem] = []
    columns: list[str] | None = None
    for line, fields in _records(text):
        if fields is None:
            problems.append(LineProblem(line, "", "block_line_unreadable"))
            continue
        if columns is None and fields[0].strip() == HEADER[0]:
            columns = [name.strip() for name in fields]
            continue
        if fields[0].lstrip().startswith("#"):
            continue  # a comment, as plain lists of servers have them
        columns = columns or [HEADER[0]]
        found = _terms(dict(zip(columns, fields, strict=False)))
        if isinstance(found, str):
            problems.append(LineProblem(line, fields[0].strip()[:SHOWN_LENGTH], found))
        else:
            blocks.append(found)
    return ReadList(blocks, problems)


def _text_of(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise InvalidInput.single("file", "block_list_too_large")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput.single("file", "block_list_not_text") from None
    if text.count("\n") + (not text.endswith("\n")) > MAX_LINES + 1:  # and the header
        raise InvalidInput.single("file", "block_list_too_long")
    return text


def _records(text: str) -> Iterator[tuple[int, list[str] | None]]:
    """Each record with the number of the line it starts on; None for one that cannot be read
    (a stray quote). Empty lines are left out."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield line, None
            continue
        if any(field.strip() for field in fields):
            yield line, fields


def _terms(row: dict[str, str]) -> BlockTerms | str:
    """The block a line asks for, or the code of what is wrong with it."""
    severity = row.get("#severity", "").strip().lower() or BlockSeverity.SUSPEND
    if severity not in set(BlockSeverity):
        return "block_line_severity_invalid"
    flags = [row.get(name, "").strip().lower() for name in HEADER[2:4] + HEADER[5:]]
    if not all(flag in BOOLEANS for flag in flags):
        return "block_flag_invalid"
    reject_media, reject_reports, obfuscate = (BOOLEANS[flag] for flag in flags)
    terms = BlockTerms(
        domain=row.get(HEADER[0], ""),
        severity=severity,
        reject_media=reject_media,
        reject_reports=reject_reports,
        private_comment=None,
        public_comment=row.get("#public_comment", ""),
        obfuscate=obfuscate,
    )
    cleaned, errors = domain_blocks.checked(terms)
    return next(iter(errors.values())) if errors else cleaned


def _boolean(value: bool) -> str:
    return "true" if value else "false"
