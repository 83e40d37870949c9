"""Texts for the message codes that core raises; translated when a page shows them."""

from collections.abc import Callable


def N_(message: str) -> str:
    return message


FORM_MESSAGES = {
    "username_invalid": N_("Use 2 to 30 letters, digits or _ (no spaces)."),
    "username_reserved": N_("This name is reserved. Please choose another one."),
    "username_taken": N_("Someone already uses this name. Please choose another one."),
    "email_invalid": N_("This does not look like an e-mail address."),
    "email_taken": N_("There is already an account with this e-mail address."),
    "password_too_short": N_("Use at least 10 characters."),
    "password_too_long": N_("Use at most 200 characters."),
    "password_too_common": N_("This password is too easy to guess. Try a short sentence."),
    "password_contains_name": N_("Do not use your name or e-mail address in your password."),
    "password_mismatch": N_("The two passwords are not the same."),
    "password_current_wrong": N_("Your current password is not right."),
    "password_guesses_too_many": N_(
        "Too many wrong passwords. Please wait 15 minutes and try again."
    ),
    "invite_missing": N_("Fill in the invite code you got."),
    "invite_unusable": N_("This invite code is not right, has expired or has been used up."),
    "invite_uses_invalid": N_("Choose between 1 and 1000."),
    "invite_days_invalid": N_("Choose between 1 and 365 days."),
    "neighbourhood_missing": N_("Choose your neighbourhood."),
    "locale_invalid": N_("Choose a language from the list."),
    "slug_invalid": N_("Use 1 to 40 small letters, digits, - or _."),
    "slug_reserved": N_("This address is reserved. Please choose another one."),
    "slug_taken": N_("This address is already in use."),
    "name_missing": N_("Fill in a name."),
    "login_wrong": N_("The name or password is not right."),
    "login_pending": N_("A moderator has not yet approved your account. Please try again later."),
    "login_too_many": N_("Too many attempts to log in. Please wait 15 minutes and try again."),
    # Posts (core.posts)
    "post_empty": N_("Write a message first."),
    "post_too_long": N_("Your message is too long. Use at most 5000 characters."),
    "summary_too_long": N_("Make the warning shorter: at most 500 characters."),
    "language_invalid": N_("Choose a language from the list."),
    # Photos (core.media)
    "image_too_large": N_("This file is larger than 10 MB. Choose a smaller photo."),
    "image_not_an_image": N_(
        "This file is not a photo we can show. Use a JPEG, PNG, GIF or WebP image."
    ),
    "image_too_many_pixels": N_(
        "This photo is too big (too many pixels). Make it smaller and try again."
    ),
    "image_too_many": N_("You can add at most 4 photos."),
    "image_too_complex": N_("This photo is too complex to process. Please choose another photo."),
}


def translate_errors(errors: dict[str, str], gettext: Callable[[str], str]) -> dict[str, str]:
    return {field: gettext(FORM_MESSAGES.get(code, code)) for field, code in errors.items()}


# People: following, blocking and muting, the profile form, deleting one's account.
FORM_MESSAGES.update(
    {
        "follow_self": N_("You cannot follow yourself."),
        "follow_blocked": N_("You cannot follow this person."),
        "block_self": N_("You cannot block yourself."),
        "mute_self": N_("You cannot mute yourself."),
        "bio_too_long": N_("Use at most 1000 characters."),
        "avatar_missing": N_("Choose a photo first."),
        "handover_invalid": N_("Choose a date between 2000 and 15 years from now."),
    }
)

# The house rules at sign-up (core.registration), the admin's pages (moderation.site_pages).
FORM_MESSAGES.update(
    {
        "rules_not_accepted": N_("Tick the box to accept the house rules."),
        "site_page_too_long": N_("The text is too long. Use at most 50,000 characters."),
    }
)

# One's e-mail address (core.email_addresses), and a reset link sent by an admin
# (moderation.password_resets).
FORM_MESSAGES.update(
    {
        "email_unchanged": N_("This is already your e-mail address."),
        "reset_person_unknown": N_(
            "There is no account here with this username or e-mail address that can log in."
        ),
    }
)

# Polls (core.polls): the composer's poll part, and voting.
FORM_MESSAGES.update(
    {
        "poll_too_few_options": N_("Fill in at least 2 answers."),
        "poll_too_many_options": N_("A poll has at most 10 answers."),
        "poll_option_too_long": N_("Make each answer shorter: at most 100 characters."),
        "poll_options_duplicate": N_("Each answer must be different."),
        "poll_duration_invalid": N_("Choose from the list how long people can vote."),
        "poll_choose": N_("Choose an answer first."),
        "poll_one_choice": N_("In this poll you can choose one answer only."),
        "poll_option_unknown": N_("This answer is not part of the poll. Please choose again."),
        "poll_ended": N_("This poll has ended. You can no longer vote."),
        "poll_missing": N_("This message has no poll."),
        "poll_own": N_("You cannot vote in your own poll."),
        "poll_vote_final": N_(
            "This poll comes from another server. Your vote there cannot be changed."
        ),
        "poll_already_voted": N_("You have already voted in this poll."),
    }
)

