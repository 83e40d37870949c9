"""Texts for the message codes of activities (`core.events` and its neighbours), translated when a
page shows them; other codes fall back to the shared ones (`messages.FORM_MESSAGES`). And the
names of the kinds of activity, as pages (the global `CATEGORY_LABELS`) and calendars show them,
and one's answer to an activity. The globals are msgids, translated where a page shows them: a
module-level dict of translated texts in a template would be built on every page.
"""

from collections.abc import Callable, Mapping

from buurtnet.models import EventCategory
from buurtnet.web.messages import FORM_MESSAGES, N_

CATEGORY_LABELS: dict[str, str] = {
    EventCategory.CLEAN_UP: N_("Clean-up"),
    EventCategory.STREET_PARTY: N_("Street party"),
    EventCategory.REPAIR_CAFE: N_("Repair café"),
    EventCategory.MEETING: N_("Neighbourhood meeting"),
    EventCategory.SPORT_AND_GAMES: N_("Sport and games"),
    EventCategory.OTHER: N_("Activity"),
}
# One's own answer, as the activity's page says it (the globals `ANSWER_TEXTS`, and once it is over
# or cancelled, when "You are coming." would be wrong, `PAST_ANSWER_TEXTS`).
ANSWER_TEXTS = {
    "going": N_("You are coming."),
    "maybe": N_("You might come."),
    "not_going": N_("You are not coming."),
    "pending": N_("You asked to take part."),
}
PAST_ANSWER_TEXTS = {
    "going": N_("You had said you would come."),
    "maybe": N_("You had said you might come."),
    "not_going": N_("You had said you would not come."),
    "waiting": N_("You were on the waiting list."),
    "pending": N_("You had asked to take part."),
}
EVENT_MESSAGES = {
    # Why someone cannot sign up, or take on a task (core.event_access)
    "event_cancelled": N_("This activity is cancelled."),
    "event_ended": N_("This activity is over."),
    "event_sign_ups_closed": N_("The organiser has closed the sign-ups."),
    "event_full": N_(
        "The activity is full, so you cannot take on a task now. Choose “I will come” to go "
        "on the waiting list."
    ),
    "task_full": N_("Enough people are doing this task already."),
    "answer_invalid": N_("Choose: I will come, maybe, or I will not come."),
    "event_join_elsewhere": N_(
        "You sign up for this activity on the organiser's own website. The link is on the page "
        "of the activity."
    ),
    # The activity's form (core.event_input, core.events, core.event_tasks)
    "event_title_missing": N_("Give the activity a name."),
    "event_title_too_long": N_("Make the name shorter: at most 120 characters."),
    "category_invalid": N_("Choose a kind of activity from the list."),
    "date_invalid": N_("Fill in a date, for example 24-12-2026."),
    "time_invalid": N_("Fill in a time, for example 14:30."),
    "time_skipped": N_(
        "This time does not exist on that day: at 2:00 the clocks go forward to 3:00. "
        "Choose another time, for example 3:00."
    ),
    "event_start_past": N_("This moment has passed. Choose a start in the future."),
    "event_start_too_far": N_("Choose a start within two years from now."),
    "event_end_before_start": N_(
        "The end must be after the start. Does the activity end on another day? "
        "Then fill in the end date too."
    ),
    "event_too_long": N_("An activity can last at most 31 days."),
    "event_place_missing": N_("Fill in where it is, for example an address."),
    "event_place_too_long": N_("Make the place shorter: at most 300 characters."),
    "latitude_invalid": N_("Fill in a number from -90 to 90, or leave it empty."),
    "longitude_invalid": N_("Fill in a number from -180 to 180, or leave it empty."),
    "coordinates_incomplete": N_("Fill in both the latitude and the longitude, or neither."),
    "capacity_invalid": N_("Fill in a number from 1 to 10000, or leave it empty for no limit."),
    "capacity_below_going": N_(
        "More people have already signed up. Choose at least that many places."
    ),
    "tasks_too_many": N_("You can add at most 10 tasks."),
    "task_title_too_long": N_("Make the task shorter: at most 120 characters."),
    "task_places_invalid": N_("Fill in how many people: from 1 to 1000."),
    "task_places_above_capacity": N_(
        "A task cannot need more people than the activity has places."
    ),
    "task_places_below_volunteers": N_(
        "More people have already signed up for this task. Choose at least that many."
    ),
    "task_unknown": N_("This task is not part of the activity."),
    "event_no_neighbourhood": N_(
        "You are not part of a neighbourhood yet, so you cannot organise an activity."
    ),
    "event_nobody_to_message": N_(
        "Nobody has signed up yet, so there is nobody to send a message to."
    ),
    # Afterwards (core.event_outcomes)
    "attendance_invalid": N_("Fill in a number from 0 to 10000, or leave it empty."),
    "litter_bags_invalid": N_("Fill in a number from 0 to 1000, or leave it empty."),
    "outcome_note_too_long": N_("Make the note shorter: at most 2000 characters."),
    "outcome_too_early": N_("You can fill this in once the activity is over."),
    # The list (core.event_listings)
    "month_invalid": N_("Choose a month like 2026-12."),
}
# On the activity's own form, a few shared codes read differently.
ON_THE_EVENT_FORM = {
    "post_empty": N_("Tell in a few words what will happen."),
    "image_too_many": N_("You can add one photo."),
}


def translate(
    errors: Mapping[str, str],
    gettext: Callable[[str], str],
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The errors' texts in the page's language."""
    texts = {**FORM_MESSAGES, **EVENT_MESSAGES, **(overrides or {})}
    return {field: gettext(texts.get(code, code)) for field, code in errors.items()}
