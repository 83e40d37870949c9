"""What a notification says, in one sentence with the actor's name: the notifications page and
the notification mail say the same (msgids, translated where they are shown).

Moderation's news names neither the moderator nor, in a mail, the details: the page shows
those itself (`notifications.html`)."""

from buurtnet.core.notifications import NotificationView
from buurtnet.models import NotificationKind
from buurtnet.web.messages import N_

K = NotificationKind
SENTENCES = {
    K.MENTION: N_("%(name)s named you in a message."),
    K.REPLY: N_("%(name)s replied to your message."),
    K.LIKE: N_("%(name)s likes your message."),
    K.SHARE: N_("%(name)s shared your message."),
    K.FOLLOW: N_("%(name)s follows you now."),
    K.EVENT_CHANGED: N_("%(name)s changed the time or place of an activity you signed up for."),
    K.EVENT_CANCELLED: N_("%(name)s cancelled an activity you signed up for."),
    K.MOVED_UP: N_("A place came free: you are no longer on the waiting list. You can come!"),
    K.JOIN_REFUSED: N_(
        "%(name)s could not take your sign-up for an activity: it is full or closed."
    ),
    K.REMINDER: N_("Reminder: an activity you signed up for is tomorrow."),
    K.POLL_ENDED: N_("The poll of %(name)s has ended. The result is in."),
    K.NEW_NEIGHBOUR: N_("New in the neighbourhood: %(name)s"),
    K.MODERATED: N_("The moderators took a decision about your message or your account."),
    K.REPORT_CLOSED: N_("There is news about your report."),
    K.APPEAL_DECIDED: N_("There is a decision about your appeal."),
}
OWN_POLL_ENDED = N_("Your poll has ended. The result is in.")


def sentence_of(item: NotificationView) -> str:
    """The msgid that tells what happened; the letter fills in the name (escaped in HTML)."""
    note = item.notification
    if note.kind == K.POLL_ENDED and item.actor.id == note.recipient_id:
        return OWN_POLL_ENDED
    return SENTENCES[K(note.kind)]
