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
