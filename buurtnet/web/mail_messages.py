"""The e-mail choices as the settings page names them (the template global `mail_choices`)."""

from buurtnet.core import mail_choices
from buurtnet.models import Account
from buurtnet.web.messages import N_

# msgids, in `mail_choices.GROUPS`' order; translated where the page shows them.
GROUP_LABELS = {
    "mentions": N_("Someone names me in a message"),
    "replies": N_("Replies to my messages"),
    "followers": N_("New followers"),
    "reactions": N_("Likes and shares of my messages"),
    "activities": N_("Activities I signed up for: changed, cancelled, a free place, a reminder"),
    "polls": N_("Polls I voted in that have ended"),
    "moderation": N_("News from the moderators about my messages, reports and appeals"),
    "neighbours": N_("New neighbours"),
}


def mail_choices_of(account: Account) -> list[tuple[str, str, bool]]:
    """Each choice's name, label (a msgid) and whether the account has it ticked now."""
    chosen = mail_choices.chosen_groups(account)
    return [(name, GROUP_LABELS[name], name in chosen) for name in mail_choices.GROUPS]