# Care signals (moderation.care_signals, care_retention).
FORM_MESSAGES.update(
    {
        "care_concern_missing": N_("Choose what you are worried about."),
        "care_about_missing": N_("Fill in who or which address it is about."),
        "care_about_too_long": N_("Make this shorter: at most 200 characters."),
        "care_text_missing": N_("Write what you have noticed."),
        "care_text_too_long": N_("Make your message shorter: at most 2000 characters."),
        "care_no_director": N_(
            "Your neighbourhood has no neighbourhood director at the moment. "
            "Your message has not been sent."
        ),
        "care_too_many": N_(
            "You have already sent the most messages for today. Please try again tomorrow. "
            "Is it urgent? Call 112."
        ),
        "care_closed": N_("This care signal is already closed."),
        "care_outcome_missing": N_("Choose what was done."),
        "care_note_missing": N_("Explain in the note what was done."),
        "care_note_too_long": N_("Make the note shorter: at most 2000 characters."),
        "care_retention_invalid": N_("Choose from 1 to 24 months."),
    }
)

# Roles (moderation.roles): appointing moderators and directors.
FORM_MESSAGES.update(
    {
        "role_username_missing": N_("Fill in the username of the person."),
        "role_person_unknown": N_("There is no account with this username here."),
        "role_person_elsewhere": N_(
            "This is an account on another server. Only people with an account here can get a role."
        ),
        "role_person_not_active": N_(
            "This account is not active (yet). Only people with an active account can get a role."
        ),
        "role_neighbourhood_missing": N_("Choose a neighbourhood from the list."),
        "role_duty_missing": N_("Choose moderator or neighbourhood director."),
    }
)

# Appeals (moderation.appeals) and the login of a suspended account.
FORM_MESSAGES.update(
    {
        "login_suspended": N_("Your account is suspended."),
        "appeal_text_missing": N_("Write why you think the decision is wrong."),
        "appeal_text_too_long": N_("Make your appeal shorter: at most 2000 characters."),
        "appeal_already_made": N_(
            "You have already appealed against this decision. You can appeal only once."
        ),
        "appeal_decision_missing": N_("Choose whether you grant or refuse the appeal."),
        "appeal_needs_another_moderator": N_(
            "You took this measure yourself. Another moderator must decide about the appeal."
        ),
        "reason_missing": N_("Fill in a reason. The person reads it."),
        "reason_too_long": N_("Make the reason shorter: at most 1000 characters."),
    }
)

# Blocks of whole servers (moderation.domain_blocks) and block lists (moderation.block_lists).
FORM_MESSAGES.update(
    {
        "block_domain_invalid": N_("This is not the name of a server, such as social.example."),
        "block_severity_invalid": N_("Choose what happens to this server."),
        "block_comment_too_long": N_("Make the comment shorter: at most 1000 characters."),
        "block_line_severity_invalid": N_("The severity must be noop, silence or suspend."),
        "block_flag_invalid": N_(
            "Reject media, reject reports and obfuscate must be true or false."
        ),
        "block_line_unreadable": N_("This line cannot be read. Check the quotation marks."),
        "block_list_missing": N_("Choose a CSV file first."),
        "block_list_too_large": N_("This file is larger than 1 MB. Split it into smaller files."),
        "block_list_too_long": N_(
            "This file has more than 10,000 lines. Split it into smaller files."
        ),
        "block_list_not_text": N_("This is not a CSV file in UTF-8. Save it as CSV (UTF-8)."),
    }
)

# Reports and the moderators' measures (moderation.reports, actions; web.moderation_reports).
FORM_MESSAGES.update(
    {
        "report_category_missing": N_("Choose what is wrong."),
        "report_comment_too_long": N_("Make your explanation shorter: at most 1000 characters."),
        "report_too_many_posts": N_("Tick at most 10 messages."),
        "report_decision_missing": N_("Choose whether the report is handled or dismissed."),
        "report_already_closed": N_("This report is closed already, perhaps by another moderator."),
        "note_missing": N_("Write a note first."),
        "note_too_long": N_("Make the note shorter: at most 2000 characters."),
        "outcome_too_long": N_("Make the message shorter: at most 1000 characters."),
        "forward_not_remote": N_("This person is not on another server."),
        "already_removed": N_("This message has already been removed."),
        "nothing_to_lift": N_("This person has no limit or suspension to lift."),
        "suspension_length_missing": N_("Choose how long the suspension lasts."),
        "suspension_end_in_past": N_("The end of the suspension must be in the future."),
    }
)

