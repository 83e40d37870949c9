"""The author of a question for help marks it "geholpen" (helped), or open again: a button
under the post, and back to where they were."""

from buurtnet.core import help_requests
from buurtnet.web.reactions import reaction_route

routes = [
    reaction_route("/posts/{post_id}/helped", help_requests.mark_helped),
    reaction_route("/posts/{post_id}/not-helped", help_requests.mark_open),
]
