"""The child process of `image_sandbox`: its limits first, then one image from stdin, decoded.

    python -m buurtnet.core.image_child image|avatar CPU_SECONDS MEMORY_BYTES

The limits are set before a byte of the image is read, so whatever the image makes the decoder do
happens within them: past CPU_SECONDS the kernel sends SIGXCPU (and SIGKILL a second later), and
an allocation past MEMORY_BYTES of address space fails, which Python and Pillow raise as
`MemoryError` (libjpeg and libwebp as a broken file: refused as not an image). The result, or the
refusal, goes to stdout as `image_frames` describes.
"""

import resource
import sys
from collections.abc import Callable

from buurtnet.core import image_frames, images
from buurtnet.core.errors import InvalidInput

PROCESSES: dict[str, Callable[[bytes], images.ProcessedImage]] = {
    "image": images.process_image,
    "avatar": images.process_avatar,
}


def limit_self(cpu_seconds: int, memory_bytes: int) -> None:
    """Limits on this process, never above those it was given; no core dump of a hostile image."""
    _lower(resource.RLIMIT_CORE, 0, 0)
    _lower(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)
    _lower(resource.RLIMIT_AS, memory_bytes, memory_bytes)


def _lower(kind: int, soft: int, hard: int) -> None:
    _, current_hard = resource.getrlimit(kind)
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(kind, (soft, hard))


def decode(process: Callable[[bytes], images.ProcessedImage], data: bytes) -> bytes:
    """The frame to write: the processed image, or why it was refused."""
    try:
        return image_frames.result_frame(process(data))
    except InvalidInput as refusal:
        return image_frames.refusal_frame(refusal)
    except MemoryError:
        return image_frames.refusal_frame(images.refuse(images.TOO_COMPLEX))


def main(arguments: list[str]) -> None:
    kind, cpu_seconds, memory_bytes = arguments
    process = PROCESSES[kind]
    limit_self(int(cpu_seconds), int(memory_bytes))
    data = sys.stdin.buffer.read(images.MAX_IMAGE_BYTES + 1)
    sys.stdout.buffer.write(decode(process, data))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