# Prevention (moderation.posting_limits, moderation.word_filters).
FORM_MESSAGES.update(
    {
        "new_account_post_limit": N_(
            "New accounts can write a limited number of messages a day in their first days. "
            "You have reached that number. Please try again tomorrow."
        ),
        "new_account_link_limit": N_(
            "New accounts can share a limited number of links a day in their first days. "
            "Remove a link, or try again tomorrow."
        ),
        "new_account_days_invalid": N_("Choose from 0 to 90 days."),
        "new_account_posts_per_day_invalid": N_("Choose from 1 to 1000 messages."),
        "new_account_links_per_day_invalid": N_("Choose from 0 to 1000 links."),
        "word_filter_empty": N_("Fill in a word or phrase."),
        "word_filter_too_long": N_("Make the phrase shorter: at most 100 characters."),
        "word_filter_too_many": N_("This neighbourhood has 500 word filters already."),
        "word_filter_exists": N_("This word or phrase is already in the list."),
        "text_needs_review": N_(
            "This text contains a word that a moderator of this neighbourhood must look at "
            "first. Please change the text."
        ),
    }
)

# A neighbourhood's CBS code and number of homes (core.neighbourhood_figures, core.cbs_import).
FORM_MESSAGES.update(
    {
        "cbs_code_invalid": N_(
            "Use the code of a buurt at CBS: BU and 8 digits, for example BU03630000. "
            "Or leave it empty."
        ),
        "homes_invalid": N_("Fill in a whole number from 1 to 1,000,000, or leave it empty."),
        "cbs_file_missing": N_("Choose a CSV file first."),
        "cbs_file_too_large": N_("This file is larger than 50 MB."),
        "cbs_file_not_text": N_("This is not a CSV file we can read. Save it as CSV (UTF-8)."),
        "cbs_file_no_columns": N_(
            "This file has no columns with the code of the buurt and the number of homes "
            "that we know."
        ),
        "cbs_line_unreadable": N_("This line cannot be read. Check the quotation marks."),
        "cbs_line_code_invalid": N_("This is not a buurt code: BU and 8 digits."),
        "cbs_line_homes_invalid": N_("The number of homes is not a whole number up to 1,000,000."),
        "cbs_line_code_repeated": N_("This buurt is in the file already, with another number."),
    }
)

# Announcements pinned atop a neighbourhood (core.pins).
FORM_MESSAGES.update(
    {
        "pin_date_invalid": N_("Fill in a date, for example 31-12-2026."),
        "pin_date_past": N_("This day has already passed. Choose today or a later day."),
        "pin_date_too_far": N_(
            "Choose a day at most 90 days from today, so that the announcement stays news."
        ),
        "pin_too_many": N_(
            "There are already 3 pinned messages in this neighbourhood. "
            "Take one down first: you find them at the top of the neighbourhood page."
        ),
        "pin_reply": N_(
            "A reply cannot be pinned. Pin the message it answers, or write a new one."
        ),
        "pin_not_for_neighbourhood": N_(
            "Only a message for the neighbourhood or for everyone can be pinned."
        ),
        "pin_held": N_(
            "This message waits for a moderator. It can be pinned once it is let through."
        ),
        "neighbourhood_not_directed": N_(
            "You can post only in your own neighbourhood or in one that you direct."
        ),
    }
)

# The resident survey (core.surveys; web.survey_periods reads the dates).
FORM_MESSAGES.update(
    {
        "survey_date_invalid": N_("Fill in a date, for example 31-12-2026."),
        "survey_closes_before_opening": N_("The last day must be on or after the first day."),
        "survey_closes_in_the_past": N_(
            "The last day has already passed. Choose today or a later day."
        ),
        "survey_period_overlaps": N_(
            "These days overlap with another survey of this neighbourhood. Choose other days."
        ),
        "survey_answer_invalid": N_("Choose one of the answers."),
        "survey_mark_invalid": N_("Choose a mark from 1 to 10."),
    }
)

# Partners' keys and the figures' exports (core.partner_tokens, core.metric_exports). The API
# answers with these texts untranslated, so they read well in English too.
FORM_MESSAGES.update(
    {
        "partner_name_missing": N_("Fill in who gets the key."),
        "partner_name_too_long": N_("Use at most 100 characters."),
        "partner_neighbourhoods_missing": N_("Choose at least one neighbourhood."),
        "partner_neighbourhood_unknown": N_("Choose neighbourhoods from the list."),
        "export_period_invalid": N_("Choose month or week."),
        "export_month_invalid": N_("Use a month like 2026-01, from the year 2000 on."),
        "export_range_reversed": N_("The first month must not come after the last month."),
        "export_range_too_long": N_("Choose at most 120 months at a time."),
        "export_not_over": N_("This period is not over yet. Its figures come once it has ended."),
        "export_format_invalid": N_("Choose csv or json."),
    }
)

# The welcome page and a neighbourhood's streets or complexes (core.places).
FORM_MESSAGES.update(
    {
        "place_unknown": N_("Choose a street or complex from the list."),
        "places_too_many": N_("Use at most 200 lines."),
        "place_too_long": N_("Use at most 100 characters per line."),
    }
)
