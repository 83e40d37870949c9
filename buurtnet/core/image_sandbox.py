"""Images decoded in a child process each, where limits on CPU time and memory can stop the work.

A thread cannot be stopped: a hostile image (a JPEG with its last scan repeated a thousand times,
a PNG that inflates to gigabytes) would keep its decoding slot and the server's memory for as
long as it takes. A child process (`image_child`, about 80 ms to start Python and Pillow) sets
its own limits before it reads the image, and dies with everything it allocated. The parent
kills it when the wall clock runs out, when anything goes wrong and when the caller is cancelled.

A child stopped by its limits, or one that exits badly or writes anything but a result, means
the image is refused as too complex: the person can choose another photo, and a job that
fetched a remote image links it instead of trying again. The child's stderr is the server's, so
the traceback of a child that fails is in the server's log.
"""

import asyncio
import logging
import signal
import sys
import weakref
from asyncio.subprocess import PIPE, Process
from contextlib import suppress
from pathlib import Path

from anyio import CancelScope

import buurtnet
from buurtnet.core import image_child, image_frames
from buurtnet.core.images import MAX_IMAGE_BYTES, TOO_COMPLEX, TOO_LARGE, ProcessedImage, refuse

log = logging.getLogger(__name__)

# Measured (bench/README.md): a 48 MP phone photo takes 0.3 s of CPU and 186 MiB of address space;
# the most that any allowed image took was 3.5 s and 434 MiB (a 16.7 MP WebP with transparency, a
# colour profile and an EXIF turn). The limits leave room for a slower machine, not for bombs.
CPU_SECONDS = 10
MEMORY_BYTES = 512 * 1024 * 1024
WALL_SECONDS = 20.0  # the CPU limit, and time to wait for a core while other work runs
CHILDREN_AT_ONCE = 2  # per server process, whatever the number of uploads and jobs
# Two PNGs of 1600 x 1600 pixels that did not compress at all, and more.
MAX_OUTPUT_BYTES = 32 * 1024 * 1024
# Where the parent found `buurtnet`: the child imports the same code.
SOURCE_ROOT = Path(buurtnet.__file__).resolve().parent.parent
STOPPED_BY_LIMITS = {-signal.SIGXCPU, -signal.SIGKILL}

# One semaphore per event loop: an asyncio primitive belongs to the loop it first waits in.
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


async def process_image(data: bytes) -> ProcessedImage:
    """`images.process_image` in a child process: the image at most 1600 pixels, a thumbnail."""
    return await _in_child("image", data)


async def process_avatar(data: bytes) -> ProcessedImage:
    """`images.process_avatar` in a child process: a square from the middle."""
    return await _in_child("avatar", data)


async def _in_child(kind: str, data: bytes) -> ProcessedImage:
    if len(data) > MAX_IMAGE_BYTES:
        raise refuse(TOO_LARGE)
    async with _slots_of_this_loop():
        child = await asyncio.create_subprocess_exec(
            *child_command(kind), stdin=PIPE, stdout=PIPE, env=child_environment()
        )
        try:
            async with asyncio.timeout(WALL_SECONDS):
                output = await _exchange(child, data)
        except TimeoutError:
            log.info("image decoder %d took longer than %g s", child.pid, WALL_SECONDS)
            raise refuse(TOO_COMPLEX) from None
        finally:
            await _stop(child)
    return _result(child, output)


def child_command(kind: str) -> list[str]:
    """How a child is started (`-P`: nothing is imported from the working folder)."""
    limits = [str(CPU_SECONDS), str(MEMORY_BYTES)]
    return [sys.executable, "-P", "-m", image_child.__name__, kind, *limits]


def child_environment() -> dict[str, str]:
    """Only the path to our code: the child, which reads hostile data, never sees the server's
    settings (its secret key, the database's password) in its environment."""
    return {"PYTHONPATH": str(SOURCE_ROOT)}


def _slots_of_this_loop() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = asyncio.Semaphore(CHILDREN_AT_ONCE)
    return slots


async def _exchange(child: Process, data: bytes) -> bytes | None:
    """The image in and, meanwhile, what the child writes out, once it has exited; None when it
    wrote more than any image needs (it is killed then)."""
    async with asyncio.TaskGroup() as group:
        group.create_task(_feed(child, data))
        output = await _read_output(child)
    await child.wait()
    return output


async def _feed(child: Process, data: bytes) -> None:
    assert child.stdin is not None
    try:
        child.stdin.write(data)
        await child.stdin.drain()
        child.stdin.close()
    except (BrokenPipeError, ConnectionResetError):
        pass  # it stopped reading: its exit status tells why


async def _read_output(child: Process) -> bytes | None:
    assert child.stdout is not None
    output = bytearray()
    while chunk := await child.stdout.read(1024 * 1024):
        output += chunk
        if len(output) > MAX_OUTPUT_BYTES:
            _kill(child)  # which also ends the feeding: the pipe breaks
            return None
    return bytes(output)


async def _stop(child: Process) -> None:
    """Kill the child if it still runs, and reap it: also when the caller was cancelled."""
    _kill(child)
    with CancelScope(shield=True):
        await child.communicate()  # reads what is left in its pipes, then waits for it


def _kill(child: Process) -> None:
    if child.returncode is None:
        with suppress(ProcessLookupError):  # it exited just now
            child.kill()


def _result(child: Process, output: bytes | None) -> ProcessedImage:
    if output is None:
        log.warning("image decoder %d wrote more than %d bytes", child.pid, MAX_OUTPUT_BYTES)
    elif child.returncode == 0:
        try:
            return image_frames.read_frame(output)
        except image_frames.MalformedOutput as error:
            log.warning("image decoder %d wrote something strange: %s", child.pid, error)
    elif child.returncode in STOPPED_BY_LIMITS:
        log.info("image decoder %d was stopped by its limits", child.pid)
    else:
        log.warning("image decoder %d ended with status %s", child.pid, child.returncode)
    raise refuse(TOO_COMPLEX)
