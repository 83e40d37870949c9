"""`/media/{key}`: stored images, served so that a browser can only ever show them as images.

Keys are random and never reused, so a file can be cached for a year; the cache is private because
some posts are for members only, and whoever has the key sees the image. The type comes from the
key's extension alone (JPEG or PNG), and a sandbox policy keeps a file from ever running as a page.
"""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from buurtnet.core.errors import NotFound
from buurtnet.storage import content_type_of, is_valid_key
from buurtnet.web.services import services

MEDIA_HEADERS = {
    "Cache-Control": "private, max-age=31536000, immutable",
    "Content-Disposition": "inline",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
}


async def media_file(request: Request) -> Response:
    key = request.path_params["key"]
    if not is_valid_key(key):
        raise NotFound
    data = await services(request).storage.load(key)
    if data is None:
        raise NotFound
    return Response(data, media_type=content_type_of(key), headers=MEDIA_HEADERS)


routes = [Route("/media/{key}", media_file, methods=["GET", "HEAD"])]
