"""What an image decoder child writes to its parent: one line of JSON, then the files' bytes.

A result is `{"content_type", "width", "height", "full", "thumbnail"}` (the last two the byte
lengths of the files that follow, in that order); a refusal is `{"refused": CODE}` alone. The
child handles hostile data, so the parent reads its output as data and checks every field (never
pickle, which would run whatever a misled child wrote): anything else is `MalformedOutput`.
"""

import json

from buurtnet.core.errors import InvalidInput
from buurtnet.core.images import (
    MAX_SIDE,
    NOT_AN_IMAGE,
    TOO_COMPLEX,
    TOO_LARGE,
    TOO_MANY_PIXELS,
    ProcessedImage,
    refuse,
)

REFUSALS = {TOO_LARGE, NOT_AN_IMAGE, TOO_MANY_PIXELS, TOO_COMPLEX}
# What each content type's files start with: the child writes nothing a browser could sniff.
MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


class MalformedOutput(Exception):
    """The child wrote something that is neither a result nor a refusal."""


def result_frame(image: ProcessedImage) -> bytes:
    header = {
        "content_type": image.content_type,
        "width": image.width,
        "height": image.height,
        "full": len(image.full),
        "thumbnail": len(image.thumbnail),
    }
    return json.dumps(header).encode() + b"\n" + image.full + image.thumbnail


def refusal_frame(refusal: InvalidInput) -> bytes:
    """The code of the refusal (`images` raises one code, for its one field)."""
    [code] = refusal.errors.values()
    return json.dumps({"refused": code}).encode() + b"\n"


def read_frame(output: bytes) -> ProcessedImage:
    """The processed image; raises `InvalidInput` for a refusal, `MalformedOutput` for the rest."""
    line, newline, body = output.partition(b"\n")
    try:
        header = json.loads(line) if newline else None
    except (ValueError, RecursionError) as error:  # RecursionError: nested too deep
        raise MalformedOutput("the header is not JSON") from error
    if not isinstance(header, dict):
        raise MalformedOutput("no header")
    if "refused" in header:
        code = header["refused"]
        if not isinstance(code, str) or code not in REFUSALS or len(header) != 1 or body:
            raise MalformedOutput(f"a strange refusal: {header!r:.200}")
        raise refuse(code)
    return _image(header, body)


def _image(header: dict[str, object], body: bytes) -> ProcessedImage:
    content_type = header.get("content_type")
    if not isinstance(content_type, str) or content_type not in MAGIC:
        raise MalformedOutput(f"a strange content type: {content_type!r:.100}")
    width, height = _count(header, "width", MAX_SIDE), _count(header, "height", MAX_SIDE)
    full, thumbnail = _count(header, "full", len(body)), _count(header, "thumbnail", len(body))
    files = body[:full], body[full:]
    if full + thumbnail != len(body) or not all(f.startswith(MAGIC[content_type]) for f in files):
        raise MalformedOutput("the files are not what the header says")
    return ProcessedImage(files[0], files[1], content_type, width, height)


def _count(header: dict[str, object], name: str, most: int) -> int:
    value = header.get(name)
    if type(value) is not int or not 1 <= value <= most:
        raise MalformedOutput(f"{name}: {value!r:.100}")
    return value
