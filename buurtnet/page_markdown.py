"""The Markdown of an admin's page (privacy statement, house rules, contact) as safe HTML.

CommonMark without raw HTML and without images (an image would load from another site, which
our pages never do); `![logo](…)` stays text with a link. A Markdown `# heading` becomes an
`<h2>`, because the page's own title is its only `<h1>`. The result passes `sanitise.page`,
the same allow-list as every other piece of HTML we show.
"""

import functools

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from buurtnet import sanitise

DEEPEST_HEADING = 6


@functools.lru_cache(maxsize=32)
def render_markdown(source: str) -> str:
    """Kept for the last pages asked for: they change rarely and are read on every visit."""
    return sanitise.page(_parser().render(source))


@functools.cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.disable("image")
    parser.core.ruler.push("one_level_down", _headings_one_level_down)
    return parser


def _headings_one_level_down(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1:]) + 1, DEEPEST_HEADING)
            token.tag = f"h{level}"
