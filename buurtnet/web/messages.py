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
}


def translate_errors(errors: dict[str, str], gettext: Callable[[str], str]) -> dict[str, str]:
    return {field: gettext(FORM_MESSAGES.get(code, code)) for field, code in errors.items()}
