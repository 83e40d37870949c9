"""The scans of a JPEG file, counted from its marker segments (ITU T.81, B.1) without decoding.

A progressive JPEG sends its picture in scans, each refining the one before; the decoder redoes
its work for every scan, so a small file that repeats one scan thousands of times costs minutes
of CPU. Counting the scans first lets such a file be refused before any of that work starts.

The walk follows the segments as libjpeg reads them: each segment by its length, so a JPEG inside
one (an EXIF thumbnail in APP1) is skipped with it; after a start of scan, the entropy-coded data
up to the next marker that is not a restart marker (0xFF followed by 0x00 is a data byte).
"""

import re

START_OF_IMAGE = b"\xff\xd8"
END_OF_IMAGE = 0xD9
START_OF_SCAN = 0xDA
# Markers that stand alone, without a length: TEM, RST0-7, SOI and EOI.
WITHOUT_LENGTH = {0x01, *range(0xD0, 0xD8), 0xD8}
# A marker is 0xFF and a code that is neither 0x00 nor 0xFF (which may pad before a marker).
NEXT_MARKER = re.compile(rb"\xff[^\x00\xff]")
# In entropy-coded data, restart markers belong to the scan; any other marker ends it.
END_OF_ENTROPY_DATA = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def count_scans(data: bytes) -> int:
    """The number of scans of the JPEG's own image; 0 if `data` is no JPEG.

    A truncated or malformed file is counted as far as it goes: the decoder refuses it anyway.
    """
    if not data.startswith(START_OF_IMAGE):
        return 0
    scans = 0
    position = len(START_OF_IMAGE)
    while found := NEXT_MARKER.search(data, position):
        marker, position = found[0][1], found.end()
        if marker == END_OF_IMAGE:
            break
        if marker in WITHOUT_LENGTH:
            continue
        length = int.from_bytes(data[position : position + 2], "big")
        if length < 2 or position + length > len(data):
            break
        position += length
        if marker == START_OF_SCAN:
            scans += 1
            position = _end_of_entropy_data(data, position)
    return scans


def _end_of_entropy_data(data: bytes, start: int) -> int:
    found = END_OF_ENTROPY_DATA.search(data, start)
    return len(data) if found is None else found.start()
